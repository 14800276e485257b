"""Notifications: the e-mail outbox sender and the signed unsubscribe links."""
