"""Accounts read models: organisations, users, credentials."""
