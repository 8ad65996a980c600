"""Oversight: plan, measure, deliver and scrutinise a Police and Crime Plan."""

__version__ = "0.1.0"
