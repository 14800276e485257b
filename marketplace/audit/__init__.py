"""Audit of the marketplace's records: history, as-of replay, verification and export."""
