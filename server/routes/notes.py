"""Notes on a contact: list (bare array, newest first), create, show, update, delete."""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.validation import has_forbidden_characters
from server import models
from server.auth import Caller
from server.contact_service import find_contact, publish_activity, record
from server.contract import Note
from server.deps import CallerDep, RuntimeDep, SessionDep
from server.errors import EMPTY_ANSWER, ApiProblem, account_router
from server.models import now
from server.routes.params import RowId

router = account_router("notes")
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
async def list_notes(session: SessionDep, contact_id: RowId, caller: CallerDep) -> list[Note]:
    await find_contact(session, caller.account_id, contact_id)
    rows = await session.execute(
        select(models.Note)
        .where(models.Note.account_id == caller.account_id, models.Note.contact_id == contact_id)
        .order_by(models.Note.created_at.desc(), models.Note.id.desc())
    )
    return [Note.model_validate(note) for note in rows.scalars()]


@router.post("/contacts/{contact_id}/notes")
async def create_note(runtime: RuntimeDep, contact_id: RowId, body: NoteBody, caller: CallerDep) -> Note:
    content = checked_content(body.content)
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
        created = Note.model_validate(note)
    await publish_activity(runtime, caller, contact_id, [added], note=created.model_dump())
    return created


@router.get("/contacts/{contact_id}/notes/{note_id}")
async def show_note(session: SessionDep, contact_id: RowId, note_id: RowId, caller: CallerDep) -> Note:
    """One note (a bare object)."""
    return Note.model_validate(await find_note(session, caller, contact_id, note_id))


@router.put("/contacts/{contact_id}/notes/{note_id}")
@router.patch("/contacts/{contact_id}/notes/{note_id}")
async def change_note(
    runtime: RuntimeDep, contact_id: RowId, note_id: RowId, body: NoteChange, caller: CallerDep
) -> Note:
    """Change a note's content; its author stays, `updated_at` moves (Chatwoot lets any agent of the account).
    PUT and PATCH alike."""
    content = checked_content(body.note.content if body.note is not None else body.content)
    async with runtime.writing() as session:
        note = await find_note(session, caller, contact_id, note_id)
        if note.content == content:
            return Note.model_validate(note)
        old = note.content
        note.content = content
        note.updated_at = now()
        changed = record(session, caller, contact_id, caller.account_id, "note_updated", None, old[:255], content[:255])
        await session.commit()
        await session.refresh(note, ["agent"])
        updated = Note.model_validate(note)
    await publish_activity(runtime, caller, contact_id, [changed], note=updated.model_dump())
    return updated


@router.delete("/contacts/{contact_id}/notes/{note_id}", response_class=Response, responses=EMPTY_ANSWER)
async def delete_note(runtime: RuntimeDep, contact_id: RowId, note_id: RowId, caller: CallerDep) -> Response:
    async with runtime.writing() as session:
        note = await find_note(session, caller, contact_id, note_id)
        removed = record(session, caller, contact_id, caller.account_id, "note_deleted", None, note.content[:255], None)
        await session.delete(note)
        await session.commit()
    await publish_activity(runtime, caller, contact_id, [removed], deleted_note_id=note_id)
    return Response(status_code=200)
