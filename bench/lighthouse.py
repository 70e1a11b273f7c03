"""Lighthouse scores of the demo town (issue #22): the home, the proposals' list, a proposal,
the ballot, a budget's results and a consultation, mobile profile (Lighthouse's default: a
mid-range phone on a slow 4G, simulated), and what each page weighs on first load.

    .venv/bin/python bench/lighthouse.py [--runs 3] [--keep DIR] [--pages home,ballot]

migrates a fresh SQLite data dir, loads the demo town and serves it (bench/_common.py
`demo_town`), then runs the npm package `lighthouse` (LIGHTHOUSE, 12.x, through `npx --yes`:
fetched into npm's cache on first use, never part of `make install`) with Debian's Chromium
(/usr/bin/chromium). The ballot is read by the demo resident (habitante@demo.villebelle.fr,
participation/demo.py), signed in: her session cookie goes with Lighthouse's requests. Pages are
read in French (Accept-Language).

Prints, per page, the four scores (0-100; with --runs N the median of N runs), the bytes
transferred on first load for HTML + CSS + JS (images and fonts aside; target < 100 kB: as
`participation serve` sends them, uncompressed, and gzipped as Caddy sends them) and
every audit of accessibility, best practices and SEO that does not pass. Figures go into
docs/performance.md ("Lighthouse"). Not part of `make test`: a score depends on the machine.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
from _common import demo_town

from participation.demo import DEMO_ACCOUNTS

LIGHTHOUSE = os.environ.get("LIGHTHOUSE", "lighthouse@12.8.2")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
# what "first load" counts: the page, its stylesheets and scripts (Lighthouse's resource types)
WEIGHED = {"Document", "Stylesheet", "Script"}
WEIGHT_BUDGET = 100_000
LANGUAGE = "fr-FR,fr;q=0.9"


def first_link(client: httpx.Client, page: str, pattern: str) -> str:
    """The first address matching `pattern` among the links of `page`."""
    found = re.search(f'href="({pattern})"', client.get(page).text)
    if found is None:
        raise RuntimeError(f"no link matching {pattern} on {page}")
    return found.group(1)


def first_link_among(client: httpx.Client, pages: list[str], pattern: str) -> str:
    for page in pages:
        found = re.search(f'href="({pattern})"', client.get(page).text)
        if found is not None:
            return found.group(1)
    raise RuntimeError(f"no link matching {pattern} on {pages}")


def signed_in(base: str, email: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, headers={"Accept-Language": LANGUAGE})
    form = client.get("/account/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "no CSRF token on the log-in page"
    answer = client.post(
        "/account/login",
        data={"csrf_token": token.group(1), "email": email, "password": password, "next": "/"},
    )
    assert answer.status_code == 303 and "login" not in answer.headers["location"], answer
    return client


def pages_of(base: str) -> tuple[list[tuple[str, str]], str]:
    """(name, address) of the pages measured, and the resident's session cookie."""
    visitor = httpx.Client(base_url=base, headers={"Accept-Language": LANGUAGE})
    email, _name, _role, password = DEMO_ACCOUNTS[0]  # the resident
    resident = signed_in(base, email, password)
    budgets = re.findall(r'href="(/budgets/\d+)"', visitor.get("/budgets").text)
    pages = [
        ("home", "/"),
        ("proposals", "/proposals"),
        ("proposal", first_link(visitor, "/proposals", r"/proposals/\d+")),
        ("ballot", first_link_among(resident, budgets, r"/budgets/\d+/ballot")),
        ("results", first_link_among(visitor, budgets, r"/budgets/\d+/results")),
        ("consultation", first_link(visitor, "/consultations", r"/consultations/\d+")),
    ]
    cookie = "; ".join(f"{k}={v}" for k, v in resident.cookies.items())
    return pages, cookie


def lighthouse(url: str, headers: dict[str, str], report: Path) -> dict[str, Any]:
    command = [
        "npx",
        "--yes",
        LIGHTHOUSE,
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-path={CHROMIUM}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --lang=fr-FR",
        f"--extra-headers={json.dumps(headers)}",
    ]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return dict(json.loads(report.read_text()))


def weight(result: dict[str, Any]) -> int:
    """Bytes transferred for the page, its CSS and its JS (Lighthouse's network requests)."""
    items = result["audits"]["network-requests"]["details"]["items"]
    return sum(int(i.get("transferSize") or 0) for i in items if i.get("resourceType") in WEIGHED)


def weight_compressed(result: dict[str, Any], headers: dict[str, str]) -> int:
    """The same resources gzipped (level 6), as Caddy sends them in production
    (deploy/Caddyfile `encode zstd gzip`; `participation serve` itself does not compress)."""
    items = result["audits"]["network-requests"]["details"]["items"]
    urls = [i["url"] for i in items if i.get("resourceType") in WEIGHED]
    return sum(len(gzip.compress(httpx.get(url, headers=headers).content, 6)) for url in urls)


def failing(result: dict[str, Any]) -> list[str]:
    """The audits of accessibility, best practices and SEO that do not pass (weight > 0)."""
    out = []
    for category in CATEGORIES[1:]:
        for ref in result["categories"][category]["auditRefs"]:
            audit = result["audits"][ref["id"]]
            if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
                out.append(f"{category}: {ref['id']} ({audit['title']})")
    return out


def main(runs: int, keep: Path | None, only: list[str]) -> int:
    data_dir = Path(tempfile.mkdtemp(prefix="lighthouse-"))
    reports = keep or data_dir / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        with demo_town(data_dir / "town") as base:
            pages, cookie = pages_of(base)
            unknown = set(only) - {name for name, _path in pages}
            if unknown:
                raise SystemExit(f"no such page: {', '.join(sorted(unknown))}")
            for name, path in pages:
                if only and name not in only:
                    continue
                headers = {"Accept-Language": LANGUAGE}
                if name == "ballot":
                    headers["Cookie"] = cookie
                results = [
                    lighthouse(base + path, headers, reports / f"{name}-{run}.json")
                    for run in range(runs)
                ]
                scores = [
                    round(100 * statistics.median(r["categories"][c]["score"] for r in results))
                    for c in CATEGORIES
                ]
                kilobytes = weight(results[0]) / 1000
                compressed = weight_compressed(results[0], headers) / 1000
                rows.append((name, path, scores, kilobytes, compressed))
                print(
                    f"{name:13} {path:28} "
                    + "  ".join(f"{c[:4]} {s:3}" for c, s in zip(CATEGORIES, scores, strict=True))
                    + f"  HTML+CSS+JS {kilobytes:5.1f} kB ({compressed:4.1f} kB gzipped)",
                    flush=True,
                )
                for problem in sorted({p for r in results for p in failing(r)}):
                    print(f"    {problem}")
    finally:
        if keep is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    print()
    print(
        "| page | address | performance | accessibility | best practices | SEO "
        "| HTML+CSS+JS as served | gzipped (Caddy) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, path, scores, kilobytes, compressed in rows:
        cells = " | ".join(str(s) for s in scores)
        print(f"| {name} | `{path}` | {cells} | {kilobytes:.1f} kB | {compressed:.1f} kB |")
    heavy = [name for name, _p, _s, kilobytes, _c in rows if kilobytes * 1000 >= WEIGHT_BUDGET]
    print(f"pages of {WEIGHT_BUDGET // 1000} kB or more: {', '.join(heavy) or 'none'}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="runs per page (median)")
    parser.add_argument("--keep", type=Path, help="keep Lighthouse's JSON reports in this folder")
    parser.add_argument(
        "--pages",
        default="",
        help="only these pages (home,proposals,proposal,ballot,results,consultation): a page "
        "measured again, when its performance dipped while the machine was busy",
    )
    args = parser.parse_args()
    sys.exit(main(args.runs, args.keep, [p for p in args.pages.split(",") if p]))
