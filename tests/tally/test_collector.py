"""The collector paused while reading and tallying (`tally._collector`): what it leaves behind.

A long-lived process (the worker) reads and tallies again and again: nothing may stay frozen or
uncollectable after a read or a tally, and its collector must be on as before.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
from pathlib import Path

from tally import pabulib, tally
from tally._collector import paused

ROOT = Path(__file__).resolve().parents[2]

FILE = """META
key;value
budget;100
vote_type;approval
PROJECTS
project_id;cost
1;60
2;50
3;40
VOTES
voter_id;vote
a;1,2
b;2,3
c;1
d;3
"""

# run in a process of its own: the test process froze its start-up objects (tests/heap.py),
# as the web process does (participation/asgi.py), and a pause then only resumes the collector;
# the worker and `participation tally` freeze nothing
CHILD = """
import gc, weakref
from tally import pabulib, tally
from tally._collector import paused
FILE = {file!r}


class Node:
    other = None


def cycle():
    first, second = Node(), Node()
    first.other, second.other = second, first
    return weakref.ref(first)


assert gc.isenabled() and gc.get_freeze_count() == 0
for _ in range(3):  # a long-lived process: nothing stays frozen, the collector stays on
    tally(pabulib.loads(FILE), "equal-shares", completion="add1")
    assert gc.get_freeze_count() == 0 and gc.isenabled()

# what is alive when the pause ends is in the oldest generation: no young collection (every
# 700 allocations) walks it; reference counting still frees it
gc.collect()
election = pabulib.loads(FILE)
project = election.projects[0]
assert not any(project is young for young in gc.get_objects(generation=0))
assert any(project is old for old in gc.get_objects(generation=2))
freed = weakref.ref(project)
del election, project
assert freed() is None

# a cycle made before a pause is collected when it starts, as by a young collection; one made
# during it (the engine makes none) and one after are collected by the next full collection
before = cycle()
with paused():
    assert before() is None
    during = cycle()
    election = pabulib.loads(FILE)
tally(election, "greedy")
after = cycle()
assert during() is not None and after() is not None
gc.collect()
assert during() is None and after() is None
print("ok")
"""


def _passes_in_a_child(source: str) -> None:
    """Run `source` in a new Python process (its collector and freeze count its own) and
    expect it to print "ok"."""
    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(source)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout == "ok\n"


def test_a_process_that_reads_and_tallies_keeps_everything_collectable() -> None:
    _passes_in_a_child(CHILD.format(file=FILE))


def test_objects_frozen_by_someone_else_stay_frozen() -> None:
    # this process froze its objects (tests/heap.py), as the web process does: a pause must
    # not release them (unfreezing moves every frozen object back to the walked generations)
    marker = type("Marker", (), {})()
    gc.freeze()  # what lives now stays frozen in this process anyway
    tally(pabulib.loads(FILE), "greedy")
    assert gc.get_freeze_count() > 0
    assert not any(marker is walked for walked in gc.get_objects(generation=2))


def test_a_nested_pause_leaves_the_collector_to_the_outer_one() -> None:
    was = gc.isenabled()
    gc.enable()
    try:
        with paused():
            with paused():
                pass
            assert not gc.isenabled()
        assert gc.isenabled()
    finally:
        if not was:
            gc.disable()


# a process that froze nothing when the pause began, and froze its objects meanwhile (another
# thread: a server's start-up freeze, participation/asgi.py); and a pause that raises
FROZEN_DURING = """
import gc, threading
from tally._collector import paused

class Marker:
    pass


assert gc.isenabled() and gc.get_freeze_count() == 0
marker = Marker()
with paused():
    thread = threading.Thread(target=gc.freeze)
    thread.start()
    thread.join()
assert gc.get_freeze_count() > 0
assert not any(marker is walked for walked in gc.get_objects()), "the pause unfroze it"
assert gc.isenabled()
gc.unfreeze()

try:
    with paused():
        raise KeyError("the engine failed")
except KeyError:
    pass
assert gc.isenabled() and gc.get_freeze_count() == 0
print("ok")
"""


def test_a_pause_leaves_frozen_what_was_frozen_during_it() -> None:
    _passes_in_a_child(FROZEN_DURING)


# `gc.get_freeze_count()` walks every frozen object: in a process that froze its imports (the
# web and test processes) each pause asked it twice, 11 ms a call, and reading a small file
# took 20 ms more than the file (the Pabulib tests: 3 minutes more)
ASKED_ONCE = """
import gc
from tally._collector import paused

asked = []
count = gc.get_freeze_count
gc.get_freeze_count = lambda: asked.append(1) or count()
kept = [[n] for n in range(1000)]
gc.freeze()
for _ in range(50):
    with paused():
        made = [[n] for n in range(100)]
assert len(asked) == 1, len(asked)
assert gc.isenabled() and count() > 0  # never handed over: still frozen
print("ok")
"""


def test_a_process_that_froze_objects_is_not_walked_at_each_pause() -> None:
    _passes_in_a_child(ASKED_ONCE)
