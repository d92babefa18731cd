"""Notification: deadlines and timers, receipts and reminders, per-municipality feeds."""
