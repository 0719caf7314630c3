"""Agent sessions: one client, store and live bridge per signed-in agent and account, shared by their tabs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from api.cable_client import CableClient, cable_url
from api.client import ChatwootClient, Credentials
from api.errors import ApiError, NetworkError
from api.models import Profile
from api.validation import image_source
from state.actions import apply_event, refetch_open_contacts, refresh_open_timeline
from state.contact_lists import ContactListFeed
from state.contact_merge import refresh_after_merge
from state.store import ContactStore

log = logging.getLogger(__name__)
StatusListener = Callable[[bool], Any]


@dataclass(kw_only=True)
class AgentSession:
    """What one agent has open in this process."""

    profile: Profile
    account_id: int
    client: ChatwootClient
    store: ContactStore = field(default_factory=ContactStore)
    lists: ContactListFeed = field(default_factory=ContactListFeed)
    cable: CableClient | None = None
    live: bool = False
    status_listeners: list[StatusListener] = field(default_factory=list)
    # What a path the API names (an uploaded picture's `thumbnail`) is under, for the browser: "" when the API is
    # this app's own origin (embedded), else the API's address.
    media_origin: str = ""

    @property
    def credentials(self) -> Credentials | None:
        return self.client.credentials

    @property
    def labels_announced(self) -> bool:
        """The server tells label changes as `contact.activity` events (the embedded server's extension)."""
        return self.client.supports_events

    def image_source(self, thumbnail: str | None) -> str | None:
        """Where the browser loads a contact's picture from (`api.validation.image_source`); None for none."""
        return image_source(thumbnail, self.media_origin) if thumbnail else None

    @property
    def is_administrator(self) -> bool:
        membership = next((a for a in self.profile.accounts if a.id == self.account_id), None)
        return (membership.role if membership else self.profile.role) == "administrator"

    def start_live_updates(self) -> None:
        """Start the websocket bridge: events into the store and the open lists, re-fetch after every reconnect."""
        if self.cable is not None or not self.profile.pubsub_token:
            return

        async def on_event(event: str, data: dict[str, Any]) -> None:
            apply_event(self.store, event, data, self.account_id)
            self.lists.publish(event, data, self.account_id)
            await refresh_open_timeline(self.store, self.client, event, data)
            await refresh_after_merge(self.store, self.client, event, data)

        async def on_reconnect() -> None:
            self.lists.reconnected()
            await refetch_open_contacts(self.store, self.client)

        def on_status(connected: bool) -> None:
            self.live = connected
            for listener in list(self.status_listeners):
                listener(connected)

        self.cable = CableClient(
            url=cable_url(self.client.base_url),
            pubsub_token=self.profile.pubsub_token,
            account_id=self.account_id,
            user_id=self.profile.id,
            on_event=on_event,
            on_status=on_status,
            on_reconnect=on_reconnect,
        )
        self.cable.start()

    def watch_status(self, listener: StatusListener) -> Callable[[], None]:
        """Call `listener(connected)` when the live connection drops or returns; returns the unsubscribe."""
        self.status_listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self.status_listeners:
                self.status_listeners.remove(listener)

        return unsubscribe

    async def close(self) -> None:
        if self.cable is not None:
            await self.cable.stop()
            self.cable = None
        await self.client.close()


class SessionRegistry:
    """Agent sessions of this process by credentials; credentials from storage resume one after a restart.

    `ui_key` is this process's secret for its own embedded server: with it a sign-in names the browser's address.
    """

    def __init__(
        self,
        base_url: str,
        account_id: int | None = None,
        *,
        ui_key: str | None = None,
        transport: Callable[[], httpx.AsyncBaseTransport] | None = None,
        media_origin: str | None = None,
    ) -> None:
        """`media_origin`: see `AgentSession.media_origin`; None means `base_url`."""
        self.base_url = base_url
        self.media_origin = base_url if media_origin is None else media_origin
        self.account_id = account_id
        self.ui_key = ui_key
        # A new transport per client (embedded mode: `api.in_process.InProcessTransport`); None: the network.
        self.transport = transport
        self._sessions: dict[str, AgentSession] = {}
        self._lock = asyncio.Lock()

    def _new_client(self, credentials: Credentials | None = None) -> ChatwootClient:
        return ChatwootClient(
            self.base_url,
            credentials=credentials,
            ui_key=self.ui_key,
            account_id=self.account_id,
            transport=self.transport() if self.transport else None,
        )

    async def sign_in(self, email: str, password: str, *, client_address: str | None = None) -> AgentSession:
        """Sign in against the backend for the browser at `client_address`; raises `api.errors` on failure."""
        client = self._new_client()
        try:
            profile = await client.sign_in(email, password, client_address=client_address)
        except ApiError:
            await client.close()
            raise
        return await self._register(client, profile)

    async def sign_out(self, credentials: Credentials) -> None:
        """End a signed-in client's session: its token is revoked at the backend and its live connection closed.

        A personal token is the agent's in every browser, so its shared session stays; the browser forgets it.
        """
        if credentials.client is None:
            return
        async with self._lock:
            session = self._sessions.pop(credentials.key, None)
        client = session.client if session is not None else self._new_client(credentials)
        try:
            await client.sign_out()
        finally:
            if session is not None:
                await session.close()
            else:
                await client.close()

    async def resume(self, credentials: Credentials) -> AgentSession | None:
        """The session for stored credentials: this process's, or a new one if they still work.

        None when the backend refuses them; `NetworkError` when it cannot be asked (keep them).
        """
        async with self._lock:
            known = self._sessions.get(credentials.key)
        if known is not None:
            return known
        client = self._new_client(credentials)
        try:
            profile = await client.profile()
        except NetworkError:
            await client.close()
            raise
        except ApiError:
            await client.close()
            return None
        if client.account_id is None:
            client.account_id = profile.account_id or (profile.accounts[0].id if profile.accounts else None)
        return await self._register(client, profile)

    async def _register(self, client: ChatwootClient, profile: Profile) -> AgentSession:
        async with self._lock:
            key = client.credentials.key if client.credentials else ""
            known = self._sessions.get(key)
            if known is not None:
                await client.close()
                return known
            if client.account_id is None:
                await client.close()
                raise ApiError("This agent has no account")
            store = ContactStore(agent_id=profile.id, account_id=client.account_id)
            session = AgentSession(
                profile=profile,
                account_id=client.account_id,
                client=client,
                store=store,
                media_origin=self.media_origin,
            )
            self._sessions[key] = session
        session.start_live_updates()
        return session

    async def close_all(self) -> None:
        async with self._lock:
            sessions = list(self._sessions.values())
            self._sessions.clear()
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)

    def __len__(self) -> int:
        return len(self._sessions)


_registry: SessionRegistry | None = None


def configure_registry(registry: SessionRegistry) -> None:
    """Install the process's session registry (main.py does, once per app start)."""
    global _registry
    _registry = registry


def current_registry() -> SessionRegistry:
    """The process's session registry."""
    if _registry is None:
        raise RuntimeError("configure_registry() was not called")
    return _registry
