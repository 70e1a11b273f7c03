"""The cyclic garbage collector, paused while the engine builds objects that form no cycle.

Reading a file or tallying makes tens of thousands of tuples and lists, none in a cycle; every
700 of them would start a collection that walks the young ones still alive, and now and then
all of them (40 % of reading Wrocław 2015, 5 to 8 % of a tally; issue #23). Reference counting
still frees everything as usual; the collector's state is restored after.
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
        if collecting:
            gc.enable()
