"""Catalogue read model: patents, listings, ownership claims."""
