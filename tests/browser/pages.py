"""Which browser test audits each HTML page with axe, and which GET routes are exempt and why.

`test_page_coverage.py` fails when a GET route of the app is in neither list (a new page must be
audited, or exempted with a reason), is in both, or when an entry names a route that is gone.
A feature lists its own pages in `tests/<name>/walks.py` (`audited()` and `exempt()` below add
them). docs/accessibility.md lists the same pages in words.
"""

from __future__ import annotations

from tests.security.walks import merged

# route name -> the test module (in tests/browser) that reaches the page and runs axe on it
AUDITED: dict[str, str] = {
    "pages:home": "test_resident_journey",
    "accounts:profile": "test_resident_journey",
    "accounts:signup": "test_resident_journey",
    "accounts:login": "test_resident_journey",
    "accounts:reset": "test_resident_journey",
    "accounts:reset_password": "test_every_page",
    "accounts:confirm": "test_every_page",
    "accounts:delete": "test_every_page",
    "budgets:index": "test_resident_journey",
    "budgets:detail": "test_resident_journey",
    "budgets:new_project": "test_every_page",
    "budgets:project": "test_every_page",
    "budgets:ballot": "test_resident_journey",
    "budgets:receipt": "test_resident_journey",
    "budgets:receipt_check": "test_every_page",
    "budgets:results": "test_resident_journey",
    "budgets:residency": "test_resident_journey",
    "budgets:admin": "test_admin_journey",
    "budgets:admin_new": "test_every_page",
    "budgets:admin_edit": "test_every_page",
    "budgets:admin_edit_project": "test_every_page",
    "budgets:admin_import": "test_every_page",
    "budgets:admin_paper_ballot": "test_every_page",
    "budgets:admin_paper_choices": "test_every_page",
    "budgets:admin_paper_receipt": "test_every_page",
    "budgets:admin_census": "test_every_page",
    "consultations:index": "test_resident_journey",
    "consultations:detail": "test_resident_journey",
    "consultations:answer": "test_resident_journey",
    "consultations:results": "test_every_page",
    "consultations:outcome": "test_every_page",
    "consultations:admin_index": "test_admin_journey",
    "consultations:admin": "test_admin_journey",
    "consultations:admin_outcome": "test_admin_journey",
    "consultations:admin_close": "test_admin_journey",
    "consultations:admin_new": "test_every_page",
    "consultations:admin_edit": "test_every_page",
    "consultations:admin_new_question": "test_every_page",
    "consultations:admin_question": "test_every_page",
    "consultations:admin_texts": "test_every_page",
    "proposals:index": "test_resident_journey",
    "proposals:new": "test_resident_journey",
    "proposals:detail": "test_resident_journey",
    "proposals:edit": "test_every_page",
    "proposals:history": "test_every_page",
    "proposals:amend": "test_every_page",
    "comments:edit": "test_every_page",
    "notifications:index": "test_every_page",
    "moderation:index": "test_moderator_journey",
    "moderation:report": "test_every_page",
    "moderation:mine": "test_every_page",
    "moderation:user": "test_every_page",
    "moderation:audit": "test_every_page",
    "moderation:reasons": "test_admin_journey",
    "moderation:reason_edit": "test_every_page",
    "indicators:summary": "test_resident_journey",
    "indicators:dashboard": "test_admin_journey",
    "indicators:process": "test_every_page",
    "followup:index": "test_resident_journey",
    "followup:detail": "test_every_page",
    "followup:admin_index": "test_admin_journey",
    "followup:admin": "test_every_page",
    "admin:index": "test_admin_journey",
    # content pages (issue #18)
    "sitepages:legal": "test_site_pages",
    "sitepages:accessibility": "test_site_pages",
    "sitepages:privacy": "test_site_pages",
    "sitepages:terms": "test_site_pages",
    "sitepages:help": "test_site_pages",
    "sitepages:accept": "test_site_pages",
    "sitepages:admin_index": "test_site_pages",
    "sitepages:admin_edit": "test_site_pages",
    "sitepages:admin_history": "test_site_pages",
    "sitepages:admin_version": "test_site_pages",
}

# route name -> why axe does not audit it
EXEMPT: dict[str, str] = {
    "pages:healthz": "plain-text health check for the load balancer, not a page",
    "pages:healthz_live": "health check for the supervisor (JSON), not a page",
    "pages:healthz_ready": "health check for the load balancer (JSON), not a page",
    "static": "stylesheet, scripts and images (audited as part of every page)",
    "pages:favicon": "the site's icon (ICO), an image",
    "pages:favicon_svg": "the site's icon (SVG), an image",
    "accounts:data": "the person's data as a JSON download",
    "budgets:results_csv": "CSV download (its content is the results page's table)",
    "budgets:pabulib": "Pabulib data file download",
    "consultations:results_csv": "CSV download (its content is the results page's tables)",
    "consultations:results_json": "JSON open data",
    "consultations:responses_csv": "CSV download for staff",
    "proposals:csv": "CSV open data (its content is the proposals list)",
    "proposals:json": "JSON open data",
    "moderation:audit_csv": "CSV download of the audit log (its content is the audit page)",
    "indicators:csv": "CSV open data (its content is the participation page)",
    "indicators:json": "JSON open data",
}


def audited() -> dict[str, str]:
    """AUDITED and each installed feature's audited pages (tests/<name>/walks.py)."""
    return merged(AUDITED, lambda walks: walks.audited)


def exempt() -> dict[str, str]:
    return merged(EXEMPT, lambda walks: walks.exempt)
