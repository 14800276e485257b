"""Litestar controllers: JSON API, HTML pages, accounts and administration."""
