"""The cyclic garbage collector, paused while the engine builds objects that form no cycle.

Reading a file or tallying makes tens of thousands of tuples and lists, none in a cycle; every
700 of them would start a collection that walks the young ones still alive, and now and then
all of them (40 % of reading Wrocław 2015, 5 to 8 % of a tally; issue #23). Reference counting
still frees everything as usual; the collector's state is restored after.

When the pause ends, the objects still alive (the election read, the outcome) would be walked
once more by the first young collection, which the first allocation after it starts (3.7 M
instructions of the 113 M of reading and tallying Toulouse 2022). They are handed to the oldest
generation instead, without a walk: `gc.freeze()` moves every tracked object to the permanent
generation and zeroes the young count, `gc.unfreeze()` at once moves them all to the oldest
generation. Both only splice lists. Nothing stays frozen: the objects remain collectable, by
reference counting as before and, for a cycle among them or among the young objects alive
before the pause, by the next full collection rather than a young one. When something else
froze objects (`gc.get_freeze_count()` not 0, a forking server's pre-fork freeze), unfreezing
would release them too: the collector is then only resumed, as before.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:  # the outermost pause: nested ones leave the collector to it
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()
