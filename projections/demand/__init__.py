"""Demand read models: enquiry threads and listings' materials."""
