"""bench/suite_cpu.py counts the CPU of processes its command's own rusage would not: a
grandchild that its parent never waits for (as Chromium's processes were for the browser
pass). The figures of docs/performance.md's suite rounds are only as true as this count."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# a child that starts a grandchild spending about 1.5 s of CPU, detached (never waited for),
# then waits for it by polling /proc, as a browser's driver outlives its renderers
SPIN = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c",
    "import time\\nend = time.process_time() + 1.5\\nwhile time.process_time() < end: pass"],
    start_new_session=True)
state = lambda: open(f"/proc/{child.pid}/stat").read().rsplit(")", 1)[1].split()[0]
while state() != "Z":
    time.sleep(0.05)
"""


def test_the_cpu_of_a_grandchild_nobody_waited_for_is_counted(tmp_path: Path) -> None:
    out = tmp_path / "cpu.txt"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "suite_cpu.py"),
            "--every",
            "0.1",
            "--out",
            str(out),
            "--",
            sys.executable,
            "-c",
            SPIN,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == out.read_text()
    rows = [re.match(r"\s*([\d.]+)\s+\d+\s+(.+)", line) for line in out.read_text().splitlines()]
    groups = {row[2]: float(row[1]) for row in rows if row}
    python = max(cpu for group, cpu in groups.items() if group.startswith("python"))
    # the grandchild's 1.5 s, less at most a sampling interval's share
    assert python >= 1.2, groups
