"""Deals: offers, contracts, payments, royalties and benefit sharing."""
