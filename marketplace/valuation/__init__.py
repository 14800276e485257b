"""Valuation commands: valuer accreditation and assessments."""
