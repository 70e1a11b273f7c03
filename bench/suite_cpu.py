"""Where a command's CPU goes, process by process: the test suite's length (a CPU-bound run on
two cores ends when its CPU is spent), or any other command.

    .venv/bin/python bench/suite_cpu.py [--every 1] [--out FILE] -- make test-passes

Runs the command and, every `--every` seconds until it ends, reads every process of the machine
from /proc (its CPU time so far, its command line, its folder); then prints the command's wall
time, the machine's busy CPU over that time (/proc/stat: whatever ran, the command's or not),
and the CPU of each group of processes (the pytest passes, Chromium by kind of process, the live
servers, PostgreSQL's backends, the rest by name), largest first. Processes that were already
running count only what they spent during the command.

Why not `time`: a command's rusage counts only the children it waited for. Chromium's
processes were not among them: `/usr/bin/time make test-browser` said 389 s of CPU when its
Chromium alone had spent ~630 s (docs/performance.md, "The test suite's length, eighth round").
A process that lives less than `--every` seconds is missed (its parent's rusage may count it).
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def busy_ticks() -> int:
    """The machine's busy CPU so far (every CPU): /proc/stat's first line but idle and iowait."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields) - fields[3] - fields[4]


def group_of(pid: int, name: str) -> str:
    """A name for what the process is, fit to add up: the same group for every process of a
    kind (the 120 forks of the live servers' zygote, the renderers of Chromium)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        command = ""
    if name.startswith("postgres"):
        words = command.split()
        return "postgres " + (" ".join(words[1:3]) if len(words) > 2 else "server")
    if "chrom" in name or "headless" in name:
        kind = next((w[7:] for w in command.split() if w.startswith("--type=")), "browser")
        return f"chromium {kind}"
    if "pytest" in command:
        return "pytest -m browser" if "-m browser" in command else "pytest (SQLite or PostgreSQL)"
    if "tests.browser.zygote" in command:
        return "live servers (the zygote and its forks)"
    return name


def sample(seen: dict[int, list], baseline: dict[int, float] | None) -> None:
    """Record every process's CPU so far; on the first pass (`baseline`), what it had already
    spent before the command began."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.find("(") + 1 : stat.rfind(")")]
        fields = stat[stat.rfind(")") + 2 :].split()
        cpu = (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime
        if baseline is not None:
            baseline[pid] = cpu
        if pid in seen:
            seen[pid][1] = max(seen[pid][1], cpu)
        else:
            seen[pid] = [group_of(pid, name), cpu]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--every", type=float, default=1.0, help="seconds between samples")
    parser.add_argument("--out", help="also write the table to this file")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command")
    options = parser.parse_args()
    command = options.command[1:] if options.command[:1] == ["--"] else options.command
    if not command:
        parser.error("give the command after --")
    seen: dict[int, list] = {}
    baseline: dict[int, float] = {}
    sample(seen, baseline)
    busy_before, started = busy_ticks(), time.monotonic()
    process = subprocess.Popen(command)
    while process.poll() is None:
        time.sleep(options.every)
        sample(seen, None)
    wall = time.monotonic() - started
    busy = (busy_ticks() - busy_before) / TICKS
    spent: collections.Counter[str] = collections.Counter()
    count: collections.Counter[str] = collections.Counter()
    for pid, (group, cpu) in seen.items():
        if cpu - baseline.get(pid, 0.0) > 0:
            spent[group] += cpu - baseline.get(pid, 0.0)
            count[group] += 1
    lines = [
        f"command: {' '.join(command).replace(chr(10), ' ')[:100]} (exit {process.returncode})",
        f"wall {wall:.0f} s; the machine's busy CPU {busy:.0f} s "
        f"({busy / wall / os.cpu_count() * 100:.0f} % of {os.cpu_count()} cores)",
        "   CPU s  processes  group",
    ]
    lines += [f"{cpu:8.1f}  {count[group]:9d}  {group}" for group, cpu in spent.most_common(25)]
    print("\n".join(lines))
    if options.out:
        Path(options.out).write_text("\n".join(lines) + "\n")
    sys.exit(process.returncode)


if __name__ == "__main__":
    main()
