"""Account labels and a contact's labels (POST replaces the whole list)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy import delete, select

from api.validation import MAX_STRING, has_forbidden_characters
from server import models
from server.auth import Caller, account_caller
from server.contact_service import find_contact, publish_activity, record
from server.errors import ApiProblem, ContractRoute
from server.routes.params import RowId
from server.runtime import runtime_of
from server.serializers import label_json

router = APIRouter(prefix="/api/v1/accounts/{account_id}", route_class=ContractRoute, tags=["labels"])


class LabelList(BaseModel):
    labels: list[str] = Field(max_length=100)


@router.get("/labels")
async def account_labels(request: Request, caller: Caller = Depends(account_caller)) -> dict[str, Any]:
    runtime = runtime_of(request)
    async with runtime.session() as session:
        rows = await session.execute(
            select(models.Label).where(models.Label.account_id == caller.account_id).order_by(models.Label.title)
        )
        return {"payload": [label_json(label) for label in rows.scalars()]}


async def _titles(request: Request, contact_id: int) -> list[str]:
    async with runtime_of(request).session() as session:
        rows = await session.execute(
            select(models.ContactLabel.title)
            .where(models.ContactLabel.contact_id == contact_id)
            .order_by(models.ContactLabel.title)
        )
        return list(rows.scalars())


@router.get("/contacts/{contact_id}/labels")
async def contact_labels(
    request: Request, contact_id: RowId, caller: Caller = Depends(account_caller)
) -> dict[str, Any]:
    async with runtime_of(request).session() as session:
        await find_contact(session, caller.account_id, contact_id)
    return {"payload": await _titles(request, contact_id)}


@router.post("/contacts/{contact_id}/labels")
async def replace_contact_labels(
    request: Request, contact_id: RowId, body: LabelList, caller: Caller = Depends(account_caller)
) -> dict[str, Any]:
    """Set the contact's labels to exactly `labels` and record what was added and removed."""
    wanted = list(dict.fromkeys(title.strip().lower() for title in body.labels if title.strip()))
    if any(len(title) > MAX_STRING for title in wanted):
        raise ApiProblem.invalid(f"Labels is too long (maximum is {MAX_STRING} characters)", ["labels"])
    if any(has_forbidden_characters(title) for title in wanted):
        raise ApiProblem.invalid("Labels contains characters that are not allowed", ["labels"])
    runtime = runtime_of(request)
    async with runtime.writing() as session:
        await find_contact(session, caller.account_id, contact_id)
        current = set(
            (
                await session.execute(
                    select(models.ContactLabel.title).where(models.ContactLabel.contact_id == contact_id)
                )
            ).scalars()
        )
        removed = current - set(wanted)
        added = [title for title in wanted if title not in current]
        if removed:
            await session.execute(
                delete(models.ContactLabel).where(
                    models.ContactLabel.contact_id == contact_id, models.ContactLabel.title.in_(removed)
                )
            )
        recorded = []
        for title in added:
            session.add(models.ContactLabel(contact_id=contact_id, title=title))
            recorded.append(
                record(session, caller, contact_id, caller.account_id, "label_added", "labels", None, title)
            )
        for title in sorted(removed):
            recorded.append(
                record(session, caller, contact_id, caller.account_id, "label_removed", "labels", title, None)
            )
        await session.commit()
    titles = await _titles(request, contact_id)
    await publish_activity(runtime, caller, contact_id, recorded, labels=titles)
    return {"payload": titles}
