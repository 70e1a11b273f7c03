"""The two lock files (docs/operations.md, "Lock files"), read without the network: every
declared dependency is pinned with hashes in the lock that installs it (requirements.lock for a
deployment, requirements-dev.lock for `make install` and CI), and the development set runs the
runtime set's versions, except where a test tool caps one (named here, with the reason)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent.parent
# pref_voting (the tests' reference for Borda, Condorcet, majority judgment) needs numba, which
# caps numpy below the runtime lock's: the tests run an older numpy; the package check installs
# requirements.lock and serves the pages, so the runtime set's numpy is exercised too
DEV_VERSION_DIFFERS = {"numpy"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)(?:\s*;\s*(.+?))?\s*\\?$")


def pins(lock: Path) -> dict[str, set[tuple[str, str]]]:
    """Each package of a lock file: its (version, markers) lines; every one has hashes."""
    found: dict[str, set[tuple[str, str]]] = {}
    lines = lock.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if match := PIN.match(line):
            name, version, markers = match.groups()
            assert lines[number + 1].strip().startswith("--hash=sha256:"), (lock.name, name)
            found.setdefault(canonicalize_name(name), set()).add((version, markers or ""))
    return found


def declared(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in requirements}


def test_every_dependency_is_locked_and_the_dev_set_runs_the_runtime_versions() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime, dev = pins(ROOT / "requirements.lock"), pins(ROOT / "requirements-dev.lock")
    tools = list(project["optional-dependencies"]["dev"])
    for listed in sorted(ROOT.glob("*/test-requirements.txt")):
        for line in listed.read_text(encoding="utf-8").splitlines():
            if line.split("#")[0].strip():
                tools.append(line.split("#")[0].strip())
    assert declared(project["dependencies"]) <= set(runtime), "run `make lock`"
    assert declared(project["dependencies"]) | declared(tools) <= set(dev), "run `make lock`"
    differing = {
        name
        for name, versions in runtime.items()
        if {v for v, _ in dev.get(name, set())} != {v for v, _ in versions}
    }
    assert differing == DEV_VERSION_DIFFERS
