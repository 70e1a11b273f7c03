"""Participatory budgets: projects, the resident register's ballots, the sealed ballot box.

The tally itself is the pure `tally` package (no Tortoise, no Starlette); `budgets.tallying`
feeds it the stored ballots and stores its results.
"""
