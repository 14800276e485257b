"""Valuation pages and API."""
