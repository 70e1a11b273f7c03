"""The cyclic garbage collector in the test processes (a pytest plugin, registered by
tests/conftest.py).

A test process holds every module of the project, Tortoise's models, Jinja's templates and
pytest's own items: millions of objects that live to the end. With Python's default thresholds
the collector walked them again and again: its full collections alone were 15 to 20 % of a
pass's CPU. Once the tests are collected, what exists then is frozen (never scanned again, as
`participation serve` does at start, participation/asgi.py), and the collector runs less often
on what the tests create: every 10,000 allocations instead of 700, and each older generation
after 10 of the younger one's collections. Cycles a test leaves are still freed (a full
collection after at most 10 × 10 × 10,000 net allocations), only later."""

from __future__ import annotations

import gc

import pytest

THRESHOLDS = (10_000, 10, 10)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
