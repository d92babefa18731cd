"""Intake: registers inquiries, persons, consent and emergency measures."""
