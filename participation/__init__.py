"""Participation: a participatory democracy platform for French local governments."""

__version__ = "0.1.0"
