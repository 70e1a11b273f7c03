"""The signed-in pages' bytes, to compare two trees (issue #23: "pages unchanged").

    .venv/bin/python bench/page_bytes.py dump OUT [--database sqlite|postgres://...]
        [--viewer plain|demo] [--redis redis://127.0.0.1:6379/6]
    .venv/bin/python bench/page_bytes.py compare OUT_A OUT_B

`dump` loads the demo town as bench/request_cpu.py does (the same pages, the same resident, 50
comments on the most commented proposal), asks each page three times (rendered, then served
from what is kept) and a few lists once, and writes each answer's body to OUT. Run it from
each tree (main's `git archive` with its root first on `sys.path`, then a branch), then
`compare`: the bodies must be equal once what differs from one demo town to the next is
masked (a picture's random id, times written at loading).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
from pathlib import Path

import httpx
from request_cpu import PAGES, bench_settings, prepare

from participation.app import create_app

LISTS = ["/proposals?sort=new", "/proposals?page=2", "/budgets", "/consultations", "/spaces"]
# a picture's id (random per loading), a time (the demo's dates are relative to its loading)
_MASKS = [
    (re.compile(rb"/images/[A-Za-z0-9_-]{22}/"), b"/images/X/"),
    (re.compile(rb'datetime="[^"]*"'), b'datetime=""'),
    (re.compile(rb"[0-9]{1,2}(:|[^0-9<]{1,8}h[^0-9<]{1,8})[0-9]{2}"), b"T"),
]


async def _bodies(args: argparse.Namespace) -> dict[str, bytes]:
    bodies: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as data_dir:
        settings = bench_settings(args.database, data_dir, args.redis)
        paths = await prepare(settings, 50, args.viewer)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                c.cookies.update({"participation_session": paths["cookie"]})
                for page in PAGES:
                    for i in range(3):  # rendered, then kept
                        if paths.get(page):
                            bodies[f"{page}.{i}.html"] = (await c.get(paths[page])).content
                for path in LISTS:
                    name = re.sub(r"[/?&=]", "_", path)
                    bodies[f"list{name}.html"] = (await c.get(path)).content
    return bodies


def _masked(body: bytes) -> bytes:
    for pattern, replacement in _MASKS:
        body = pattern.sub(replacement, body)
    return body


def _compare(a: Path, b: Path) -> int:
    different = 0
    for file in sorted(a.iterdir()):
        other = b / file.name
        same = other.exists() and _masked(file.read_bytes()) == _masked(other.read_bytes())
        print(f"{'same' if same else 'DIFFERENT'} {file.name}")
        different += not same
    return different


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("dump", "compare"))
    parser.add_argument("out", nargs="+")
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--viewer", choices=("demo", "plain"), default="plain")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6")
    args = parser.parse_args()
    if args.action == "dump":
        out = Path(args.out[0])
        out.mkdir(parents=True, exist_ok=True)
        for name, body in asyncio.run(_bodies(args)).items():
            (out / name).write_bytes(body)
    else:
        sys.exit(1 if _compare(Path(args.out[0]), Path(args.out[1])) else 0)


if __name__ == "__main__":
    main()
