"""Demand commands: enquiries on listings, and the materials sellers release through them."""
