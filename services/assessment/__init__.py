"""Assessment: assessments, IPLOS scores, criteria, recommendations and hand-over to partner offices."""
