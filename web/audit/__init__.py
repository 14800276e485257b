"""Audit pages and API: the event log, histories, as-of pages, daily roots."""
