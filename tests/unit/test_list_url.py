"""The contacts list's address for a search and page (issue 11, bug 7)."""

from __future__ import annotations

import pytest

from pages.contacts_list import aria_sort, list_url, next_sort


@pytest.mark.parametrize(
    ("query", "page", "url"),
    [
        ("", 1, "/contacts"),
        ("ada", 1, "/contacts?q=ada"),
        ("", 3, "/contacts?page=3"),
        ("ada lovelace", 2, "/contacts?q=ada+lovelace&page=2"),
        ("a&page=9#x", 1, "/contacts?q=a%26page%3D9%23x"),  # the query stays one parameter
    ],
)
def test_the_list_url_holds_query_and_page(query: str, page: int, url: str) -> None:
    assert list_url(query, page) == url


@pytest.mark.parametrize(
    ("sort", "labels", "page", "url"),
    [
        ("-last_activity_at", (), 1, "/contacts"),  # the server's own order needs no parameter
        ("name", (), 1, "/contacts?sort=name"),
        ("-created_at", ("vip",), 2, "/contacts?label=vip&sort=-created_at&page=2"),
        ("-name", ("vip", "a&b"), 1, "/contacts?label=vip&label=a%26b&sort=-name"),
    ],
)
def test_the_list_url_holds_sort_and_labels(sort: str, labels: tuple[str, ...], page: int, url: str) -> None:
    assert list_url("", page, sort, labels) == url


@pytest.mark.parametrize(
    ("current", "column", "sort", "state"),
    [
        ("-last_activity_at", "name", "name", "ascending"),  # a new column: its natural way first
        ("name", "name", "-name", "descending"),  # the same column again: the other way
        ("-name", "name", "name", "ascending"),
        ("name", "activity", "-last_activity_at", "descending"),
        ("-last_activity_at", "activity", "last_activity_at", "ascending"),
        ("name", "created", "-created_at", "descending"),
    ],
)
def test_a_header_click_sorts_its_way_then_the_other(current: str, column: str, sort: str, state: str) -> None:
    assert next_sort(current, column) == sort
    assert aria_sort(sort, column) == state
    assert aria_sort(sort, "phone") == "none"
