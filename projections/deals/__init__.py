"""Deals read model: offers, contracts, payments."""
