"""What `make audit` does with pip-audit's answers (tests/audit.py): fail on a known
vulnerability, warn (and go on) when dependencies could not be audited."""

from __future__ import annotations

import json

from tests.audit import verdict

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
