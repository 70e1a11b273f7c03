"""Citizen proposals: residents' ideas, co-authors, amendments, supports, official answers."""
