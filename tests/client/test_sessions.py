"""Agent sessions (state/session.py) against the embedded server: sign in, resume, sign out, and the live bridge
that takes another agent's changes from `/cable` into the store and the open lists; and the pages' reads
(state/reads.py) through a session."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from api.client import ChatwootClient, Credentials
from api.demo import ADMIN, AGENT, OTHER_ADMIN
from api.error_codes import ErrorCode
from api.errors import Unauthorized
from state import actions, reads
from state.contact_lists import ChangeKind, ListChange
from state.problems import LoadFailed
from state.session import AgentSession, SessionRegistry
from tests.support.processes import RunningServer

LIVE_WITHIN = 10.0


def registry_of(server: RunningServer) -> SessionRegistry:
    """A process's sessions with `server` as its backend, reached as the app reaches its embedded server."""
    if server.async_transport() is None:
        return SessionRegistry(server.url)

    def transport() -> Any:
        return server.async_transport()

    return SessionRegistry(server.url, transport=transport)


@pytest.fixture
async def registry(api_server: RunningServer) -> AsyncIterator[SessionRegistry]:
    sessions = registry_of(api_server)
    yield sessions
    await sessions.close_all()


async def eventually(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + LIVE_WITHIN
    while not condition():
        assert time.monotonic() < deadline, f"not within {LIVE_WITHIN:.0f} s: {what}"
        await asyncio.sleep(0.02)


def other_agent(server: RunningServer) -> Any:
    """Sam Agent's HTTP client for account 1, making the changes the admin's session should hear about."""
    return server.http_client(base_url=f"{server.url}/api/v1/accounts/1", headers=server.agent.headers, timeout=10)


async def live(session: AgentSession) -> list[bool]:
    """The session's live-connection reports to its pages, once it has reported being connected."""
    statuses: list[bool] = []
    session.watch_status(statuses.append)
    await eventually(lambda: statuses == [True], "the session's /cable subscription")
    assert session.live
    return statuses


async def test_sign_in_gives_each_agent_a_session_with_a_token_of_its_own(registry: SessionRegistry) -> None:
    admin = await registry.sign_in(*ADMIN)
    agent = await registry.sign_in(*AGENT)
    assert len(registry) == 2
    assert (admin.profile.email, admin.account_id, admin.is_administrator) == (ADMIN.email, 1, True)
    assert (agent.profile.email, agent.account_id, agent.is_administrator) == (AGENT.email, 1, False)
    assert admin.credentials is not None and admin.credentials.client is not None  # revocable on sign-out
    assert agent.credentials is not None and agent.credentials.key != admin.credentials.key
    assert admin.labels_announced  # the embedded server announces its extensions
    assert await registry.resume(admin.credentials) is admin  # a second tab of the same browser


async def test_a_wrong_password_gives_no_session(registry: SessionRegistry) -> None:
    with pytest.raises(Unauthorized):
        await registry.sign_in(ADMIN.email, "not the password")
    assert len(registry) == 0


async def test_stored_credentials_resume_a_session_after_a_restart(
    api_server: RunningServer, registry: SessionRegistry
) -> None:
    signed_in = await registry.sign_in(*OTHER_ADMIN)
    assert signed_in.credentials is not None
    stored = signed_in.credentials.stored()
    restarted = registry_of(api_server)  # a new process: nothing in memory, the browser's storage kept
    try:
        credentials = Credentials.from_stored(stored)
        assert credentials is not None
        resumed = await restarted.resume(credentials)
        assert resumed is not None and resumed is not signed_in
        assert (resumed.profile.id, resumed.account_id) == (signed_in.profile.id, 2)
        forged = Credentials(token="forged", client=credentials.client, uid=credentials.uid)
        assert await restarted.resume(forged) is None
        assert len(restarted) == 1
    finally:
        await restarted.close_all()


async def test_sign_out_revokes_the_token_in_every_process(
    api_server: RunningServer, registry: SessionRegistry
) -> None:
    session = await registry.sign_in(*AGENT)
    credentials = session.credentials
    assert credentials is not None
    elsewhere = registry_of(api_server)  # another app process the browser's sign-out reaches
    try:
        await elsewhere.sign_out(credentials)
    finally:
        await elsewhere.close_all()
    async with ChatwootClient(
        api_server.url, credentials=credentials, account_id=1, transport=api_server.async_transport()
    ) as client:
        with pytest.raises(Unauthorized):
            await client.profile()
    await registry.sign_out(credentials)  # already revoked: this process still ends its session
    assert len(registry) == 0


async def test_signing_out_a_personal_token_leaves_it_working(api_server: RunningServer) -> None:
    personal = Credentials(token=api_server.admin.token)
    sessions = registry_of(api_server)
    try:
        session = await sessions.resume(personal)
        assert session is not None and session.account_id == 1
        await sessions.sign_out(personal)  # the agent's own token, in every browser: not this process's to revoke
        assert await sessions.resume(personal) is session
    finally:
        await sessions.close_all()


async def test_another_agents_edits_reach_the_store_and_the_lists(
    api_server: RunningServer, registry: SessionRegistry
) -> None:
    session = await registry.sign_in(*ADMIN)
    statuses = await live(session)
    changes: list[ListChange] = []
    session.lists.subscribe(changes.append)
    created = api_server.create_contact(name="Watched Live")
    contact_id = created["id"]
    store = session.store
    await actions.fetch_contact(store, session.client, contact_id)
    await actions.fetch_labels(store, session.client, contact_id)
    await actions.fetch_notes(store, session.client, contact_id)
    await actions.fetch_timeline(store, session.client, contact_id)
    entry = store.entry(contact_id)
    trail = len(store.timeline(contact_id).events)

    with other_agent(api_server) as http:
        http.put(f"/contacts/{contact_id}", json={"name": "Renamed Elsewhere"}).raise_for_status()
        await eventually(lambda: store.contact(contact_id).name == "Renamed Elsewhere", "the new name")
        assert entry.remote_change is not None and entry.remote_change.performer == "Sam Agent"
        assert entry.remote_change.fields == ("name",)
        await eventually(lambda: len(store.timeline(contact_id).events) > trail, "the timeline entry")

        http.post(f"/contacts/{contact_id}/labels", json={"labels": ["vip"]}).raise_for_status()
        await eventually(lambda: entry.labels == ["vip"], "the label")

        note = http.post(f"/contacts/{contact_id}/notes", json={"content": "Called, all good"})
        note.raise_for_status()
        note_id = note.json()["id"]
        await eventually(lambda: [n.content for n in entry.notes or []] == ["Called, all good"], "the note")
        http.patch(f"/contacts/{contact_id}/notes/{note_id}", json={"content": "Called twice"}).raise_for_status()
        await eventually(lambda: [n.content for n in entry.notes or []] == ["Called twice"], "the edited note")
        http.delete(f"/contacts/{contact_id}/notes/{note_id}").raise_for_status()
        await eventually(lambda: entry.notes == [], "the note gone")

        # Only administrators delete contacts: the admin, in another browser.
        http.delete(f"/contacts/{contact_id}", headers=api_server.admin.headers).raise_for_status()
        await eventually(lambda: entry.deleted, "the contact deleted")

    kinds = [change.kind for change in changes if change.contact is not None and change.contact.id == contact_id]
    assert kinds[0] is ChangeKind.CREATED
    assert {ChangeKind.UPDATED, ChangeKind.LABELED} <= set(kinds) and kinds[-1] is ChangeKind.DELETED
    assert statuses == [True]  # connected throughout
    assert not entry.draft and entry.conflict is None


async def test_closing_a_session_ends_its_live_connection(registry: SessionRegistry) -> None:
    session = await registry.sign_in(*AGENT)
    statuses = await live(session)
    cable = session.cable
    assert cable is not None and cable.running
    await registry.close_all()
    assert len(registry) == 0 and session.cable is None and not cable.running
    assert statuses == [True]  # a closed session tells its pages nothing more


async def test_the_pages_reads_through_a_session(registry: SessionRegistry) -> None:
    session = await registry.sign_in(*ADMIN)
    everyone = await reads.contact_list(session, query="", page=1, sort="name", labels=())
    assert everyone.meta.count >= 200 and len(everyone.payload) == 15
    titles = await reads.label_titles(session)
    assert titles
    labelled = await reads.contact_list(session, query="", page=1, sort="name", labels=(titles[0],))
    assert labelled.payload and all(titles[0] in (contact.labels or []) for contact in labelled.payload)
    named = next(contact for contact in everyone.payload if contact.email)
    found = await reads.contact_list(session, query=named.email or "", page=1, sort="name", labels=())
    assert found.payload[0].id == named.id  # an equal email comes first
    open_conversations = await reads.conversations(session, "open")
    assert open_conversations and all(conversation.status == "open" for conversation in open_conversations)
    first = open_conversations[0]
    conversation, messages = await reads.conversation_with_messages(session, first.id)
    assert conversation.id == first.id and messages
    assert (await reads.conversation(session, first.id)).id == first.id
    with pytest.raises(LoadFailed) as failed:
        await reads.conversation(session, 987654321)
    assert failed.value.problem is ErrorCode.NOT_FOUND
