"""Benchmarks for screening: generated registries, a brute-force baseline, and the harness.

Run `python -m benchmarks.screening --help` (or `make bench`); see docs/performance.md.
Nothing here is imported by the application.
"""
