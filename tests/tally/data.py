"""Where the real Pabulib elections live (../shared/pabulib next to the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

PABULIB = Path(__file__).resolve().parents[2] / ".." / "shared" / "pabulib"


def pabulib_files() -> list[Path]:
    return sorted(PABULIB.glob("*.pb")) if PABULIB.is_dir() else []


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path.name} is not in {PABULIB.resolve()} (real Pabulib data absent)")
    return path


needs_pabulib = pytest.mark.skipif(
    not PABULIB.is_dir(), reason=f"real Pabulib elections absent: {PABULIB} does not exist"
)
