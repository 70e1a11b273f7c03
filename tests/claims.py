"""Several pytest processes sharing one selection of tests, module by module (a pytest plugin,
registered by tests/conftest.py).

`make test` runs the browser tests in two processes, and the PostgreSQL pass in two processes on
two databases: each process takes the next test module no process has taken yet, so the two
cores stay busy to the end, whichever modules are slow. Taking a module is creating a file named
after it in TEST_CLAIMS, a folder all the processes share (the first to create it runs it).
Without TEST_CLAIMS, one process runs them all with pytest's own loop.

A whole module goes to one process: its module-scoped fixtures (a live server) start once, and
its tests keep their order. The modules with most tests start first, leaving the short ones to
even out the end.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CLAIMS = os.environ.get("TEST_CLAIMS", "")
# what this process ran and left to the others (module paths as pytest gives them)
CLAIMED: set[str] = set()
ELSEWHERE: set[str] = set()


def _claim(module: str) -> bool:
    """True when this process takes `module` (first to create its claim file)."""
    name = module.replace(os.sep, "--").replace("/", "--")
    try:
        os.close(os.open(Path(CLAIMS) / name, os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return False
    return True


def _by_module(items: list[pytest.Item]) -> dict[str, list[pytest.Item]]:
    """The tests grouped by module, the modules with most tests first (stable: file order
    next)."""
    groups: dict[str, list[pytest.Item]] = {}
    for item in items:
        groups.setdefault(str(item.path), []).append(item)
    order = sorted(groups, key=lambda module: -len(groups[module]))
    return {module: groups[module] for module in order}


def pytest_runtestloop(session: pytest.Session) -> bool | None:
    """With TEST_CLAIMS: pytest's own loop over the modules this process claims, one module
    ahead (a test's teardown must know the next test: a module's fixtures end when the next
    test is in another module, the session's only after the last test)."""
    if not CLAIMS or session.config.option.collectonly or session.testsfailed:
        return None  # pytest's own loop (which also stops on collection errors)
    modules = iter(_by_module(session.items).items())

    def next_claimed() -> list[pytest.Item]:
        for module, items in modules:
            if _claim(module):
                return items
            ELSEWHERE.add(module)
        return []

    current = next_claimed()
    while current:
        CLAIMED.add(str(current[0].path))
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
            f"this process ran {len(CLAIMED)} test modules; the {len(ELSEWHERE)} others ran in "
            "another process (TEST_CLAIMS)"
        )
