"""Benchmarks: timing scripts, run by hand (see docs/benchmarks-*.md)."""
