"""`python -m tests.audit`: pip-audit of the installed dependencies, for `make audit`.

- A known vulnerability fails the build (exit 1), with the advisories and fixed versions.
- When the vulnerability service cannot be reached, or knows nothing of some dependencies (a
  package mirror, no network), the build goes on (exit 0) with a WARNING that says which
  dependencies were NOT audited: an offline machine can still test, and nobody reads a green
  run as "audited" when it was not. `AUDIT_STRICT=1` makes that a failure too (CI with network).
- Some networks reach PyPI's project pages (`/pypi/NAME/json`) but not its per-release pages,
  which pip-audit asks. A project page lists the advisories of the latest release only, from
  the same advisory feed: so a dependency pip-audit skipped is still audited when the installed
  version IS the latest release, and stays "NOT audited" otherwise.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from typing import Any

COMMAND = [
    sys.executable,
    "-m",
    "pip_audit",
    "--vulnerability-service",
    "pypi",  # osv.dev is not reachable from every machine that reaches PyPI
    "--skip-editable",  # this project itself
    "--progress-spinner",
    "off",
    "--format",
    "json",
]


@dataclass(frozen=True)
class Verdict:
    exit_code: int
    message: str


def verdict(returncode: int, stdout: str, stderr: str, strict: bool = False) -> Verdict:
    """What the build does with a pip-audit run (pure: tested in tests/security/test_audit.py)."""
    try:
        report: dict[str, Any] = json.loads(stdout)
    except ValueError:
        reason = (stderr.strip().splitlines() or ["no output"])[-1]
        return Verdict(
            1 if strict else 0,
            f"WARNING: pip-audit could not run ({reason}): dependencies NOT audited.",
        )
    # The project itself (installed editable) is what is being tested, not a dependency.
    dependencies = [
        d for d in report.get("dependencies", []) if "editable" not in d.get("skip_reason", "")
    ]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    lines = []
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            lines.append(
                f"VULNERABLE: {dependency['name']} {dependency.get('version', '')}: "
                f"{vuln.get('id')} (fixed in {fixed})"
            )
    if skipped:
        names = ", ".join(sorted(d["name"] for d in skipped))
        lines.append(
            f"WARNING: {len(skipped)} of {len(dependencies)} dependencies NOT audited (unknown "
            f"to the vulnerability service, or a package mirror): {names}"
        )
    audited = len(dependencies) - len(skipped)
    if not vulnerable and audited:
        lines.append(f"pip-audit: {audited} dependencies audited, no known vulnerabilities.")
    failed = bool(vulnerable) or (strict and bool(skipped))
    return Verdict(1 if failed else 0, "\n".join(lines))


def complete_from_latest_releases(
    report: dict[str, Any], installed: dict[str, str], projects: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Audit the dependencies pip-audit skipped whose installed version is the latest release,
    from their PyPI project page (`projects`: name -> the `/pypi/NAME/json` document); pure."""
    dependencies = []
    for dependency in report.get("dependencies", []):
        name = dependency["name"]
        project = projects.get(name)
        version = installed.get(name)
        if (
            dependency.get("skip_reason")
            and project
            and version is not None
            and project.get("info", {}).get("version") == version
        ):
            vulns = [
                {"id": v.get("id"), "fix_versions": v.get("fixed_in") or []}
                for v in project.get("vulnerabilities") or []
                if not v.get("withdrawn")
            ]
            dependencies.append({"name": name, "version": version, "vulns": vulns})
        else:
            dependencies.append(dependency)
    return {**report, "dependencies": dependencies}


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _installed_versions() -> dict[str, str]:
    return {
        _normalized(d.metadata["Name"]): d.version
        for d in metadata.distributions()
        if d.metadata["Name"]
    }


def _project_page(name: str) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=20) as answer:
            page: dict[str, Any] = json.load(answer)
            return page
    except (OSError, ValueError):
        return None


def _completed(stdout: str) -> str:
    """pip-audit's JSON with the skipped dependencies audited from PyPI where possible."""
    try:
        report = json.loads(stdout)
    except ValueError:
        return stdout
    skipped = [d["name"] for d in report.get("dependencies", []) if d.get("skip_reason")]
    if not skipped:
        return stdout
    with ThreadPoolExecutor(max_workers=16) as pool:
        pages = dict(zip(skipped, pool.map(_project_page, skipped), strict=True))
    projects = {name: page for name, page in pages.items() if page}
    installed = _installed_versions()
    versions = {name: installed.get(_normalized(name), "") for name in skipped}
    return json.dumps(complete_from_latest_releases(report, versions, projects))


def main() -> int:
    try:
        run = subprocess.run(COMMAND, capture_output=True, text=True, timeout=300)
        outcome = verdict(
            run.returncode,
            _completed(run.stdout),
            run.stderr,
            strict=os.environ.get("AUDIT_STRICT") == "1",
        )
    except subprocess.TimeoutExpired:
        outcome = Verdict(0, "WARNING: pip-audit timed out: dependencies NOT audited.")
    print(outcome.message)
    return outcome.exit_code


if __name__ == "__main__":
    sys.exit(main())
