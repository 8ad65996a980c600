"""Tests of the data app: imports, validation, queries, provenance."""
