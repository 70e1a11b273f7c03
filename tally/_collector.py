"""The cyclic garbage collector, paused while the engine builds objects that form no cycle.

Reading a file or tallying makes tens of thousands of tuples and lists, none in a cycle; every
700 of them would start a collection that walks the young ones still alive, and now and then
all of them (40 % of reading Wrocław 2015, 5 to 8 % of a tally; issue #23). Reference counting
still frees everything as usual; the collector's state is restored after.

When the pause ends, the objects it made that are still alive (the election read, the
outcome) would be walked once more by the first young collection, which the first allocation
after it starts (3.7 M instructions of the 113 M of reading and tallying Toulouse 2022; issue
#23). They are handed to the oldest generation instead, without a walk: the pause starts with a
collection of the young generations (what was made before it is collected, or kept in the
oldest generation, as by any young collection), so that when it ends they hold only what it made;
`gc.freeze()` then moves every tracked object to the permanent generation and zeroes the young
count, and `gc.unfreeze()` at once moves them all to the oldest one. Both only splice lists.
Nothing stays frozen: what the pause made is still freed by reference counting as before, and a
cycle among it (none is made) by the next full collection rather than a young one.

A process that froze objects itself (the web process, participation/asgi.py; the test
processes, tests/heap.py), before the pause or during it (another thread), would see them
unfrozen too: there the collector is only resumed.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_FROZE = [False]  # this process froze objects (the web and test processes): seen once, kept


def _nothing_frozen() -> bool:
    """Whether no object is frozen. `gc.get_freeze_count()` walks every frozen object (hundreds
    of thousands in a process that froze its imports: 11 ms a call), so it is asked only until
    it says some are: such a process never hands over, as it never did."""
    if _FROZE[0]:
        return False
    if gc.get_freeze_count():
        _FROZE[0] = True
        return False
    return True


@contextmanager
def paused() -> Iterator[None]:
    collecting = gc.isenabled()
    # the outermost pause of a process that froze nothing hands its objects over when it ends
    hand_over = collecting and _nothing_frozen()
    if hand_over:
        gc.collect(1)  # the young objects made before: collected or kept as usual
    gc.disable()
    try:
        yield
    finally:
        if collecting:  # the outermost pause: nested ones leave the collector to it
            # the young generations hold only what the pause made; unless something froze
            # objects meanwhile (another thread): unfreezing would release theirs too
            if hand_over and _nothing_frozen():
                gc.freeze()
                gc.unfreeze()
            gc.enable()
