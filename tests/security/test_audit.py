"""What `make audit` does with pip-audit's and npm audit's answers (tests/audit.py): fail on a
known vulnerability, warn (and go on) when dependencies could not be audited; the SBOM it
writes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.audit import Verdict, complete_from_latest_releases, npm_verdict, sbom, verdict

CLEAN = {"dependencies": [{"name": "starlette", "version": "1.10.0", "vulns": []}], "fixes": []}
VULNERABLE = {
    "dependencies": [
        {
            "name": "jinja2",
            "version": "3.1.2",
            "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"]}],
        },
        {"name": "bleach", "version": "6.2.0", "vulns": []},
    ]
}
MIRROR = {
    "dependencies": [
        {"name": "bleach", "skip_reason": "Dependency not found on PyPI and could not be audited"},
        {"name": "starlette", "version": "1.10.0", "vulns": []},
    ]
}


def test_a_known_vulnerability_fails_the_build() -> None:
    outcome = verdict(1, json.dumps(VULNERABLE), "")
    assert outcome.exit_code == 1
    assert "jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)" in outcome.message


def test_a_clean_audit_passes_and_says_how_much_it_audited() -> None:
    outcome = verdict(0, json.dumps(CLEAN), "")
    assert outcome.exit_code == 0
    assert outcome.message == "pip-audit: 1 dependencies audited, no known vulnerabilities."


def test_unaudited_dependencies_are_a_warning_not_a_silent_pass() -> None:
    outcome = verdict(0, json.dumps(MIRROR), "")
    assert outcome.exit_code == 0
    assert (
        "WARNING: 1 of 2 dependencies NOT audited" in outcome.message
        and "bleach" in outcome.message
    )
    assert verdict(0, json.dumps(MIRROR), "", strict=True).exit_code == 1


def test_no_network_is_a_warning() -> None:
    error = "requests.exceptions.ConnectionError: Failed to resolve 'pypi.org'"
    outcome = verdict(1, "", f"Traceback...\n{error}\n")
    assert outcome.exit_code == 0
    assert "NOT audited" in outcome.message and "pypi.org" in outcome.message
    assert verdict(1, "", error, strict=True).exit_code == 1


SKIPPED_BY_MIRROR = {
    "dependencies": [
        {"name": "jinja2", "skip_reason": "Dependency not found on PyPI: jinja2 (3.1.2)"},
        {"name": "bleach", "skip_reason": "Dependency not found on PyPI: bleach (6.2.0)"},
        {"name": "redis", "skip_reason": "Dependency not found on PyPI: redis (5.3.1)"},
        {"name": "participation", "skip_reason": "distribution marked as editable"},
    ]
}


def project_page(latest: str, *vulns: dict[str, object]) -> dict[str, object]:
    return {"info": {"version": latest}, "vulnerabilities": list(vulns)}


def test_a_skipped_dependency_at_its_latest_release_is_audited_from_the_project_page() -> None:
    projects = {
        "jinja2": project_page(
            "3.1.2",
            {"id": "GHSA-h5c8-rqwp-cp95", "fixed_in": ["3.1.3"], "withdrawn": None},
            {"id": "PYSEC-WITHDRAWN", "fixed_in": [], "withdrawn": "2024-01-01T00:00:00"},
        ),
        "bleach": project_page("6.2.0"),
        "redis": project_page("8.1.0", {"id": "GHSA-only-in-8", "fixed_in": ["8.1.1"]}),
    }
    installed = {"jinja2": "3.1.2", "bleach": "6.2.0", "redis": "5.3.1"}
    report = complete_from_latest_releases(SKIPPED_BY_MIRROR, installed, projects)
    outcome = verdict(0, json.dumps(report), "")
    # jinja2's advisory fails the build; the withdrawn one is not reported.
    assert outcome.exit_code == 1
    assert "jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)" in outcome.message
    assert "PYSEC-WITHDRAWN" not in outcome.message
    # redis 5.3.1 is not the latest release: the latest's advisories say nothing about it.
    assert "GHSA-only-in-8" not in outcome.message
    assert "WARNING: 1 of 3 dependencies NOT audited" in outcome.message
    assert "redis" in outcome.message.split("NOT audited")[1]


def test_the_project_itself_is_not_counted_as_an_unaudited_dependency() -> None:
    projects = {"jinja2": project_page("3.1.2"), "bleach": project_page("6.2.0")}
    installed = {"jinja2": "3.1.2", "bleach": "6.2.0", "redis": "5.3.1"}
    report = complete_from_latest_releases(SKIPPED_BY_MIRROR, installed, projects)
    outcome = verdict(0, json.dumps(report), "")
    assert outcome.exit_code == 0
    assert "participation" not in outcome.message
    assert "2 dependencies audited, no known vulnerabilities" in outcome.message


# --- npm's packages (`npm audit --omit=dev --json`) and the SBOM --------------------------------

NPM_CLEAN = {
    "auditReportVersion": 2,
    "vulnerabilities": {},
    "metadata": {
        "vulnerabilities": {
            "info": 0,
            "low": 0,
            "moderate": 0,
            "high": 0,
            "critical": 0,
            "total": 0,
        },
        "dependencies": {"prod": 2, "dev": 0, "total": 1},
    },
}
NPM_VULNERABLE = {
    "auditReportVersion": 2,
    "vulnerabilities": {"htmx.org": {"name": "htmx.org", "severity": "high", "via": ["GHSA-x"]}},
    "metadata": {
        "vulnerabilities": {
            "info": 0,
            "low": 0,
            "moderate": 0,
            "high": 1,
            "critical": 0,
            "total": 1,
        },
        "dependencies": {"prod": 2, "dev": 0, "total": 1},
    },
}
# what npm prints when the registry answers without its audit endpoint (seen on this machine)
NPM_UNREACHABLE = {"message": "405 Method Not Allowed - POST /-/npm/v1/security/advisories/bulk"}


def test_npm_audit_fails_on_a_vulnerability_and_warns_when_it_could_not_run() -> None:
    clean = npm_verdict(0, json.dumps(NPM_CLEAN))
    assert clean == Verdict(0, "npm audit: 2 runtime packages audited, no known vulnerabilities.")
    vulnerable = npm_verdict(1, json.dumps(NPM_VULNERABLE))
    assert vulnerable.exit_code == 1 and "1 (1 high): htmx.org" in vulnerable.message
    for returncode, stdout in [(1, json.dumps(NPM_UNREACHABLE)), (1, ""), (0, "[]")]:
        outcome = npm_verdict(returncode, stdout)
        assert outcome.exit_code == 0 and "npm packages NOT audited" in outcome.message
        assert npm_verdict(returncode, stdout, strict=True).exit_code == 1
    assert "405 Method Not Allowed" in npm_verdict(1, json.dumps(NPM_UNREACHABLE)).message


def test_the_sbom_lists_the_locked_runtime_set(tmp_path: Path) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text("bleach==6.2.0\n    # via participation\nwebencodings==0.5.1\n")
    outcome = sbom(lock, tmp_path / "sbom.cdx.json")
    assert outcome.exit_code == 0 and "2 components" in outcome.message
    document = json.loads((tmp_path / "sbom.cdx.json").read_text())
    assert document["bomFormat"] == "CycloneDX"
    assert document["metadata"]["component"]["name"] == "participation"
    purls = {c["purl"] for c in document["components"]}
    assert purls == {"pkg:pypi/bleach@6.2.0", "pkg:pypi/webencodings@0.5.1"}
