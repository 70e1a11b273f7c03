"""The project's own Python source, for the tests that read code as text."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIBRARIES = ("tally",)  # first-party packages that are neither the core nor a feature


def source_files(migrations: bool = True) -> list[Path]:
    """Every module of the core, of the installed features and of the libraries; without the
    migrations if `migrations` is false."""
    from participation import features

    tops = {"participation", *LIBRARIES} | {f.package.split(".")[0] for f in features.FEATURES}
    return [
        path
        for top in sorted(tops)
        for path in sorted((ROOT / top).rglob("*.py"))
        if migrations or "migrations" not in path.relative_to(ROOT).parts
    ]
