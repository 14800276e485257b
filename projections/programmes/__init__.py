"""Programmes read model: programmes with their budgets, and claims (issue 12)."""
