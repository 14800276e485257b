"""Programmes in the web: public programme pages, the officer's programmes and claim queue, my claims, the API."""
