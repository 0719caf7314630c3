"""The garbage collector tuned for a process that holds many long-lived pages.

CPython's cyclic collector scans every tracked object of a generation when that generation is collected.
An app process holds ~200,000 objects from start-up (modules, NiceGUI, SQLAlchemy, pydantic) that live as
long as the process, and the full collections scanned them again and again: 25-30 % of the app's CPU for a
contact page, and a pause that grows with every open page (measured with `gc.callbacks`). Frozen after
start-up (`gc.freeze`, the documented remedy), they are left out of every later collection; what pages make
and drop is still collected as before.

The youngest generation is collected after 10,000 net allocations of tracked objects instead of CPython's 700.
An edit shown on a hundred open pages allocates tens of thousands of short-lived containers (render passes,
element dicts, socket.io packets); with 700, their collections and the older generations' passes they set
off took ~22 % of the app's CPU per edit (`gc.callbacks`: 44 of 195 ms at 100 pages on one contact), and a full
collection (every page's objects, ~0.3 s) came every few edits. Cycles still die within 10,000 allocations:
a few MiB at most waits for the collector.
"""

from __future__ import annotations

import gc

from nicegui import app

# (generation 0, 1, 2): see the module's docstring; generations 1 and 2 keep CPython's defaults.
THRESHOLDS = (10_000, 10, 10)


def freeze_start_up_objects() -> None:
    """Collect once, move what survived into the permanent generation, and collect young objects less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)


def install() -> None:
    """Freeze once the app has started (after the embedded server's start-up, which is itself a start-up task)."""
    app.on_startup(freeze_start_up_objects)
