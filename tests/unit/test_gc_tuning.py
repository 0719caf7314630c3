"""Objects made before the app starts serving are frozen out of the collector's scans (pages/gc_tuning.py)."""

from __future__ import annotations

import gc
import weakref

from pages import gc_tuning


def test_freezing_moves_what_exists_into_the_permanent_generation_and_leaves_later_objects_collectable() -> None:
    try:
        gc_tuning.freeze_start_up_objects()
        frozen = gc.get_freeze_count()
        assert frozen > 1000, "the interpreter's and the app's modules, at the least"
        assert all(not gc.get_objects(generation) for generation in (1, 2)), "nothing is left to scan again"

        class Cycle:
            def __init__(self) -> None:
                self.me = self

        made = Cycle()
        assert gc.is_tracked(made) and any(obj is made for obj in gc.get_objects(0))
        gone = weakref.ref(made)
        del made
        assert gone() is not None, "a cycle outlives its last name until the collector runs"
        gc.collect()
        assert gone() is None, "a cycle made after freezing is still collected"
    finally:
        gc.unfreeze()
