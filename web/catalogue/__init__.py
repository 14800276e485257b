"""Catalogue pages and API: listings, patents, registrations."""
