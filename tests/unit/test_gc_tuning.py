"""Objects made before the app starts serving are frozen out of the collector's scans (pages/gc_tuning.py)."""

from __future__ import annotations

import gc
import weakref

from pages import gc_tuning

DEFAULT_THRESHOLDS = gc.get_threshold()


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
        gc.set_threshold(*DEFAULT_THRESHOLDS)


def test_a_burst_of_short_lived_containers_sets_off_no_collection() -> None:
    """What one edit on many pages allocates and drops (here 5,000 dicts kept alive at once) runs no collector pass."""
    passes: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            passes.append(info["generation"])

    try:
        gc_tuning.freeze_start_up_objects()
        gc.callbacks.append(count)
        burst = [{"element": number} for number in range(5_000)]
        assert len(burst) == 5_000
        del burst
        assert passes == [], f"collections during the burst: {passes}"
        # CPython's default threshold of 700 collects several times for the same burst.
        gc.set_threshold(*DEFAULT_THRESHOLDS)
        burst = [{"element": number} for number in range(5_000)]
        del burst
        assert passes, "the default threshold collects during such a burst"
    finally:
        if count in gc.callbacks:
            gc.callbacks.remove(count)
        gc.unfreeze()
        gc.set_threshold(*DEFAULT_THRESHOLDS)
