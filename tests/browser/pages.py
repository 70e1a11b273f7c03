"""Which browser test audits each HTML page with axe, and which GET routes are exempt and why.

`test_page_coverage.py` fails when a GET route of the app is in neither list (a new page must be
audited, or exempted with a reason), is in both, or when an entry names a route that is gone.
A feature lists its own pages in `tests/<name>/walks.py` (`audited()` and `exempt()` below add
them). docs/accessibility.md lists the same pages in words.
"""

from __future__ import annotations

from tests.security.walks import merged

# route name -> the test module (its path under tests/, see `module_id` in tests/browser/plugin.py)
# that reaches the page and runs axe on it
AUDITED: dict[str, str] = {
    "pages:home": "browser/test_resident_journey",
    "pages:design": "browser/test_every_page",  # light and dark
    "accounts:profile": "browser/test_resident_journey",
    "accounts:signup": "browser/test_resident_journey",
    "accounts:login": "browser/test_resident_journey",
    "accounts:reset": "browser/test_resident_journey",
    "accounts:reset_password": "browser/test_every_page",
    "accounts:confirm": "browser/test_every_page",
    "accounts:delete": "browser/test_every_page",
    # the account page's other pages (issue #19)
    "accounts:password": "browser/test_every_page",
    "accounts:notifications": "browser/test_every_page",
    "accounts:activity": "browser/test_every_page",
    "accounts:confirm_email_change": "browser/test_every_page",
    "accounts:unsubscribe": "browser/test_every_page",
    "notifications:index": "browser/test_every_page",
    "auditlog:index": "browser/test_every_page",
    "admin:index": "browser/test_admin_journey",
    # content pages (issue #18)
    "sitepages:legal": "browser/test_site_pages",
    "sitepages:accessibility": "browser/test_site_pages",
    "sitepages:privacy": "browser/test_site_pages",
    "sitepages:terms": "browser/test_site_pages",
    "sitepages:help": "browser/test_site_pages",
    "sitepages:accept": "browser/test_site_pages",
    "sitepages:admin_index": "browser/test_site_pages",
    "sitepages:admin_edit": "browser/test_site_pages",
    "sitepages:admin_history": "browser/test_site_pages",
    "sitepages:admin_version": "browser/test_site_pages",
    # settings from the browser (issue #18)
    "sitesettings:edit": "browser/test_site_settings",
    "people:index": "browser/test_site_settings",
    "proposals:classification": "browser/test_every_page",
    "people:detail": "browser/test_site_settings",
    "people:invitation": "browser/test_site_settings",
    # the public read API's page and the open data (issue #21)
    "api:index": "browser/test_every_page",
    "opendata:index": "browser/test_every_page",
}

# route name -> why axe does not audit it
EXEMPT: dict[str, str] = {
    "pages:healthz": "plain-text health check for the load balancer, not a page",
    "pages:healthz_live": "health check for the supervisor (JSON), not a page",
    "pages:healthz_ready": "health check for the load balancer (JSON), not a page",
    "pages:metrics": "Prometheus metrics (text format, with METRICS_TOKEN), not a page",
    "static": "stylesheet, scripts and images (audited as part of every page)",
    "assets:file": "stylesheets and scripts at their versioned address (audited with every page)",
    "pictures:pattern": "the pattern drawn for what has no image (SVG), an image",
    "pages:favicon": "the site's icon (ICO), an image",
    "pages:favicon_svg": "the site's icon (SVG), an image",
    "accounts:data": "the person's data as a JSON download",
    "feeds:all": "Atom feed, not a page (tests/participation/test_feeds.py parses it)",
    "feeds:feed": "Atom feed, not a page (tests/participation/test_feeds.py parses it)",
    "auditlog:csv": "CSV download of the audit log (its content is the audit page)",
    "sitesettings:logo": "the town's logo (PNG), an image shown in every page's header",
    "sitesettings:theme": "stylesheet of the primary colour (audited as part of every page)",
    "api:openapi": "the OpenAPI document (JSON; tests/participation/test_api.py validates it)",
    "api:collection": "JSON of the public API (tests/participation/test_api.py)",
    "api:item": "JSON of the public API, one item (tests/participation/test_api.py)",
    "opendata:file": "open-data downloads: CSV, ODS, JSON (tests/participation/test_api.py)",
}


def audited() -> dict[str, str]:
    """AUDITED and each installed feature's audited pages (tests/<name>/walks.py)."""
    return merged(AUDITED, lambda walks: walks.audited)


def exempt() -> dict[str, str]:
    return merged(EXEMPT, lambda walks: walks.exempt)
