"""What a page's head asks of the disk (issue #22 review): the calls templates/base.html makes
per render (`page_needs` on the content, `asset_url` of app.css and, on a page with a map over
tiles, of Leaflet's two files and static/js/place-map.js), counted with cProfile over 1,000
renders after a first one: `stat`/`lstat` calls and Python calls per render. Counts, not
times: they do not depend on the machine's load.

    .venv/bin/python bench/head_stat.py [TREE] [--map]

TREE: a copy of the repository to measure (`git archive main | tar -x -C /tmp/before`), the
repository itself by default."""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLAIN = '<p class="card">Un texte</p>'
MAP = '<figure class="report-map" data-tiles="https://tuiles.example/{z}/{x}/{y}.png"></figure>'
RENDERS = 1000
DISK = ("<built-in method posix.stat>", "<built-in method posix.lstat>")


def main(tree: Path, with_map: bool) -> None:
    sys.path.insert(0, str(tree))
    from participation import assets

    content = MAP if with_map else PLAIN

    def head() -> list[str]:
        needs = assets.needs(content)
        urls = [assets.asset_url("css/app.css")]
        if getattr(needs, "leaflet", False):
            files = ("vendor/leaflet.css", "vendor/leaflet.js", "js/place-map.js")
            urls += [assets.asset_url(path) for path in files]
        return urls

    head()  # the first render reads the files
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(RENDERS):
        head()
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    disk = sum(v[1] for k, v in stats.items() if k[2] in DISK)
    calls = sum(v[1] for v in stats.values())
    print(f"{tree}: {disk / RENDERS:.1f} stat/lstat, {calls / RENDERS:.1f} Python calls per render")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", nargs="?", type=Path, default=ROOT)
    parser.add_argument("--map", action="store_true", help="a page with a map over tiles")
    args = parser.parse_args()
    main(args.tree.resolve(), args.map)
