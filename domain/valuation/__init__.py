"""Valuation: accredited valuers, assessments and the valuation methods."""
