"""The actions emit the seed's analytics events, with their properties, for the acting agent."""

from __future__ import annotations

import json
from pathlib import Path

from state import actions, analytics
from state.store import ContactStore
from tests.support.processes import RunningServer


async def test_viewing_and_editing_emit_the_seed_events(api_server: RunningServer, connect, tmp_path: Path) -> None:
    sink = tmp_path / "events.jsonl"
    analytics.configure(str(sink))
    try:
        created = api_server.create_contact(name="Watched")
        client = connect(api_server)
        profile = await client.profile()
        store = ContactStore(agent_id=profile.id, account_id=1)
        await actions.open_contact(store, client, 1, source="conversation")  # the seed's Ada: 25 conversations
        await actions.open_contact(store, client, created["id"], source="contacts_list")
        outcome = await actions.update_contact(store, client, created["id"], {"custom_attributes.seats": 3})
        assert outcome.status == "saved"
        await analytics.flush()
    finally:
        analytics.configure(None)
    records = [json.loads(line) for line in sink.read_text().splitlines()]
    assert [r["event"] for r in records] == [
        "contact_viewed",
        "contact_history_viewed",
        "contact_viewed",
        "contact_history_viewed",
        "contact_updated",
    ]
    assert records[0]["properties"] == {"contact_id": 1, "source": "conversation"}
    assert records[1]["properties"] == {"contact_id": 1, "conversation_count": 25}
    assert records[2]["properties"] == {"contact_id": created["id"], "source": "contacts_list"}
    assert records[3]["properties"] == {"contact_id": created["id"], "conversation_count": 0}
    assert records[4]["properties"] == {"contact_id": created["id"], "fields_updated": ["custom_attributes.seats"]}
    assert {(r["agent_id"], r["account_id"]) for r in records} == {(profile.id, 1)}
    assert all(r["timestamp"].endswith("Z") for r in records)
