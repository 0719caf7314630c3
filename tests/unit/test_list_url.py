"""The contacts list's address for a search and page (issue 11, bug 7)."""

from __future__ import annotations

import pytest

from pages.contacts_list import list_url


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
