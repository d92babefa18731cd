"""Assessment: assessments, IPLOS scores, criteria and recommendations."""
