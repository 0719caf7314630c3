"""bench/scale.py's deep list page: page 500, or the last page where there are fewer (never an empty page)."""

from __future__ import annotations

from bench.scale import deep_page


def test_the_deep_page_is_500_or_the_last_page_with_contacts() -> None:
    assert deep_page({"matches": 1_200}) == 80  # 1,000 bulk contacts and the demo's: 80 pages of 15
    assert deep_page({"matches": 7_501}) == 500
    assert deep_page({"matches": 7_500}) == 500  # exactly 500 full pages
    assert deep_page({"matches": 7_499}) == 500
    assert deep_page({"matches": 7_484}) == 499
    assert deep_page({"matches": 10}) == 1
    assert deep_page({}) == 500, "no count told (capped or absent): page 500"
