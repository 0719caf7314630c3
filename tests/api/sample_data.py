"""Unique field values for fresh contacts, and conversations the API itself cannot create."""

from __future__ import annotations

import asyncio
import random
import uuid

import phonenumbers

from server.db import create_engine, sessions
from server.seed.writer import add_conversations
from tests.support.processes import RunningServer

_issued_phones: set[str] = set()
# Seeded, so every run draws the same numbers: a clash with a stored number fails every run or none.
_phone_digits = random.Random(20_260_101)


def unique_token() -> str:
    return uuid.uuid4().hex[:12]


def unique_email(prefix: str = "api") -> str:
    return f"{prefix}-{unique_token()}@example.com"


def unique_phone() -> str:
    """A valid London number in E.164 that no other test of this run was given."""
    while True:
        candidate = f"+4420{_phone_digits.randint(70_000_000, 89_999_999)}"
        if candidate not in _issued_phones and phonenumbers.is_valid_number(phonenumbers.parse(candidate, None)):
            _issued_phones.add(candidate)
            return candidate


def give_conversations(server: RunningServer, contact_id: int, count: int) -> None:
    """Add `count` conversations (one incoming message each) to a contact, straight into the server's database.

    The contacts API has no endpoint that opens a conversation, so tests arrange them with
    the seed's generator; everything they assert is then read back over HTTP.
    """

    async def add() -> None:
        engine = create_engine(server.database_url)
        try:
            await add_conversations(sessions(engine), contact_id, count)
        finally:
            await engine.dispose()

    asyncio.run(add())
