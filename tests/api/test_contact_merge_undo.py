"""Merging with the agent's choice per field, and undoing a merge within 30 seconds (issue 15), over HTTP.

An undo must give back both contacts exactly: every column of both rows, their ids, labels, which conversations,
notes and inbox links were whose, the activity trails and the mergee's picture; checked here row by row in the
database. Bad input (a contact merged into itself, across accounts, unknown choices, an undo too late, twice, by
another account, or after the base changed) is refused with a clear error and changes nothing.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from api.protocol import EXTENSIONS_HEADER, MERGE_UNDO_HEADER, MERGE_UNDO_SECONDS, MERGE_UNDO_UNTIL_HEADER
from server import contract
from tests.api.account_api import AccountApi
from tests.api.account_events import account_events
from tests.api.sample_data import give_conversations, unique_email, unique_phone
from tests.api.shapes import assert_contact, assert_shape, error_body, invalid_fields
from tests.api.test_chatwoot_avatar import picture
from tests.api.test_integrity import run_sql
from tests.support.processes import RunningServer

NOT_FOUND = {"error": "Resource could not be found"}


def new_contact(api: AccountApi, **fields: Any) -> dict[str, Any]:
    fields.setdefault("email", unique_email("merge"))
    answer = api.post("/contacts", json=fields)
    assert answer.status_code == 200, answer.text
    contact: dict[str, Any] = answer.json()["payload"]["contact"]
    return contact


def merge(api: AccountApi, base_id: int, mergee_id: int, **extra: Any) -> httpx.Response:
    return api.post(
        "/actions/contact_merge", json={"base_contact_id": base_id, "mergee_contact_id": mergee_id, **extra}
    )


def merged(answer: httpx.Response) -> tuple[dict[str, Any], int]:
    """The merge's answer (a bare contact) and the id of the merge to undo."""
    assert answer.status_code == 200, answer.text
    assert_contact(answer.json(), "merge (bare)")
    return answer.json(), int(answer.headers[MERGE_UNDO_HEADER])


def rows(server: RunningServer, sql: str, ids: list[int]) -> list[tuple[Any, ...]]:
    return run_sql(server.database_url, sql.replace(":ids", ", ".join(str(int(i)) for i in ids)))


# Every row of a contact, every column, table by table (the conversations: whose they are).
STATE_QUERIES = {
    "contacts": "SELECT * FROM contacts WHERE id IN (:ids) ORDER BY id",
    "labels": "SELECT * FROM contact_labels WHERE contact_id IN (:ids) ORDER BY contact_id, title",
    "conversations": "SELECT id, contact_id FROM conversations WHERE contact_id IN (:ids) ORDER BY id",
    "notes": "SELECT * FROM notes WHERE contact_id IN (:ids) ORDER BY id",
    "inboxes": "SELECT * FROM contact_inboxes WHERE contact_id IN (:ids) ORDER BY id",
    "events": "SELECT * FROM contact_events WHERE contact_id IN (:ids) ORDER BY id",
    "avatars": "SELECT * FROM contact_avatars WHERE contact_id IN (:ids) ORDER BY contact_id",
}


def stored_state(server: RunningServer, ids: list[int]) -> dict[str, list[tuple[Any, ...]]]:
    """Everything of these contacts in the database, row by row."""
    return {table: rows(server, sql, ids) for table, sql in STATE_QUERIES.items()}


def undo(api: AccountApi, merge_id: int) -> httpx.Response:
    return api.post(f"/actions/contact_merge/{merge_id}/undo")


def rich_pair(server: RunningServer, api: AccountApi) -> tuple[dict[str, Any], dict[str, Any]]:
    """A base and a mergee with something of everything: conversations, notes, labels, a trail, a picture."""
    base = new_contact(
        api, name="Base Person", phone_number=unique_phone(), custom_attributes={"plan": "pro", "seats": 5}
    )
    mergee = new_contact(
        api,
        name="Mergee Person",
        phone_number=unique_phone(),
        identifier=f"crm-{base['id']}",
        custom_attributes={"plan": "free", "region": "eu"},
        additional_attributes={"city": "Leeds"},
    )
    give_conversations(server, base["id"], 1)
    give_conversations(server, mergee["id"], 2)
    for contact, labels in ((base, ["vip"]), (mergee, ["lead", "vip"])):
        assert api.post(f"/contacts/{contact['id']}/labels", json={"labels": labels}).status_code == 200
        note = {"content": f"About {contact['name']}"}
        assert api.post(f"/contacts/{contact['id']}/notes", json=note).status_code == 200
    assert api.put(f"/contacts/{mergee['id']}", json={"custom_attributes": {"seats": 2}}).status_code == 200
    pictured = api.put(f"/contacts/{mergee['id']}", files={"avatar": ("me.png", picture(), "image/png")})
    assert pictured.status_code == 200, pictured.text
    return base, mergee


# --- choices ----------------------------------------------------------------------------------------------------


def test_the_merged_contact_keeps_the_chosen_value_of_each_field(server: RunningServer, admin_api: AccountApi) -> None:
    base, mergee = rich_pair(server, admin_api)
    choices = {
        "name": "mergee",
        "email": "mergee",
        "phone_number": "base",
        "custom_attributes.plan": "mergee",
        "custom_attributes.region": "base",  # the base has none: the merged contact has none
        "custom_attributes.seats": "mergee",
    }
    started = time.time()
    answer = merge(admin_api, base["id"], mergee["id"], choices=choices)
    contact, _ = merged(answer)
    assert (contact["id"], contact["name"], contact["email"]) == (base["id"], "Mergee Person", mergee["email"])
    assert contact["phone_number"] == base["phone_number"]
    assert contact["identifier"] == mergee["identifier"], "a field not chosen follows Chatwoot: a blank is filled"
    assert contact["custom_attributes"] == {"plan": "free", "seats": 2}
    assert contact["additional_attributes"] == {"city": "Leeds"}
    assert admin_api.contact(base["id"]) == contact
    until = int(answer.headers[MERGE_UNDO_UNTIL_HEADER])
    assert int(started) + MERGE_UNDO_SECONDS - 1 <= until <= time.time() + MERGE_UNDO_SECONDS
    assert error_body(admin_api.get(f"/contacts/{mergee['id']}"), 404) == NOT_FOUND


def test_without_choices_the_base_wins_and_fills_its_blanks_from_the_mergee(
    server: RunningServer, admin_api: AccountApi
) -> None:
    base = new_contact(admin_api, name="", custom_attributes={"plan": "pro"})
    mergee = new_contact(
        admin_api, name="Named Mergee", phone_number=unique_phone(), custom_attributes={"plan": "free"}
    )
    contact, _ = merged(merge(admin_api, base["id"], mergee["id"]))
    assert (contact["name"], contact["email"]) == ("Named Mergee", base["email"])
    assert contact["phone_number"] == mergee["phone_number"]
    assert contact["custom_attributes"] == {"plan": "pro"}


def test_unknown_choices_are_refused_and_change_nothing(server: RunningServer, admin_api: AccountApi) -> None:
    base = new_contact(admin_api, name="Chooser", custom_attributes={"plan": "pro"})
    mergee = new_contact(admin_api, name="Chosen")
    before = stored_state(server, [base["id"], mergee["id"]])
    for choices in (
        {"identifier": "mergee"},
        {"custom_attributes.never_set": "mergee"},
        {"name": "both"},
        {"name": 1},
        ["name"],
    ):
        answer = merge(admin_api, base["id"], mergee["id"], choices=choices)
        assert invalid_fields(answer)["attributes"] == ["choices"], choices
    assert stored_state(server, [base["id"], mergee["id"]]) == before


# --- undo -------------------------------------------------------------------------------------------------------


def test_undo_gives_back_both_contacts_exactly(server: RunningServer, admin_api: AccountApi) -> None:
    base, mergee = rich_pair(server, admin_api)
    ids = [base["id"], mergee["id"]]
    before = stored_state(server, ids)
    shown = {contact_id: admin_api.contact(contact_id) for contact_id in ids}
    events = {contact_id: admin_api.get(f"/contacts/{contact_id}/events").json() for contact_id in ids}
    choices = {"name": "mergee", "email": "mergee", "custom_attributes.plan": "mergee"}
    _, merge_id = merged(merge(admin_api, base["id"], mergee["id"], choices=choices))
    assert stored_state(server, ids) != before

    answer = undo(admin_api, merge_id)
    assert answer.status_code == 200, answer.text
    assert_shape(answer.json(), contract.UndoneMergePayload, "undo")
    payload = answer.json()["payload"]
    assert (payload["base"], payload["mergee"]) == (shown[base["id"]], shown[mergee["id"]])
    assert stored_state(server, ids) == before
    for contact_id in ids:
        assert admin_api.contact(contact_id) == shown[contact_id]
        assert admin_api.get(f"/contacts/{contact_id}/events").json() == events[contact_id]
    thumbnail = shown[mergee["id"]]["thumbnail"]
    served = admin_api.client.get(server.url + thumbnail)
    assert served.status_code == 200 and served.headers["content-type"].startswith("image/")


def test_a_merge_is_undone_once(server: RunningServer, admin_api: AccountApi) -> None:
    base, mergee = new_contact(admin_api, name="Once Base"), new_contact(admin_api, name="Once Mergee")
    _, merge_id = merged(merge(admin_api, base["id"], mergee["id"]))
    assert undo(admin_api, merge_id).status_code == 200
    after = stored_state(server, [base["id"], mergee["id"]])
    assert error_body(undo(admin_api, merge_id), 410) == {"error": "This merge was undone already"}
    assert stored_state(server, [base["id"], mergee["id"]]) == after


def test_an_undo_after_30_seconds_is_refused_and_its_snapshot_is_gone(
    server: RunningServer, admin_api: AccountApi
) -> None:
    base, mergee = rich_pair(server, admin_api)
    _, merge_id = merged(merge(admin_api, base["id"], mergee["id"]))
    # 31 seconds later, as far as the server can tell.
    run_sql(server.database_url, "UPDATE contact_merges SET created_at = created_at - 31 WHERE id = :id", id=merge_id)
    after = stored_state(server, [base["id"], mergee["id"]])
    refused = error_body(undo(admin_api, merge_id), 410)
    assert refused == {"error": "A merge can be undone for 30 seconds only; that time is over"}
    assert stored_state(server, [base["id"], mergee["id"]]) == after
    # The next merge forgets what the expired one kept of the merged-away contact (personal data).
    merged(merge(admin_api, base["id"], new_contact(admin_api, name="Later")["id"]))
    assert run_sql(server.database_url, "SELECT snapshot FROM contact_merges WHERE id = :id", id=merge_id) == [(None,)]
    assert error_body(undo(admin_api, merge_id), 410) == refused


def test_another_account_cannot_undo(server: RunningServer, admin_api: AccountApi, other_admin_api: AccountApi) -> None:
    base, mergee = new_contact(admin_api, name="Ours"), new_contact(admin_api, name="Also ours")
    _, merge_id = merged(merge(admin_api, base["id"], mergee["id"]))
    after = stored_state(server, [base["id"], mergee["id"]])
    assert error_body(undo(other_admin_api, merge_id), 404) == {"error": "No merge of this id in this account"}
    outsider = AccountApi(client=admin_api.client, server_url=server.url, account_id=1, headers=other_admin_api.headers)
    assert undo(outsider, merge_id).status_code == 401
    assert stored_state(server, [base["id"], mergee["id"]]) == after
    assert undo(admin_api, merge_id).status_code == 200


def test_an_undo_after_the_base_changed_is_refused(server: RunningServer, admin_api: AccountApi) -> None:
    base, mergee = new_contact(admin_api, name="Changing Base"), new_contact(admin_api, name="Changing Mergee")
    _, merge_id = merged(merge(admin_api, base["id"], mergee["id"]))
    assert admin_api.put(f"/contacts/{base['id']}", json={"name": "Renamed meanwhile"}).status_code == 200
    after = stored_state(server, [base["id"], mergee["id"]])
    refused = error_body(undo(admin_api, merge_id), 409)
    assert refused == {"error": "The contact was changed after the merge, so the merge can no longer be undone"}
    assert stored_state(server, [base["id"], mergee["id"]]) == after
    assert admin_api.contact(base["id"])["name"] == "Renamed meanwhile"


def test_an_undo_whose_email_was_taken_meanwhile_is_refused(server: RunningServer, admin_api: AccountApi) -> None:
    base = new_contact(admin_api, name="Keeps Mergee Email")
    mergee = new_contact(admin_api, name="Gives Email")
    _, merge_id = merged(merge(admin_api, base["id"], mergee["id"], choices={"email": "base"}))
    newcomer = new_contact(admin_api, name="Took the address", email=mergee["email"])
    after = stored_state(server, [base["id"], mergee["id"], newcomer["id"]])
    refused = error_body(undo(admin_api, merge_id), 409)
    assert "email" in refused["error"]
    assert stored_state(server, [base["id"], mergee["id"], newcomer["id"]]) == after


def test_merge_and_undo_are_announced_live(server: RunningServer, admin_api: AccountApi) -> None:
    base, mergee = new_contact(admin_api, name="Live Base"), new_contact(admin_api, name="Live Mergee")
    with account_events(server) as events:
        _, merge_id = merged(merge(admin_api, base["id"], mergee["id"]))
        gone = events.next_for(mergee["id"], "contact.deleted")
        events.next_for(base["id"], "contact.merged")
        assert undo(admin_api, merge_id).status_code == 200
        back = events.next_for(mergee["id"], "contact.created")
        unmerged = events.next_for(base["id"], "contact.updated")
    assert gone["merged_into"] == {"id": base["id"], "name": "Live Base"}
    assert back["restored"] is True and back["name"] == "Live Mergee"
    assert unmerged["unmerged_contact_id"] == mergee["id"]
    assert gone["performer"]["name"] == back["performer"]["name"] == "Alex Admin"


# --- bad input --------------------------------------------------------------------------------------------------


def test_merging_into_itself_or_across_accounts_changes_nothing(
    server: RunningServer, admin_api: AccountApi, other_admin_api: AccountApi
) -> None:
    ours = new_contact(admin_api, name="Ours To Keep")
    give_conversations(server, ours["id"], 1)
    theirs = new_contact(other_admin_api, name="Theirs To Keep")
    give_conversations(server, theirs["id"], 1)
    before = stored_state(server, [ours["id"], theirs["id"]])
    self_merge = invalid_fields(merge(admin_api, ours["id"], ours["id"]))
    assert self_merge["message"] == "Mergee contact must differ from the base contact"
    assert self_merge["attributes"] == ["mergee_contact_id"]
    assert error_body(merge(admin_api, ours["id"], theirs["id"]), 404) == NOT_FOUND
    assert error_body(merge(admin_api, theirs["id"], ours["id"]), 404) == NOT_FOUND
    assert error_body(merge(other_admin_api, theirs["id"], ours["id"]), 404) == NOT_FOUND
    assert stored_state(server, [ours["id"], theirs["id"]]) == before
    assert run_sql(
        server.database_url,
        "SELECT count(*) FROM contact_merges WHERE base_contact_id IN (:a, :b)",
        a=ours["id"],
        b=theirs["id"],
    ) == [(0,)]


def test_an_unknown_merge_is_404(admin_api: AccountApi) -> None:
    assert error_body(undo(admin_api, 987654321), 404) == {"error": "No merge of this id in this account"}


# --- plain-Chatwoot mode ----------------------------------------------------------------------------------------


def test_plain_chatwoot_mode_ignores_choices_and_offers_no_undo(
    plain_api_server: RunningServer, http: httpx.Client
) -> None:
    api = AccountApi.of(http, plain_api_server, "admin")
    base = new_contact(api, name="Plain Base")
    mergee = new_contact(api, name="Plain Mergee")
    answer = merge(api, base["id"], mergee["id"], choices={"name": "mergee"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["name"] == "Plain Base"
    assert MERGE_UNDO_HEADER not in answer.headers and EXTENSIONS_HEADER not in answer.headers
    assert error_body(api.post("/actions/contact_merge/1/undo"), 404) == NOT_FOUND


def test_the_server_announces_the_merge_extension(admin_api: AccountApi) -> None:
    answer = admin_api.get("/contacts")
    assert "merge" in answer.headers[EXTENSIONS_HEADER].split(",")
