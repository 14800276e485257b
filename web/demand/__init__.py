"""Demand pages and API: enquiries on listings and the materials released through them."""
