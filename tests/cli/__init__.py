"""Tests of the ``oversight`` command line."""
