"""Notes on a contact: list (bare array, newest first), create, show, update, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.validation import has_forbidden_characters
from server import models
from server.auth import Caller, account_caller
from server.contact_service import find_contact, publish_activity, record
from server.errors import ApiProblem, ContractRoute
from server.models import now
from server.routes.params import RowId
from server.runtime import runtime_of
from server.serializers import note_json

router = APIRouter(prefix="/api/v1/accounts/{account_id}", route_class=ContractRoute, tags=["notes"])
MAX_NOTE = 10_000


class NoteBody(BaseModel):
    content: str


class NoteChange(BaseModel):
    """An update: `content` at the top or, as Rails also reads it, under `note`."""

    content: str | None = None
    note: NoteBody | None = None


def checked_content(text: str | None) -> str:
    """The note's text, stripped; 422 when blank, too long or not storable."""
    content = (text or "").strip()
    if not content:
        raise ApiProblem.invalid("Content can't be blank", ["content"])
    if has_forbidden_characters(content):
        raise ApiProblem.invalid("Content contains characters that are not allowed", ["content"])
    if len(content) > MAX_NOTE:
        raise ApiProblem.invalid(f"Content is too long (maximum is {MAX_NOTE} characters)", ["content"])
    return content


async def find_note(session: AsyncSession, caller: Caller, contact_id: int, note_id: int) -> models.Note:
    """The note of the account's contact; 404 when missing, another contact's or another account's."""
    await find_contact(session, caller.account_id, contact_id)
    note = await session.get(models.Note, note_id, populate_existing=True)
    if note is None or note.account_id != caller.account_id or note.contact_id != contact_id:
        raise ApiProblem.not_found()
    return note


@router.get("/contacts/{contact_id}/notes")
async def list_notes(
    request: Request, contact_id: RowId, caller: Caller = Depends(account_caller)
) -> list[dict[str, Any]]:
    async with runtime_of(request).session() as session:
        await find_contact(session, caller.account_id, contact_id)
        rows = await session.execute(
            select(models.Note)
            .where(models.Note.account_id == caller.account_id, models.Note.contact_id == contact_id)
            .order_by(models.Note.created_at.desc(), models.Note.id.desc())
        )
        return [note_json(note) for note in rows.scalars()]


@router.post("/contacts/{contact_id}/notes")
async def create_note(
    request: Request, contact_id: RowId, body: NoteBody, caller: Caller = Depends(account_caller)
) -> dict[str, Any]:
    content = checked_content(body.content)
    runtime = runtime_of(request)
    async with runtime.writing() as session:
        await find_contact(session, caller.account_id, contact_id)
        moment = now()
        note = models.Note(
            account_id=caller.account_id,
            contact_id=contact_id,
            agent_id=caller.agent.id,
            content=content,
            created_at=moment,
            updated_at=moment,
        )
        session.add(note)
        await session.flush()
        added = record(session, caller, contact_id, caller.account_id, "note_added", None, None, content[:255])
        await session.commit()
        await session.refresh(note, ["agent"])
        created = note_json(note)
    await publish_activity(runtime, caller, contact_id, [added], note=created)
    return created


@router.get("/contacts/{contact_id}/notes/{note_id}")
async def show_note(
    request: Request, contact_id: RowId, note_id: RowId, caller: Caller = Depends(account_caller)
) -> dict[str, Any]:
    """One note (a bare object)."""
    async with runtime_of(request).session() as session:
        return note_json(await find_note(session, caller, contact_id, note_id))


async def _update_note(
    request: Request, contact_id: int, note_id: int, body: NoteChange, caller: Caller
) -> dict[str, Any]:
    content = checked_content(body.note.content if body.note is not None else body.content)
    runtime = runtime_of(request)
    async with runtime.writing() as session:
        note = await find_note(session, caller, contact_id, note_id)
        if note.content == content:
            return note_json(note)
        old = note.content
        note.content = content
        note.updated_at = now()
        changed = record(session, caller, contact_id, caller.account_id, "note_updated", None, old[:255], content[:255])
        await session.commit()
        await session.refresh(note, ["agent"])
        updated = note_json(note)
    await publish_activity(runtime, caller, contact_id, [changed], note=updated)
    return updated


@router.patch("/contacts/{contact_id}/notes/{note_id}")
async def patch_note(
    request: Request, contact_id: RowId, note_id: RowId, body: NoteChange, caller: Caller = Depends(account_caller)
) -> dict[str, Any]:
    """Change a note's content; its author stays, `updated_at` moves (Chatwoot lets any agent of the account)."""
    return await _update_note(request, contact_id, note_id, body, caller)


@router.put("/contacts/{contact_id}/notes/{note_id}")
async def put_note(
    request: Request, contact_id: RowId, note_id: RowId, body: NoteChange, caller: Caller = Depends(account_caller)
) -> dict[str, Any]:
    """The same as PATCH."""
    return await _update_note(request, contact_id, note_id, body, caller)


@router.delete("/contacts/{contact_id}/notes/{note_id}")
async def delete_note(
    request: Request, contact_id: RowId, note_id: RowId, caller: Caller = Depends(account_caller)
) -> Response:
    runtime = runtime_of(request)
    async with runtime.writing() as session:
        note = await find_note(session, caller, contact_id, note_id)
        removed = record(session, caller, contact_id, caller.account_id, "note_deleted", None, note.content[:255], None)
        await session.delete(note)
        await session.commit()
    await publish_activity(runtime, caller, contact_id, [removed], deleted_note_id=note_id)
    return Response(status_code=200)
