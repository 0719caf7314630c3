"""Blocking and deleting a contact over the API, as the panel does it (issue 15): every agent of the account hears
it live, and bad input or a role that may not changes nothing."""

from __future__ import annotations

from tests.api.account_api import AccountApi
from tests.api.account_events import account_events
from tests.api.shapes import error_body, invalid_fields
from tests.support.processes import RunningServer

ADMIN_ONLY = {"error": "You are not authorized to do this action"}


def test_blocking_is_announced_with_its_trail_entry(server: RunningServer, agent_api: AccountApi) -> None:
    contact = server.create_contact(name="To Block")
    with account_events(server) as events:
        answer = agent_api.patch(f"/contacts/{contact['id']}", json={"blocked": True})
        assert answer.status_code == 200, answer.text
        event = events.next_for(contact["id"], "contact.updated")
    assert answer.json()["payload"]["blocked"] is True
    assert event["blocked"] is True and event["performer"]["name"] == "Sam Agent"
    assert [(entry["field"], entry["old_value"], entry["new_value"]) for entry in event["activity"]] == [
        ("blocked", False, True)
    ]


def test_blocked_takes_a_boolean_only(server: RunningServer, admin_api: AccountApi) -> None:
    contact = server.create_contact(name="Not Blocked")
    for value in ("yes", 1, None, ["true"]):
        answer = admin_api.put(f"/contacts/{contact['id']}", json={"blocked": value, "name": "Changed"})
        assert invalid_fields(answer)["attributes"] == ["blocked"], value
    assert admin_api.contact(contact["id"]) == contact


def test_a_deletion_is_announced_with_who_did_it(server: RunningServer, admin_api: AccountApi) -> None:
    contact = server.create_contact(name="To Delete")
    with account_events(server) as events:
        assert admin_api.delete(f"/contacts/{contact['id']}").status_code == 200
        event = events.next_for(contact["id"], "contact.deleted")
    assert (event["name"], event["account_id"]) == ("To Delete", 1)
    assert event["performer"]["name"] == "Alex Admin" and event["performer"]["type"] == "user"


def test_an_agent_deleting_is_refused_and_the_contact_stays(server: RunningServer, agent_api: AccountApi) -> None:
    contact = server.create_contact(name="Stays")
    assert error_body(agent_api.delete(f"/contacts/{contact['id']}"), 401) == ADMIN_ONLY
    assert agent_api.contact(contact["id"]) == contact
