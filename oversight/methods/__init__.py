"""Statistical methods for Oversight in plain Python, with no Django imports."""
