"""Coordination: coordination referrals, coordinators, individual plans and meetings."""
