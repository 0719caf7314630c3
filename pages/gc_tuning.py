"""The garbage collector tuned for a process that holds many long-lived pages.

CPython's cyclic collector scans every tracked object of a generation when that generation is collected.
An app process holds ~200,000 objects from start-up (modules, NiceGUI, SQLAlchemy, pydantic) that live as
long as the process, and the full collections scanned them again and again: 25-30 % of the app's CPU for a
contact page, and a pause that grows with every open page (measured with `gc.callbacks`). Frozen after
start-up (`gc.freeze`, the documented remedy), they are left out of every later collection; what pages make
and drop is still collected as before.
"""

from __future__ import annotations

import gc

from nicegui import app


def freeze_start_up_objects() -> None:
    """Collect once, then move every object that survived into the permanent generation."""
    gc.collect()
    gc.freeze()


def install() -> None:
    """Freeze once the app has started (after the embedded server's start-up, which is itself a start-up task)."""
    app.on_startup(freeze_start_up_objects)
