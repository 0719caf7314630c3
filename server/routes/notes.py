"""Notes on a contact: list (bare array, newest first), create, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel
from sqlalchemy import select

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
    content = body.content.strip()
    if not content:
        raise ApiProblem.invalid("Content can't be blank", ["content"])
    if has_forbidden_characters(content):
        raise ApiProblem.invalid("Content contains characters that are not allowed", ["content"])
    if len(content) > MAX_NOTE:
        raise ApiProblem.invalid(f"Content is too long (maximum is {MAX_NOTE} characters)", ["content"])
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


@router.delete("/contacts/{contact_id}/notes/{note_id}")
async def delete_note(
    request: Request, contact_id: RowId, note_id: RowId, caller: Caller = Depends(account_caller)
) -> Response:
    runtime = runtime_of(request)
    async with runtime.writing() as session:
        await find_contact(session, caller.account_id, contact_id)
        note = await session.get(models.Note, note_id)
        if note is None or note.account_id != caller.account_id or note.contact_id != contact_id:
            raise ApiProblem.not_found()
        removed = record(session, caller, contact_id, caller.account_id, "note_deleted", None, note.content[:255], None)
        await session.delete(note)
        await session.commit()
    await publish_activity(runtime, caller, contact_id, [removed], deleted_note_id=note_id)
    return Response(status_code=200)
