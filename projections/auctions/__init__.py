"""Auctions read model: sessions, lots, bidders, deposits and the bid log."""
