"""Auctions on the web: JSON API, public session and lot pages with a polled live state."""
