"""Importing patents from files: WIPO and Lens exports, the marketplace's own CSV and JSON Lines."""
