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
- npm's packages (htmx, package-lock.json): `npm audit --omit=dev`, the same verdicts: a known
  vulnerability fails, an unreachable advisory service or no npm is a WARNING (`npm_verdict`).
- The SBOM: a CycloneDX document of the runtime set (requirements.lock, what a deployment
  installs), written to dist/sbom.cdx.json (git-ignored) by cyclonedx-py, offline (`sbom`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SBOM = ROOT / "dist" / "sbom.cdx.json"

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


NPM_COMMAND = ["npm", "audit", "--omit=dev", "--json"]


def npm_verdict(returncode: int, stdout: str, strict: bool = False) -> Verdict:
    """What the build does with an `npm audit --omit=dev --json` run (pure: tested in
    tests/security/test_audit.py): npm's report counts vulnerabilities by severity
    (`metadata.vulnerabilities`); an error (no network, a registry without the audit endpoint)
    is a report with `error` or `message` and no such counts."""
    try:
        report: dict[str, Any] = json.loads(stdout)
        counts = report["metadata"]["vulnerabilities"]
        audited = report["metadata"].get("dependencies", {}).get("prod", 0)
    except (ValueError, KeyError, TypeError):
        try:
            error = json.loads(stdout)
            reason = error.get("error", {}).get("summary") or error.get("message") or ""
        except (ValueError, AttributeError):
            reason = ""
        reason = " ".join(str(reason).split())[:200] or f"exit {returncode}"
        return Verdict(
            1 if strict else 0,
            f"WARNING: npm audit could not run ({reason}): npm packages NOT audited.",
        )
    total = int(counts.get("total", 0))
    if total:
        names = sorted(report.get("vulnerabilities", {}))
        severities = ", ".join(f"{counts[s]} {s}" for s in counts if s != "total" and counts[s])
        return Verdict(1, f"VULNERABLE: npm packages: {total} ({severities}): {', '.join(names)}")
    return Verdict(0, f"npm audit: {audited} runtime packages audited, no known vulnerabilities.")


def npm_audit(strict: bool) -> Verdict:
    if shutil.which("npm") is None or not (ROOT / "package-lock.json").exists():
        return Verdict(1 if strict else 0, "WARNING: npm not found: npm packages NOT audited.")
    try:
        run = subprocess.run(NPM_COMMAND, capture_output=True, text=True, timeout=120, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return Verdict(
            1 if strict else 0, "WARNING: npm audit timed out: npm packages NOT audited."
        )
    return npm_verdict(run.returncode, run.stdout, strict)


def sbom(lock: Path = ROOT / "requirements.lock", output: Path = SBOM) -> Verdict:
    """The runtime set's SBOM (CycloneDX JSON) from the lock file, offline. cyclonedx-py's own
    schema validation is off: it took 13 s here (make test stays fast); the document is checked
    in tests/security/test_audit.py."""
    output.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-W", "ignore", "-m", "cyclonedx_py", "requirements", str(lock)]
    command += ["--pyproject", str(ROOT / "pyproject.toml"), "--output-reproducible"]
    command += ["--no-validate", "--output-file", str(output)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120)
    try:
        document = json.loads(output.read_text(encoding="utf-8"))
        components = len(document["components"])
    except (OSError, ValueError, KeyError):
        reason = (run.stderr.strip().splitlines() or ["no output"])[-1]
        return Verdict(1, f"SBOM NOT written ({reason}).")
    relative = output.relative_to(ROOT) if output.is_relative_to(ROOT) else output
    return Verdict(
        0, f"SBOM: {relative} (CycloneDX {document['specVersion']}, {components} components)."
    )


def python_audit(strict: bool) -> Verdict:
    try:
        run = subprocess.run(COMMAND, capture_output=True, text=True, timeout=300)
        outcome = verdict(
            run.returncode,
            _completed(run.stdout),
            run.stderr,
            strict=strict,
        )
    except subprocess.TimeoutExpired:
        outcome = Verdict(0, "WARNING: pip-audit timed out: dependencies NOT audited.")
    return outcome


def main() -> int:
    strict = os.environ.get("AUDIT_STRICT") == "1"
    with ThreadPoolExecutor(max_workers=3) as pool:  # mostly waiting on the network
        outcomes = list(
            pool.map(
                lambda step: step(), [lambda: python_audit(strict), lambda: npm_audit(strict), sbom]
            )
        )
    for outcome in outcomes:
        print(outcome.message)
    return max(outcome.exit_code for outcome in outcomes)


if __name__ == "__main__":
    sys.exit(main())
