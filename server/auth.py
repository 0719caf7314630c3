"""Passwords, tokens, the current agent, and slowing down repeated failed sign-ins."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import deque
from dataclasses import dataclass

from fastapi import Depends, Header, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from server.errors import ApiProblem
from server.models import AccountAgent, Agent
from server.runtime import runtime_of

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


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


class KnownTokens:
    """Agents by token for a few seconds, so a busy agent's requests skip two queries each.

    Tokens never change here; an agent removed from the database stays known for at most `ttl` seconds.
    """

    def __init__(self, ttl: float = 30.0, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._agents: dict[str, tuple[float, Agent]] = {}

    def get(self, token: str) -> Agent | None:
        known = self._agents.get(token)
        if known is None or known[0] < time.monotonic():
            self._agents.pop(token, None)
            return None
        return known[1]

    def put(self, token: str, agent: Agent) -> None:
        if len(self._agents) >= self.size:
            self._agents.clear()
        self._agents[token] = (time.monotonic() + self.ttl, agent)


known_tokens = KnownTokens()


async def current_agent(
    request: Request, api_access_token: str = Header(default="", convert_underscores=False)
) -> Agent:
    """The agent of the `api_access_token` header; 401 when unknown."""
    agent = known_tokens.get(api_access_token)
    if agent is None:
        async with runtime_of(request).session() as session:
            agent = await agent_by_token(session, api_access_token)
        if agent is None:
            raise ApiProblem.unauthorized("Invalid Access Token")
        known_tokens.put(api_access_token, agent)
    return agent


async def account_caller(account_id: int, agent: Agent = Depends(current_agent)) -> Caller:
    """The caller in the path's account; 401 when the agent is not a member."""
    membership: AccountAgent | None = next((m for m in agent.memberships if m.account_id == account_id), None)
    if membership is None:
        raise ApiProblem.unauthorized("You are not authorized to access this account")
    return Caller(agent=agent, account_id=account_id, role=membership.role)


class SignInThrottle:
    """Slows down guessing: after `per_email` failures for one email, or `per_address` from one address,
    within `window` seconds, answer 429 until the oldest failure ages out.

    The address limit is much higher, so a few typos behind one NAT or kiosk do not lock everyone out.
    """

    def __init__(
        self, per_email: int = 5, per_address: int = 100, window: float = 300.0, max_keys: int = 100_000
    ) -> None:
        self.per_email = per_email
        self.per_address = per_address
        self.window = window
        self.max_keys = max_keys
        self._failures: dict[str, deque[float]] = {}

    def _limit(self, key: str) -> int:
        return self.per_address if key.startswith("ip:") else self.per_email

    def _recent(self, key: str) -> deque[float]:
        failures = self._failures.get(key, deque())
        cutoff = time.monotonic() - self.window
        while failures and failures[0] < cutoff:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)
        return failures

    def retry_after(self, *keys: str) -> int:
        """Seconds to wait before another attempt, 0 when allowed."""
        waits = [
            int(failures[0] + self.window - time.monotonic()) + 1
            for key in keys
            if len(failures := self._recent(key)) >= self._limit(key)
        ]
        return max(waits, default=0)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        if len(self._failures) >= self.max_keys:
            for stale in [k for k in list(self._failures) if not self._recent(k)]:
                self._failures.pop(stale, None)
        for key in keys:
            self._failures.setdefault(key, self._recent(key)).append(now)

    def succeeded(self, key: str) -> None:
        """Forget the failures of a key (the email that just signed in; never the shared address)."""
        self._failures.pop(key, None)


def client_address(connection: HTTPConnection) -> str:
    """The peer's address (the reverse proxy's, behind one)."""
    return connection.client.host if connection.client else "unknown"
