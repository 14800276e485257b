"""Notifications pages: the inbox, e-mail settings, unsubscribe, saved searches and follows, the outbox."""
