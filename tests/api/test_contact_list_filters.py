"""The contact list's label filter, its sort, and labels in a page (issue 12 item 3, issue 11).

Written from Chatwoot's ContactsController: `index` narrows its contacts with
`tagged_with(params[:labels], any: true)` when `labels` is present, `search` does not look at
labels, and `sort` is Sift's (`name`, `email`, `phone_number`, `last_activity_at`, `created_at`,
`-` for descending). Its contact partial has no `labels`: they come only as the
`include_labels=true` extension, never in plain mode.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.account_api import AccountApi
from tests.api.sample_data import unique_token
from tests.api.shapes import assert_contact_page
from tests.support.processes import RunningServer


def labelled(server: RunningServer, api: AccountApi, labels: list[str], **fields: Any) -> dict[str, Any]:
    contact = server.create_contact(**fields)
    if labels:
        answer = api.post(f"/contacts/{contact['id']}/labels", json={"labels": labels})
        assert answer.status_code == 200, answer.text
    return contact


def listed(api: AccountApi, **params: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    answer = api.get("/contacts", params=params)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return assert_contact_page(body, f"list {params!r}"), body["meta"]


def test_an_unknown_label_gives_an_empty_page(admin_api: AccountApi) -> None:
    payload, meta = listed(admin_api, **{"labels[]": f"nobody-has-{unique_token()}"})
    assert (payload, meta) == ([], {"count": 0, "current_page": 1})


def test_a_label_gives_only_the_contacts_having_it(server: RunningServer, admin_api: AccountApi) -> None:
    vip, other = f"vip-{unique_token()}", f"other-{unique_token()}"
    having = labelled(server, admin_api, [vip, other], name="Has it")
    labelled(server, admin_api, [other], name="Has another")
    labelled(server, admin_api, [], name="Has none")
    payload, meta = listed(admin_api, **{"labels[]": vip})
    assert [contact["id"] for contact in payload] == [having["id"]]
    assert meta == {"count": 1, "current_page": 1}


def test_two_labels_give_contacts_with_either_once(server: RunningServer, admin_api: AccountApi) -> None:
    first, second = f"first-{unique_token()}", f"second-{unique_token()}"
    only_first = labelled(server, admin_api, [first])
    only_second = labelled(server, admin_api, [second])
    both = labelled(server, admin_api, [first, second])
    labelled(server, admin_api, [f"third-{unique_token()}"])
    payload, meta = listed(admin_api, **{"labels[]": [first, second]})
    assert sorted(contact["id"] for contact in payload) == sorted([only_first["id"], only_second["id"], both["id"]])
    assert meta["count"] == 3


def test_a_label_matches_whatever_its_case(server: RunningServer, admin_api: AccountApi) -> None:
    label = f"case-{unique_token()}"
    having = labelled(server, admin_api, [label])
    payload, _ = listed(admin_api, **{"labels[]": label.upper()})
    assert [contact["id"] for contact in payload] == [having["id"]]


@pytest.mark.parametrize("label", ["", "   ", "a\x00b"], ids=["empty", "blank", "nul"])
def test_a_label_no_contact_can_have_gives_an_empty_page(admin_api: AccountApi, label: str) -> None:
    """Rails' `[""].present?` is true, and `tagged_with` of no tags finds nothing."""
    payload, meta = listed(admin_api, **{"labels[]": label})
    assert (payload, meta["count"]) == ([], 0)


def test_a_filtered_list_pages_and_sorts(server: RunningServer, admin_api: AccountApi) -> None:
    label = f"paged-{unique_token()}"
    names = [f"{letter} {label}" for letter in "QBMAZKDRHXCJPEWYNG"]  # 18: a full page and three more
    for name in names:
        labelled(server, admin_api, [label], name=name, email=f"{name[0].lower()}-{label}@example.com")
    by_name, meta = listed(admin_api, **{"labels[]": label, "sort": "name"})
    assert [contact["name"] for contact in by_name] == sorted(names)[:15]
    assert meta == {"count": 18, "current_page": 1}
    rest, meta = listed(admin_api, **{"labels[]": label, "sort": "name", "page": 2})
    assert [contact["name"] for contact in rest] == sorted(names)[15:]
    assert meta == {"count": 18, "current_page": 2}
    by_email_descending, _ = listed(admin_api, **{"labels[]": label, "sort": "-email"})
    assert [contact["name"] for contact in by_email_descending] == sorted(names, reverse=True)[:15]
    newest_first, _ = listed(admin_api, **{"labels[]": label, "sort": "-created_at"})
    oldest_first, _ = listed(admin_api, **{"labels[]": label, "sort": "created_at"})
    newest = [contact["created_at"] for contact in newest_first]
    oldest = [contact["created_at"] for contact in oldest_first]
    assert newest == sorted(newest, reverse=True)
    assert oldest == sorted(oldest)


def test_search_does_not_filter_by_label_as_in_chatwoot(server: RunningServer, admin_api: AccountApi) -> None:
    token = unique_token()
    labelled(server, admin_api, [f"vip-{token}"], name=f"Labelled {token}")
    labelled(server, admin_api, [], name=f"Unlabelled {token}")
    answer = admin_api.get("/contacts/search", params={"q": token, "labels[]": f"vip-{token}"})
    assert answer.status_code == 200, answer.text
    assert len(assert_contact_page(answer.json(), "search")) == 2


def test_labels_come_in_a_page_only_when_asked(server: RunningServer, admin_api: AccountApi) -> None:
    label = f"shown-{unique_token()}"
    having = labelled(server, admin_api, ["zeta", label, "alpha"])
    bare = labelled(server, admin_api, [], name=f"Bare {label}")
    payload, _ = listed(admin_api, **{"labels[]": label})
    assert "labels" not in payload[0], "Chatwoot's contact has no labels"
    answer = admin_api.get("/contacts", params={"labels[]": label, "include_labels": "true"})
    assert answer.json()["payload"][0]["labels"] == ["alpha", label, "zeta"]
    assert answer.json()["payload"][0]["id"] == having["id"]
    answer = admin_api.get("/contacts/search", params={"q": f"Bare {label}", "include_labels": "true"})
    assert [(contact["id"], contact["labels"]) for contact in answer.json()["payload"]] == [(bare["id"], [])]
    for value in ("false", "1", "yes", ""):
        answer = admin_api.get("/contacts", params={"labels[]": label, "include_labels": value})
        assert answer.status_code == 200, answer.text
        assert "labels" not in answer.json()["payload"][0], value


def test_plain_mode_filters_by_label_and_never_adds_labels(plain_api_server: RunningServer, http: httpx.Client) -> None:
    api = AccountApi.of(http, plain_api_server, "admin")
    label = f"plain-{unique_token()}"
    having = labelled(plain_api_server, api, [label])
    labelled(plain_api_server, api, [])
    answer = api.get("/contacts", params={"labels[]": label, "include_labels": "true"})
    assert answer.status_code == 200, answer.text
    payload = assert_contact_page(answer.json(), "plain list")
    assert [contact["id"] for contact in payload] == [having["id"]]
