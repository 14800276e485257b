"""Notifications: the inbox read model, saved searches and follows, and the rules that turn events into notices."""
