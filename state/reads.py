"""What pages show straight from the server without keeping it in the store: contact lists, conversations,
a contact's duplicate suggestions.

Each read fails with `LoadFailed`, whose problem the page tells the agent (`state.problems.describe`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from api.errors import ApiError
from api.models import Contact, ContactPage, Conversation, DuplicateSuggestion, Message
from state.problems import LoadFailed, problem_of
from state.session import AgentSession

T = TypeVar("T")


async def _read(request: Awaitable[T]) -> T:
    try:
        return await request
    except ApiError as error:
        raise LoadFailed(problem_of(error)) from error


async def contact_list(
    session: AgentSession, *, query: str, page: int, sort: str, labels: tuple[str, ...]
) -> ContactPage:
    """One page of the account's contacts: the search for `query`, or those with any of `labels`, or all."""
    client = session.client
    if query:
        return await _read(client.search_contacts(query, page, sort))
    return await _read(client.list_contacts(page, sort, labels))


async def label_titles(session: AgentSession) -> list[str]:
    """The account's labels by title."""
    return [label.title for label in await _read(session.client.account_labels())]


async def conversations(session: AgentSession, status: str) -> list[Conversation]:
    """The first page of the account's conversations with this status."""
    return await _read(session.client.conversations(status=status))


async def conversation(session: AgentSession, conversation_id: int) -> Conversation:
    return await _read(session.client.conversation(conversation_id))


async def conversation_with_messages(session: AgentSession, conversation_id: int) -> tuple[Conversation, list[Message]]:
    """A conversation and its messages, read together."""
    client = session.client
    found, messages = await _read(
        asyncio.gather(client.conversation(conversation_id), client.conversation_messages(conversation_id))
    )
    return found, messages


async def duplicate_suggestions(session: AgentSession, contact: Contact) -> list[DuplicateSuggestion]:
    """The account's other contacts that may be the same person as `contact`, each with its reasons (by the
    embedded server's indexes, or on Chatwoot by its search for the email and phone number)."""
    return await _read(session.client.duplicate_suggestions(contact))
