"""`ContactStore.shared_result`: what an agent's pages on one contact work out alike is computed once per change."""

from __future__ import annotations

from state.store import ContactStore


class Counted:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> list[str]:
        self.calls += 1
        return [f"entry {self.calls}"]


def test_the_same_inputs_reuse_the_result_and_a_changed_input_computes_it_again() -> None:
    store = ContactStore()
    compute = Counted()
    events = ["created"]
    first = store.shared_result(7, ("timeline", "en"), (events, 100), compute)
    again = store.shared_result(7, ("timeline", "en"), (events, 100), compute)
    assert again is first and compute.calls == 1, "a second page on the contact reuses the first page's work"

    assert store.shared_result(7, ("timeline", "en"), (list(events), 100), compute) is first, "an equal new list"
    assert compute.calls == 1

    changed = store.shared_result(7, ("timeline", "en"), (["created", "updated"], 100), compute)
    assert changed == ["entry 2"] and compute.calls == 2
    assert store.shared_result(7, ("timeline", "en"), (["created", "updated"], 101), compute) == ["entry 3"]


def test_results_are_kept_per_contact_and_key_and_forgotten_with_the_contacts_last_page() -> None:
    store = ContactStore()
    compute = Counted()
    closes = [store.subscribe(7, lambda: None), store.subscribe(7, lambda: None)]
    english = store.shared_result(7, ("timeline", "en"), ("trail",), compute)
    arabic = store.shared_result(7, ("timeline", "ar"), ("trail",), compute)
    other = store.shared_result(8, ("timeline", "en"), ("trail",), compute)
    assert (english, arabic, other) == (["entry 1"], ["entry 2"], ["entry 3"])

    closes[0]()
    assert store.shared_result(7, ("timeline", "en"), ("trail",), compute) is english, "one page is still open"
    closes[1]()
    assert store.shared_result(7, ("timeline", "en"), ("trail",), compute) == ["entry 4"], "forgotten, so made again"
