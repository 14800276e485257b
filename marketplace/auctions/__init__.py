"""Auctions: sessions, lots, deposits, bids and the close."""
