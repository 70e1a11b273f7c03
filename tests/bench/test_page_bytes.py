"""bench/page_bytes.py's comparison: what differs from one demo town to the next (a picture's
random id, a time written at loading) is masked, nothing else (docs/performance.md's "pages
unchanged" checks are only as true as this)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = (
    '<img src="/images/{id}/400"> <time datetime="{at}">08/12/2026 {hm}</time>'
    "<p>Vote jusqu’au 2 janvier 2027, {h}\u202fh\u202f35</p><p>{text}</p>"
)


def _compare(tmp_path: Path, a: str, b: str) -> subprocess.CompletedProcess[str]:
    for name, body in (("a", a), ("b", b)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "page.html").write_text(body, "utf-8")
    return subprocess.run(
        [sys.executable, "bench/page_bytes.py", "compare", tmp_path / "a", tmp_path / "b"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_two_demo_towns_pages_compare_equal(tmp_path: Path) -> None:
    a = PAGE.format(
        id="N6ml9ZF8qO44BSRXnTKg7Q", at="2026-12-08T00:35:34", hm="01:35", h=1, text="x"
    )
    b = PAGE.format(
        id="yFwxP3QbtRwW48D4aAP1Uw", at="2026-12-08T00:37:46", hm="01:37", h=2, text="x"
    )
    done = _compare(tmp_path, a, b)
    assert done.returncode == 0, done.stdout
    assert done.stdout == "same page.html\n"


def test_a_page_that_changed_compares_different(tmp_path: Path) -> None:
    a = PAGE.format(id="N6ml9ZF8qO44BSRXnTKg7Q", at="t", hm="01:35", h=1, text="x")
    b = PAGE.format(id="N6ml9ZF8qO44BSRXnTKg7Q", at="t", hm="01:35", h=1, text="x ")
    done = _compare(tmp_path, a, b)
    assert done.returncode == 1
    assert done.stdout == "DIFFERENT page.html\n"
