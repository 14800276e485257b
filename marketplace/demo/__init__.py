"""Demo data: a plausible Fujian technology-transfer marketplace."""
