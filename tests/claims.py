"""Several pytest processes sharing one selection of tests, module by module (a pytest plugin,
registered by tests/conftest.py).

`make test` runs each of its three passes in two processes: the SQLite pass, the browser tests,
and the PostgreSQL pass on two databases. Each process takes the next test no process has taken
yet, so the two cores stay busy to the end, whichever tests are slow. Taking a test is
creating a file named after it in TEST_CLAIMS, a folder all the processes share (the first to
create it runs it). Without TEST_CLAIMS, one process runs them all with pytest's own loop.

A module whose tests share a fixture of the module (a live server) is taken whole: the fixture
starts once, in one process; so is a module of browser tests (each checks, run whole, the pages
it says it audits). The others are taken test by test (taken module by module, a slow
module of a few tests left one process working alone at the end for minutes), the long ones
first (`_units`).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

CLAIMS = os.environ.get("TEST_CLAIMS", "")
# the modules of which this process ran tests, and those of which another process ran some
# (module paths as pytest gives them; a module split test by test is in both)
CLAIMED: set[str] = set()
ELSEWHERE: set[str] = set()


def _claim(unit: str) -> bool:
    """True when this process takes `unit` (first to create its claim file)."""
    name = hashlib.sha256(unit.encode()).hexdigest()[:32]
    try:
        os.close(os.open(Path(CLAIMS) / name, os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return False
    return True


_SHARED_SCOPES = ("module", "class", "package")


def _taken_whole(items: list[pytest.Item]) -> bool:
    """A module of browser tests (after a whole module, tests/browser/plugin.py checks that it
    audited every page it says it does), or one whose tests share a fixture of the module."""
    for item in items:
        if item.get_closest_marker("browser") is not None:
            return True
        info = getattr(item, "_fixtureinfo", None)
        for definitions in info.name2fixturedefs.values() if info else ():
            if any(definition.scope in _SHARED_SCOPES for definition in definitions):
                return True
    return False


def _units(items: list[pytest.Item]) -> list[tuple[str, list[pytest.Item]]]:
    """What a process takes, in order (stable: file order next): the modules taken whole
    (`_taken_whole`) first, those with most tests first; then the other tests one by one,
    those of the modules with fewest tests first. Long tests first, short ones last, so that
    the processes end together: a module of few tests holds long ones (a scenario, a walk over
    every route or form: 0.3 to 0.5 s of CPU per test on average in the modules of up to ten
    tests on SQLite, up to 19 s), one of many holds short ones (0.014 s per test on average
    above forty, mostly parametrised). Taken last, one 19 s test left the other process idle."""
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(str(item.path), []).append(item)
    whole: list[tuple[str, list[pytest.Item]]] = []
    single: list[tuple[str, list[pytest.Item]]] = []
    for module in sorted(modules, key=lambda module: -len(modules[module])):
        tests = modules[module]
        if _taken_whole(tests):
            whole.append((module, tests))
    for module in sorted(modules, key=lambda module: len(modules[module])):
        tests = modules[module]
        if not _taken_whole(tests):
            single.extend((item.nodeid, [item]) for item in tests)
    return whole + single


def pytest_runtestloop(session: pytest.Session) -> bool | None:
    """With TEST_CLAIMS: pytest's own loop over what this process claims, one unit ahead (a
    test's teardown must know the next test: a module's fixtures end when the next test is in
    another module, the session's only after the last test)."""
    if not CLAIMS or session.config.option.collectonly or session.testsfailed:
        return None  # pytest's own loop (which also stops on collection errors)
    units = iter(_units(session.items))

    def next_claimed() -> list[pytest.Item]:
        for unit, items in units:
            if _claim(unit):
                return items
            ELSEWHERE.update(str(item.path) for item in items)
        return []

    current = next_claimed()
    while current:
        CLAIMED.update(str(item.path) for item in current)
        following = next_claimed()
        for index, item in enumerate(current):
            after = current[index + 1] if index + 1 < len(current) else None
            if after is None and following:
                after = following[0]
            item.config.hook.pytest_runtest_protocol(item=item, nextitem=after)
            if session.shouldfail:
                raise session.Failed(session.shouldfail)
            if session.shouldstop:
                raise session.Interrupted(session.shouldstop)
        current = following
    return True


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if CLAIMS and (CLAIMED or ELSEWHERE):
        terminalreporter.write_line(
            f"this process ran tests of {len(CLAIMED)} modules, another process tests of "
            f"{len(ELSEWHERE)} (TEST_CLAIMS: shared test by test, or module by module where a "
            "module's tests share a fixture)"
        )
