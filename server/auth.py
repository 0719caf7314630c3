"""Passwords, tokens, the current agent, and slowing down repeated failed sign-ins."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import math
import secrets
import time
from collections import deque
from dataclasses import dataclass
from typing import Generic, TypeVar

from fastapi import Header, Request
from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from starlette.requests import HTTPConnection

from api.protocol import CLIENT_ADDRESS_HEADER, UI_KEY_HEADER
from server.errors import ApiProblem, documented_headers
from server.models import AccountAgent, Agent, SessionToken
from server.runtime import runtime_of

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
KeyT = TypeVar("KeyT", str, int)


def hash_password(password: str) -> str:
    """scrypt with a random salt, as `scrypt$salt$hash` (hex)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time comparison against a `hash_password` value."""
    try:
        scheme, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), **_SCRYPT)
    return hmac.compare_digest(digest.hex(), digest_hex)


def new_token() -> str:
    """A random URL-safe token for `access_token` and `pubsub_token`."""
    return secrets.token_urlsafe(24)


@dataclass(kw_only=True, slots=True)
class Caller:
    """The agent making a request, and the role in the account of the path."""

    agent: Agent
    account_id: int
    role: str

    @property
    def is_administrator(self) -> bool:
        return self.role == "administrator"


async def agent_by_token(session: AsyncSession, token: str) -> Agent | None:
    """The agent whose personal access token this is."""
    if not token:
        return None
    return (await session.execute(select(Agent).where(Agent.access_token == token))).scalar_one_or_none()


class KnownAgents(Generic[KeyT]):
    """Agents (with their memberships) for a few seconds, so a busy agent's requests skip loading them each.

    By token (tokens never change here) or, for signed-in clients, by id once the client's session row has been
    checked (that check is made on every request). A change to an agent (removed, or from an account) shows
    after at most `ttl` seconds.
    """

    def __init__(self, ttl: float = 30.0, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._agents: dict[KeyT, tuple[float, Agent]] = {}

    def get(self, key: KeyT) -> Agent | None:
        known = self._agents.get(key)
        if known is None or known[0] < time.monotonic():
            self._agents.pop(key, None)
            return None
        return known[1]

    def put(self, key: KeyT, agent: Agent) -> None:
        if len(self._agents) >= self.size:
            self._agents.clear()
        self._agents[key] = (time.monotonic() + self.ttl, agent)


known_tokens = KnownAgents[str]()
known_signed_in = KnownAgents[int]()


SESSION_LIFESPAN = 60 * 24 * 3600  # two months, as Chatwoot's devise_token_auth
MAX_SESSIONS_PER_AGENT = 100  # the oldest go first; Chatwoot keeps 10, kiosks and test rigs sign in more often


@dataclass(frozen=True, kw_only=True, slots=True)
class SessionCredentials:
    """What a sign-in hands one client: devise_token_auth's headers."""

    access_token: str
    client_id: str
    uid: str
    expiry: int

    @property
    def headers(self) -> dict[str, str]:
        """The five headers, and devise_token_auth 1.2's `Authorization: Bearer` carrying the same as base64 JSON."""
        fields = {
            "access-token": self.access_token,
            "token-type": "Bearer",
            "client": self.client_id,
            "expiry": str(self.expiry),
            "uid": self.uid,
        }
        bearer = base64.b64encode(json.dumps(fields, separators=(",", ":")).encode()).decode()
        return {**fields, "authorization": f"Bearer {bearer}"}


@dataclass(frozen=True, kw_only=True, slots=True)
class SessionClaim:
    """The devise_token_auth credentials a request carries; not yet checked, possibly empty."""

    access_token: str = ""
    client_id: str = ""
    uid: str = ""


def _bearer_fields(authorization: str) -> dict[str, str]:
    """The string fields of `Authorization: Bearer <base64 JSON>`; empty for anything else."""
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not encoded:
        return {}
    try:
        fields = json.loads(base64.b64decode(encoded.strip(), validate=True))
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors too
        return {}
    if not isinstance(fields, dict):
        return {}
    return {name: value for name, value in fields.items() if isinstance(value, str)}


def claim_of(access_token: str, client: str, uid: str, authorization: str) -> SessionClaim:
    """The claim the headers make; each one not sent is taken from `Authorization: Bearer`, as devise_token_auth
    1.2 does."""
    bearer = _bearer_fields(authorization) if authorization else {}
    return SessionClaim(
        access_token=access_token or bearer.get("access-token", ""),
        client_id=client or bearer.get("client", ""),
        uid=uid or bearer.get("uid", ""),
    )


async def session_claim(
    access_token: str = Header(default="", alias="access-token"),
    client: str = Header(default=""),
    uid: str = Header(default=""),
    authorization: str = Header(default=""),
) -> SessionClaim:
    """The `access-token`, `client` and `uid` headers (or `Authorization: Bearer`).

    A coroutine, as every dependency of the API's routes: FastAPI runs a plain function in its thread pool, a
    trip that cost more than the whole check.
    """
    return claim_of(access_token, client, uid, authorization)


CREDENTIAL_HEADERS = {
    "api_access_token": "Api Access Token",
    "access-token": "Access-Token",
    "client": "Client",
    "uid": "Uid",
    "authorization": "Authorization",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class CredentialHeaders:
    """The headers that may carry the caller's credentials: a personal access token, or a signed-in client's
    devise_token_auth headers."""

    api_access_token: str
    access_token: str
    client: str
    uid: str
    authorization: str

    @classmethod
    def of(cls, request: Request) -> CredentialHeaders:
        """Read from the request itself: declared as FastAPI parameters (one each, or one header model) they cost
        more of its work per request than the rest of a contact read. The OpenAPI document still lists them
        (`documented_headers`)."""
        headers = request.headers
        return cls(
            api_access_token=headers.get("api_access_token", ""),
            access_token=headers.get("access-token", ""),
            client=headers.get("client", ""),
            uid=headers.get("uid", ""),
            authorization=headers.get("authorization", ""),
        )

    def claim(self) -> SessionClaim:
        return claim_of(self.access_token, self.client, self.uid, self.authorization)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(session: AsyncSession, agent: Agent) -> SessionCredentials:
    """A new signed-in client for the agent (committed); the agent's oldest clients beyond the limit end."""
    token, client_id = new_token(), new_token()
    moment = int(time.time())
    session.add(
        SessionToken(
            agent_id=agent.id,
            client_id=client_id,
            token_hash=_token_hash(token),
            created_at=moment,
            expires_at=moment + SESSION_LIFESPAN,
        )
    )
    await session.flush()
    keep = (
        select(SessionToken.id)
        .where(SessionToken.agent_id == agent.id)
        .order_by(SessionToken.id.desc())
        .limit(MAX_SESSIONS_PER_AGENT)
    )
    await session.execute(
        delete(SessionToken).where(SessionToken.agent_id == agent.id, SessionToken.id.not_in(keep.scalar_subquery()))
    )
    await session.commit()
    return SessionCredentials(
        access_token=token, client_id=client_id, uid=agent.email, expiry=moment + SESSION_LIFESPAN
    )


def _claim_holds(claim: SessionClaim, *, expires_at: int, token_hash: str, email: str) -> bool:
    """Whether a session row (its expiry, token hash and agent's email) is the live client the claim names."""
    return (
        expires_at > time.time()
        and hmac.compare_digest(token_hash, _token_hash(claim.access_token))
        and email.lower() == claim.uid.strip().lower()
    )


async def session_token(session: AsyncSession, claim: SessionClaim) -> SessionToken | None:
    """The live signed-in client the claim names, with its agent; None when unknown, ended, expired, or the
    token or uid does not match."""
    if not (claim.access_token and claim.client_id and claim.uid):
        return None
    row = (
        await session.execute(
            select(SessionToken)
            .where(SessionToken.client_id == claim.client_id)
            .options(selectinload(SessionToken.agent))
        )
    ).scalar_one_or_none()
    if row is None:
        return None
    return (
        row
        if _claim_holds(claim, expires_at=row.expires_at, token_hash=row.token_hash, email=row.agent.email)
        else None
    )


# A signed-in client's session row and its agent's email, in one query of SQLAlchemy Core (the ORM's three
# queries with their identity-map work were the largest part of a contact page's API reads).
SIGNED_IN = (
    select(SessionToken.agent_id, SessionToken.expires_at, SessionToken.token_hash, Agent.email)
    .join(Agent, Agent.id == SessionToken.agent_id)
    .where(SessionToken.client_id == bindparam("client_id"))
)


async def signed_in_agent(session: AsyncSession, claim: SessionClaim) -> Agent | None:
    """The agent of the live signed-in client the claim names (`session_token`'s answer): the session is
    checked on every request; the agent comes from `known_signed_in` when it was loaded in the last seconds."""
    if not (claim.access_token and claim.client_id and claim.uid):
        return None
    row = (await session.execute(SIGNED_IN, {"client_id": claim.client_id})).first()
    if row is None or not _claim_holds(claim, expires_at=row.expires_at, token_hash=row.token_hash, email=row.email):
        return None
    agent = known_signed_in.get(row.agent_id)
    if agent is None:
        agent = await session.get(Agent, row.agent_id)
        if agent is None:  # removed between the two queries
            return None
        known_signed_in.put(row.agent_id, agent)
    return agent


async def authenticated_agent(request: Request, credentials: CredentialHeaders) -> Agent:
    """The agent of the `api_access_token` header, or of a signed-in client's devise_token_auth headers
    (`access-token`, `client`, `uid`, or `Authorization: Bearer`); 401 when neither is valid.

    `api_access_token` wins when both are sent, as in Chatwoot. Signed-in clients' sessions are looked up on
    every request, never remembered, so a sign-out ends one at once.
    """
    token = credentials.api_access_token
    if not token:
        claim = credentials.claim()
        if claim.access_token:
            async with runtime_of(request).session() as session:
                signed_in = await signed_in_agent(session, claim)
            if signed_in is None:
                raise ApiProblem.unauthorized("Invalid Access Token")
            return signed_in
    agent = known_tokens.get(token)
    if agent is None:
        async with runtime_of(request).session() as session:
            agent = await agent_by_token(session, token)
        if agent is None:
            raise ApiProblem.unauthorized("Invalid Access Token")
        known_tokens.put(token, agent)
    return agent


async def current_agent(request: Request) -> Agent:
    """The calling agent (`authenticated_agent`), as a dependency."""
    return await authenticated_agent(request, CredentialHeaders.of(request))


async def account_caller(request: Request, account_id: int) -> Caller:
    """The caller in the path's account; 401 when the agent is not a member.

    The agent is found here rather than through a dependency of its own: one level of FastAPI's dependency
    solving less on every API request.
    """
    agent = await authenticated_agent(request, CredentialHeaders.of(request))
    membership: AccountAgent | None = next((m for m in agent.memberships if m.account_id == account_id), None)
    if membership is None:
        raise ApiProblem.unauthorized("You are not authorized to access this account")
    return Caller(agent=agent, account_id=account_id, role=membership.role)


documented_headers(current_agent, CREDENTIAL_HEADERS)
documented_headers(account_caller, CREDENTIAL_HEADERS)


@dataclass(kw_only=True, slots=True)
class _PairFailures:
    count: int
    last: float


class SignInThrottle:
    """Slows down password guessing without letting anyone lock an agent out.

    - Per (email, address): the first `free` failures cost nothing; after that each failure doubles the wait
      before that address may try that email again (1 s, 2 s, 4 s, ... up to `max_delay`).
    - Per address: after `per_address` failures within `window` (any emails), the address waits until the
      oldest ages out. It is much higher than `free`, so a few typos behind one NAT or kiosk lock nobody out.
    - Per email: after `per_email` failures within `window` from anywhere, only addresses that have not failed
      for that email may try it, so a spread-out attack is held back while the owner, from their own
      device, still gets in.
    """

    def __init__(
        self,
        *,
        free: int = 5,
        max_delay: float = 900.0,
        per_address: int = 100,
        per_email: int = 20,
        window: float = 300.0,
        max_keys: int = 100_000,
    ) -> None:
        self.free = free
        self.max_delay = max_delay
        self.per_address = per_address
        self.per_email = per_email
        self.window = window
        self.max_keys = max_keys
        self._pairs: dict[tuple[str, str], _PairFailures] = {}
        self._recent: dict[str, deque[float]] = {}

    def _pair_delay(self, count: int) -> float:
        return min(self.max_delay, 2.0 ** (count - self.free)) if count >= self.free else 0.0

    def _live_pair(self, email: str, address: str, now: float) -> _PairFailures | None:
        pair = self._pairs.get((email, address))
        if pair is not None and now - pair.last > max(self.window, self._pair_delay(pair.count)):
            del self._pairs[(email, address)]
            return None
        return pair

    def _window(self, key: str, now: float) -> deque[float]:
        failures = self._recent.get(key, deque())
        while failures and failures[0] < now - self.window:
            failures.popleft()
        if not failures:
            self._recent.pop(key, None)
        return failures

    def retry_after(self, email: str, address: str) -> int:
        """Whole seconds to wait before this address may try this email again; 0 when it may now."""
        now = time.monotonic()
        waits = [0.0]
        pair = self._live_pair(email, address, now)
        if pair is not None:
            waits.append(pair.last + self._pair_delay(pair.count) - now)
        by_address = self._window(f"ip:{address}", now)
        if len(by_address) >= self.per_address:
            waits.append(by_address[0] + self.window - now)
        by_email = self._window(f"email:{email}", now)
        if pair is not None and len(by_email) >= self.per_email:
            waits.append(by_email[0] + self.window - now)
        wait = max(waits)
        return math.ceil(wait) if wait > 0 else 0

    def failed(self, email: str, address: str) -> None:
        now = time.monotonic()
        if len(self._pairs) + len(self._recent) >= self.max_keys:
            self._forget_stale(now)
        pair = self._live_pair(email, address, now)
        if pair is None:
            self._pairs[(email, address)] = _PairFailures(count=1, last=now)
        else:
            pair.count += 1
            pair.last = now
        for key in (f"ip:{address}", f"email:{email}"):
            self._recent.setdefault(key, self._window(key, now)).append(now)

    def succeeded(self, email: str, address: str) -> None:
        """Forget this address's failures for this email; the address's and the email's totals stay."""
        self._pairs.pop((email, address), None)

    def _forget_stale(self, now: float) -> None:
        for email, address in list(self._pairs):
            self._live_pair(email, address, now)
        for key in list(self._recent):
            self._window(key, now)
        if len(self._pairs) + len(self._recent) >= self.max_keys:
            # Still full of live keys (a flood): start over rather than grow without bound.
            self._pairs.clear()
            self._recent.clear()


LOOPBACK = frozenset({"127.0.0.1", "::1"})


def client_address(connection: HTTPConnection, ui_key: str | None = None) -> str:
    """The client's address: the peer's (a trusted proxy's forwarded one, as uvicorn resolved it), or,
    for a sign-in the app's own UI makes over loopback on a browser's behalf, that browser's address.

    The UI proves itself with `ui_key`, a secret of this process; nobody else can name an address.
    """
    peer = connection.client.host if connection.client else "unknown"
    claimed = connection.headers.get(CLIENT_ADDRESS_HEADER)
    if not (claimed and ui_key and peer in LOOPBACK):
        return peer
    if not hmac.compare_digest(connection.headers.get(UI_KEY_HEADER, "").encode(), ui_key.encode()):
        return peer
    try:
        return str(ipaddress.ip_address(claimed.strip()))
    except ValueError:
        return peer
