"""`python -m tests.audit`: pip-audit of the installed dependencies, for `make audit`.

- A known vulnerability fails the build (exit 1), with the advisories and fixed versions.
- When the vulnerability service cannot be reached, or knows nothing of some dependencies (a
  package mirror, no network), the build goes on (exit 0) with a WARNING that says which
  dependencies were NOT audited: an offline machine can still test, and nobody reads a green
  run as "audited" when it was not. `AUDIT_STRICT=1` makes that a failure too (CI with network).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
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
    dependencies = report.get("dependencies", [])
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


def main() -> int:
    try:
        run = subprocess.run(COMMAND, capture_output=True, text=True, timeout=300)
        outcome = verdict(
            run.returncode, run.stdout, run.stderr, strict=os.environ.get("AUDIT_STRICT") == "1"
        )
    except subprocess.TimeoutExpired:
        outcome = Verdict(0, "WARNING: pip-audit timed out: dependencies NOT audited.")
    print(outcome.message)
    return outcome.exit_code


if __name__ == "__main__":
    sys.exit(main())
