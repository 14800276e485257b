"""Benchmarks of the marketplace: ``python -m benchmarks.run_all`` (see benchmarks/README.md)."""
