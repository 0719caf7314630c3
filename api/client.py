"""An async httpx client for the Chatwoot contacts API (a real Chatwoot or the embedded server).

One client per signed-in agent: it holds the token and account id, reuses its
connections, retries only idempotent reads, and maps failures to `api.errors`.
The embedded server's extensions (ETag/If-Match, paged conversations, /events)
are used only when the server announces them (`X-Contacts-Extensions`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import httpx
from pydantic import ValidationError

from api.duplicates import MAX_SUGGESTIONS, phone_forms, phone_key, same_email
from api.errors import (
    ApiError,
    Conflict,
    Forbidden,
    NetworkError,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    Unauthorized,
    ValidationFailed,
)
from api.models import (
    AttributeDefinition,
    Contact,
    ContactEvent,
    ContactPage,
    Conversation,
    DuplicateSuggestion,
    Label,
    Message,
    Note,
    Profile,
)
from api.protocol import (
    CLIENT_ADDRESS_HEADER,
    DUPLICATES_EXTENSION,
    EXISTING_CONTACT_EXTENSION,
    EXTENSIONS_HEADER,
    MERGE_EXTENSION,
    MERGE_UNDO_HEADER,
    MERGE_UNDO_UNTIL_HEADER,
    STREAMED,
    UI_KEY_HEADER,
)
from api.settings import get_settings

READ_RETRIES = 2
# Failures that happen before a request can reach the server; after any other, a write may have been applied.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
RETRY_DELAYS = (0.2, 0.6)
# Chatwoot's 401 for an action the agent's role may not do (Pundit's refusal), not for a bad token.
NOT_PERMITTED = "You are not authorized to do this action"
HISTORY_PAGE_SIZE = 20
EVENTS_PAGE_SIZE = 25  # entries per page of `/contacts/{id}/events`


@dataclass(frozen=True, kw_only=True, slots=True)
class Credentials:
    """How the client proves who it is: an agent's personal access token, or one signed-in client's
    devise_token_auth headers (`client` set), which a sign-out revokes."""

    token: str
    client: str | None = None
    uid: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        if self.client is None:
            return {"api_access_token": self.token}
        return {"access-token": self.token, "token-type": "Bearer", "client": self.client, "uid": self.uid or ""}

    @property
    def key(self) -> str:
        """Names these credentials among others (sessions of a process are kept by it)."""
        return self.token if self.client is None else f"{self.client}:{self.token}"

    def stored(self) -> dict[str, str]:
        """A plain form for server-side storage."""
        return {"token": self.token, "client": self.client or "", "uid": self.uid or ""}

    @classmethod
    def from_stored(cls, value: object) -> Credentials | None:
        """Back from `stored()` (or a bare personal token); None for anything else."""
        if isinstance(value, str) and value:
            return cls(token=value)
        if isinstance(value, dict) and isinstance(value.get("token"), str) and value["token"]:
            client, uid = value.get("client"), value.get("uid")
            return cls(
                token=value["token"],
                client=client if isinstance(client, str) and client else None,
                uid=uid if isinstance(uid, str) else None,
            )
        return None


@dataclass(kw_only=True, slots=True)
class ContactResult:
    """A contact and its version tag (None when the server sends no ETag)."""

    contact: Contact
    etag: str | None


@dataclass(kw_only=True, slots=True)
class ConversationPage:
    """One page of a contact's history; `count` is None when the server does not page (Chatwoot)."""

    conversations: list[Conversation]
    page: int
    count: int | None

    @property
    def has_more(self) -> bool:
        return self.count is not None and self.page * HISTORY_PAGE_SIZE < self.count


@dataclass(kw_only=True, slots=True)
class EventPage:
    """One page of a contact's activity trail."""

    events: list[ContactEvent]
    page: int
    count: int

    @property
    def has_more(self) -> bool:
        return self.page * EVENTS_PAGE_SIZE < self.count


@dataclass(kw_only=True, slots=True, frozen=True)
class MergeUndo:
    """A merge the server can undo (its extension): its id, and until when (unix seconds)."""

    merge_id: int
    until: int


@dataclass(kw_only=True, slots=True)
class MergeResult:
    """The contact merged into, and the undo the server offers (None: Chatwoot offers none)."""

    contact: Contact
    undo: MergeUndo | None


def _merge_undo(response: httpx.Response) -> MergeUndo | None:
    merge_id, until = response.headers.get(MERGE_UNDO_HEADER, ""), response.headers.get(MERGE_UNDO_UNTIL_HEADER, "")
    if not (merge_id.isdigit() and until.isdigit()):
        return None
    return MergeUndo(merge_id=int(merge_id), until=int(until))


def _contact_from(body: Any) -> Contact:
    """Accepts `{"payload": {contact}}`, `{"payload": {"contact": {...}}}` and a bare contact."""
    payload = body.get("payload", body) if isinstance(body, dict) else body
    if isinstance(payload, dict) and isinstance(payload.get("contact"), dict):
        payload = payload["contact"]
    return Contact.model_validate(payload)


class ChatwootClient:
    """The contacts API of one account, as one agent."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        credentials: Credentials | None = None,
        ui_key: str | None = None,
        account_id: int | None = None,
        timeout: float = 15.0,
        write_timeout: float | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials or (Credentials(token=token) if token else None)
        # This process's own UI proves itself with `ui_key`, to name the browser a sign-in is for.
        self.ui_key = ui_key
        self.account_id = account_id
        self.extensions: frozenset[str] = frozenset()
        # A write unanswered for this long has an unknown outcome: the caller settles it by reading for as long.
        self.write_timeout = write_timeout if write_timeout is not None else get_settings().api_write_timeout
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=5.0),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
            transport=transport,
            headers={"Accept": "application/json"},
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self._http.aclose()

    @property
    def token(self) -> str | None:
        return self.credentials.token if self.credentials else None

    @property
    def supports_etag(self) -> bool:
        return "etag" in self.extensions

    @property
    def supports_paging(self) -> bool:
        return "paging" in self.extensions

    @property
    def supports_events(self) -> bool:
        return "events" in self.extensions

    @property
    def supports_merge_choices(self) -> bool:
        """The merge takes a value per field (`choices`) and can be undone for a while."""
        return MERGE_EXTENSION in self.extensions

    @property
    def supports_duplicates(self) -> bool:
        """Duplicate suggestions for a contact, from the server's indexes (`GET /contacts/{id}/duplicates`)."""
        return DUPLICATES_EXTENSION in self.extensions

    def _account_path(self, path: str) -> str:
        if self.account_id is None:
            raise ApiError("No account selected")
        return f"/api/v1/accounts/{self.account_id}{path}"

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        all_headers = self.credentials.headers if self.credentials else {}
        all_headers.update(headers or {})
        attempts = 1 + (READ_RETRIES if method == "GET" else 0)
        timeout = (
            httpx.USE_CLIENT_DEFAULT
            if method == "GET"
            else httpx.Timeout(self.write_timeout, connect=min(5.0, self.write_timeout))
        )
        for attempt in range(attempts):
            try:
                response = await self._http.request(
                    method, path, json=json, files=files, params=params, headers=all_headers, timeout=timeout
                )
            except httpx.HTTPError as error:
                if attempt + 1 < attempts:
                    await asyncio.sleep(RETRY_DELAYS[attempt])
                    continue
                if method != "GET" and not isinstance(error, NOT_SENT):
                    raise OutcomeUnknown(f"{type(error).__name__}: {error}") from error
                raise NetworkError(f"{type(error).__name__}: {error}") from error
            if response.status_code == 504 and method != "GET":
                raise OutcomeUnknown(f"gateway timeout: {response.reason_phrase}", 504)
            if response.status_code >= 500 and attempt + 1 < attempts:
                await asyncio.sleep(RETRY_DELAYS[attempt])
                continue
            self._learn_extensions(response)
            if response.is_success:
                return response
            raise self._error(response)
        raise NetworkError("unreachable")  # the loop always returns or raises

    def _learn_extensions(self, response: httpx.Response) -> None:
        announced = response.headers.get(EXTENSIONS_HEADER)
        if announced is not None:
            self.extensions = frozenset(part.strip() for part in announced.split(",") if part.strip())

    @staticmethod
    def _error(response: httpx.Response) -> ApiError:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        status = response.status_code
        message = str(body.get("error") or body.get("message") or response.reason_phrase or status)
        if status == 422:
            return ValidationFailed.from_body(body)
        if status == 404:
            return NotFound(message, 404)
        if status == 409:
            current = None
            if isinstance(body.get("payload"), dict):
                try:
                    current = _contact_from(body)
                except ValidationError:
                    current = None
            return Conflict(str(body.get("message") or message), current, response.headers.get("ETag"))
        if status == 403 or (status == 401 and message == NOT_PERMITTED):
            return Forbidden(message, status)
        if status == 401:
            errors = body.get("errors")
            if isinstance(errors, list) and errors:
                message = str(errors[0])
            return Unauthorized(message, 401)
        if status == 429:
            retry = response.headers.get("Retry-After")
            return RateLimited(message, int(retry) if retry and retry.isdigit() else None)
        if status >= 500:
            return NetworkError(f"server error {status}: {message}", status)
        return ApiError(message, status)

    # --- agent ---

    async def sign_in(self, email: str, password: str, *, client_address: str | None = None) -> Profile:
        """Sign in with email and password; keeps the credentials and the first account.

        A server that hands out devise_token_auth headers gives this client a token of its own, which
        `sign_out` revokes; otherwise the agent's personal token is kept. `client_address` is the browser's,
        for the embedded server's throttle (sent only with this process's `ui_key`).
        """
        headers = (
            {CLIENT_ADDRESS_HEADER: client_address, UI_KEY_HEADER: self.ui_key}
            if client_address and self.ui_key
            else None
        )
        response = await self._request(
            "POST", "/auth/sign_in", json={"email": email, "password": password}, headers=headers
        )
        body = response.json()
        profile = Profile.model_validate(body.get("data", body))
        token, client = response.headers.get("access-token"), response.headers.get("client")
        if token and client:
            self.credentials = Credentials(token=token, client=client, uid=response.headers.get("uid") or email)
        elif profile.access_token:
            self.credentials = Credentials(token=profile.access_token)
        if self.account_id is None:
            self.account_id = profile.account_id or (profile.accounts[0].id if profile.accounts else None)
        return profile

    async def sign_out(self) -> None:
        """Revoke this client's own token (a personal token stays: it is the agent's, not this client's)."""
        if self.credentials is None or self.credentials.client is None:
            return
        with contextlib.suppress(NotFound):  # already ended (expired, or signed out elsewhere)
            await self._request("DELETE", "/auth/sign_out")

    async def profile(self) -> Profile:
        response = await self._request("GET", "/api/v1/profile")
        return Profile.model_validate(response.json())

    # --- contacts ---

    async def get_contact(self, contact_id: int) -> ContactResult:
        response = await self._request("GET", self._account_path(f"/contacts/{contact_id}"))
        return ContactResult(contact=_contact_from(response.json()), etag=response.headers.get("ETag"))

    async def update_contact(self, contact_id: int, changes: dict[str, Any], etag: str | None = None) -> ContactResult:
        """PUT only the given fields; with `etag` (and a server that offers it) the write is conditional."""
        headers = {"If-Match": etag} if etag and self.supports_etag else None
        response = await self._request(
            "PUT", self._account_path(f"/contacts/{contact_id}"), json=changes, headers=headers
        )
        return ContactResult(contact=_contact_from(response.json()), etag=response.headers.get("ETag"))

    async def upload_contact_avatar(
        self, contact_id: int, picture: bytes, filename: str, content_type: str
    ) -> ContactResult:
        """Give the contact a picture: its file as the multipart `avatar` of an update, as Chatwoot's dashboard
        sends it. Not conditional: a picture replaces a picture whatever else changed."""
        response = await self._request(
            "PUT",
            self._account_path(f"/contacts/{contact_id}"),
            files={"avatar": (filename, picture, content_type)},
        )
        return ContactResult(contact=_contact_from(response.json()), etag=response.headers.get("ETag"))

    async def remove_contact_avatar(self, contact_id: int) -> ContactResult:
        """Take the contact's picture away (Chatwoot answers the contact without its `contact_inboxes`)."""
        response = await self._request("DELETE", self._account_path(f"/contacts/{contact_id}/avatar"))
        return ContactResult(contact=_contact_from(response.json()), etag=response.headers.get("ETag"))

    async def create_contact(self, fields: dict[str, Any]) -> Contact:
        """Create a contact; a 422 for a taken value names the contact having it where the server can say
        (`ValidationFailed.existing`)."""
        headers = {EXTENSIONS_HEADER: EXISTING_CONTACT_EXTENSION}
        response = await self._request("POST", self._account_path("/contacts"), json=fields, headers=headers)
        return _contact_from(response.json())

    @contextlib.asynccontextmanager
    async def streaming(
        self,
        method: str,
        path: str,
        *,
        content: Any = None,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        read_timeout: float | None = None,
    ) -> AsyncIterator[httpx.Response]:
        """A request of the account whose answer is read as it comes (an import's progress, an export's rows).

        Refusals raise as `_request`'s do; a failure before an answer is `OutcomeUnknown` for a write that may have
        been sent, else `NetworkError`. Once the answer began, reading it raises httpx's own errors.
        """
        all_headers = self.credentials.headers if self.credentials else {}
        all_headers.update(headers or {})
        timeout = httpx.Timeout(read_timeout or self.write_timeout, connect=5.0)
        request = self._http.build_request(
            method,
            self._account_path(path),
            content=content,
            json=json,
            params=params,
            headers=all_headers,
            timeout=timeout,
            extensions={STREAMED: True},
        )
        try:
            response = await self._http.send(request, stream=True)
        except httpx.HTTPError as error:
            if method != "GET" and not isinstance(error, NOT_SENT):
                raise OutcomeUnknown(f"{type(error).__name__}: {error}") from error
            raise NetworkError(f"{type(error).__name__}: {error}") from error
        try:
            self._learn_extensions(response)
            if not response.is_success:
                await response.aread()
                raise self._error(response)
            yield response
        finally:
            await response.aclose()

    async def delete_contact(self, contact_id: int) -> None:
        await self._request("DELETE", self._account_path(f"/contacts/{contact_id}"))

    async def merge_contacts(
        self, base_id: int, mergee_id: int, choices: Mapping[str, str] | None = None
    ) -> MergeResult:
        """Merge the mergee into the base (Chatwoot's `POST /actions/contact_merge`); `choices` (field path ->
        "base" or "mergee") are sent only to a server that takes them."""
        body: dict[str, Any] = {"base_contact_id": base_id, "mergee_contact_id": mergee_id}
        if choices and self.supports_merge_choices:
            body["choices"] = dict(choices)
        response = await self._request("POST", self._account_path("/actions/contact_merge"), json=body)
        return MergeResult(contact=_contact_from(response.json()), undo=_merge_undo(response))

    async def undo_merge(self, merge_id: int) -> tuple[Contact, Contact]:
        """Put both contacts of a merge back (the server's extension); answers the base and the mergee."""
        response = await self._request("POST", self._account_path(f"/actions/contact_merge/{merge_id}/undo"))
        payload = response.json().get("payload", {})
        return Contact.model_validate(payload.get("base")), Contact.model_validate(payload.get("mergee"))

    async def list_contacts(
        self, page: int = 1, sort: str = "-last_activity_at", labels: Sequence[str] = ()
    ) -> ContactPage:
        """A page of the account's contacts; with `labels`, those having any of them.

        `include_labels` asks the embedded server for each contact's labels; Chatwoot ignores it.
        """
        params: dict[str, str | int | list[str]] = {"page": page, "sort": sort, "include_labels": "true"}
        if labels:
            params["labels[]"] = list(labels)
        response = await self._request("GET", self._account_path("/contacts"), params=params)
        return ContactPage.model_validate(response.json())

    async def search_contacts(self, query: str, page: int = 1, sort: str = "-last_activity_at") -> ContactPage:
        params = {"q": query, "page": page, "sort": sort, "include_labels": "true"}
        response = await self._request("GET", self._account_path("/contacts/search"), params=params)
        return ContactPage.model_validate(response.json())

    async def duplicate_suggestions(self, contact: Contact) -> list[DuplicateSuggestion]:
        """Other contacts of the account that may be the same person, with the reasons (api/duplicates.py).

        The embedded server answers from its indexes (`GET /contacts/{id}/duplicates`, announced as `duplicates`).
        Without it (Chatwoot), its search is asked for the contact's email and phone number, and the contacts it
        finds whose value is the same are kept: a search matches parts of values too. No name suggestions there.
        """
        if self.supports_duplicates:
            response = await self._request("GET", self._account_path(f"/contacts/{contact.id}/duplicates"))
            return [DuplicateSuggestion.model_validate(item) for item in response.json().get("payload", [])]
        email, phone = contact.email, contact.phone_number
        queries: list[tuple[str, str]] = [("email", email)] if email else []
        if phone:  # each text the number can be stored as: "+442079460999" is also "+4402079460999"
            queries += [("phone_number", text) for text in sorted(phone_forms(phone))]
        number = phone_key(phone) if phone else None
        found: dict[int, DuplicateSuggestion] = {}
        for reason, query in queries:
            for other in (await self.search_contacts(query)).payload:
                if reason == "email":
                    same = same_email(email, other.email)
                else:
                    same = bool(other.phone_number) and phone_key(other.phone_number or "") == number
                suggestion = found.setdefault(other.id, DuplicateSuggestion(contact=other))
                if same and other.id != contact.id and reason not in suggestion.reasons:
                    suggestion.reasons.append(reason)
        return [suggestion for suggestion in found.values() if suggestion.reasons][:MAX_SUGGESTIONS]

    async def contact_conversations(self, contact_id: int, page: int = 1) -> ConversationPage:
        """A page of the contact's history; without server paging, Chatwoot's newest 20 as page 1."""
        params = {"page": page} if self.supports_paging else None
        response = await self._request(
            "GET", self._account_path(f"/contacts/{contact_id}/conversations"), params=params
        )
        body = response.json()
        conversations = [Conversation.model_validate(item) for item in body.get("payload", [])]
        meta = body.get("meta") if isinstance(body, dict) else None
        if isinstance(meta, dict) and "count" in meta:
            return ConversationPage(
                conversations=conversations,
                page=int(meta.get("current_page") or page),
                count=int(meta["count"]),
            )
        return ConversationPage(conversations=conversations, page=1, count=None)

    async def contact_labels(self, contact_id: int) -> list[str]:
        response = await self._request("GET", self._account_path(f"/contacts/{contact_id}/labels"))
        return [str(label) for label in response.json().get("payload", [])]

    async def set_contact_labels(self, contact_id: int, labels: list[str]) -> list[str]:
        """Replace the contact's labels with exactly `labels`."""
        response = await self._request(
            "POST", self._account_path(f"/contacts/{contact_id}/labels"), json={"labels": labels}
        )
        return [str(label) for label in response.json().get("payload", [])]

    async def notes(self, contact_id: int) -> list[Note]:
        response = await self._request("GET", self._account_path(f"/contacts/{contact_id}/notes"))
        body = response.json()
        items = body.get("payload", []) if isinstance(body, dict) else body
        return [Note.model_validate(item) for item in items]

    async def add_note(self, contact_id: int, content: str) -> Note:
        response = await self._request(
            "POST", self._account_path(f"/contacts/{contact_id}/notes"), json={"content": content}
        )
        body = response.json()
        return Note.model_validate(body.get("payload", body) if isinstance(body, dict) else body)

    async def delete_note(self, contact_id: int, note_id: int) -> None:
        await self._request("DELETE", self._account_path(f"/contacts/{contact_id}/notes/{note_id}"))

    async def contact_events(self, contact_id: int, page: int = 1) -> EventPage | None:
        """The activity trail, or None when the server has no `/events` (plain Chatwoot)."""
        if not self.supports_events:
            return None
        response = await self._request(
            "GET", self._account_path(f"/contacts/{contact_id}/events"), params={"page": page}
        )
        body = response.json()
        meta = body.get("meta") or {}
        return EventPage(
            events=[ContactEvent.model_validate(item) for item in body.get("payload", [])],
            page=int(meta.get("current_page") or page),
            count=int(meta.get("count") or 0),
        )

    # --- account ---

    async def attribute_definitions(self) -> list[AttributeDefinition]:
        response = await self._request(
            "GET", self._account_path("/custom_attribute_definitions"), params={"attribute_model": 1}
        )
        body = response.json()
        items = body.get("payload", []) if isinstance(body, dict) else body
        return [AttributeDefinition.model_validate(item) for item in items]

    async def account_labels(self) -> list[Label]:
        response = await self._request("GET", self._account_path("/labels"))
        return [Label.model_validate(item) for item in response.json().get("payload", [])]

    # --- conversations ---

    async def conversation(self, display_id: int) -> Conversation:
        response = await self._request("GET", self._account_path(f"/conversations/{display_id}"))
        body = response.json()
        return Conversation.model_validate(body.get("payload", body) if "payload" in body else body)

    async def conversation_messages(self, display_id: int) -> list[Message]:
        response = await self._request("GET", self._account_path(f"/conversations/{display_id}/messages"))
        return [Message.model_validate(item) for item in response.json().get("payload", [])]

    async def conversations(self, status: str = "open", page: int = 1) -> list[Conversation]:
        response = await self._request(
            "GET", self._account_path("/conversations"), params={"status": status, "page": page}
        )
        body = response.json()
        data = body.get("data", body)
        return [Conversation.model_validate(item) for item in data.get("payload", [])]
