"""Notifications: what each user watches (saved searches and followed listings), recorded as events."""
