"""Valuation records read model."""
