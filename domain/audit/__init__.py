"""Audit: reads of confidential records by auditors."""
