"""Accounts: people (users) and the organisations they act for."""
