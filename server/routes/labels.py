"""Account labels and a contact's labels (POST replaces the whole list)."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.validation import MAX_STRING, has_forbidden_characters
from server import models
from server.contact_service import find_contact, publish_activity, record
from server.contract import Label, Labels, Titles
from server.deps import CallerDep, RuntimeDep, SessionDep
from server.errors import ApiProblem, account_router
from server.routes.params import RowId

router = account_router("labels")


class LabelList(BaseModel):
    labels: list[str] = Field(max_length=100)


@router.get("/labels")
async def account_labels(session: SessionDep, caller: CallerDep) -> Labels:
    rows = await session.execute(
        select(models.Label).where(models.Label.account_id == caller.account_id).order_by(models.Label.title)
    )
    return Labels(payload=[Label.model_validate(label) for label in rows.scalars()])


async def _titles(session: AsyncSession, contact_id: int) -> Titles:
    rows = await session.execute(
        select(models.ContactLabel.title)
        .where(models.ContactLabel.contact_id == contact_id)
        .order_by(models.ContactLabel.title)
    )
    return Titles(payload=list(rows.scalars()))


@router.get("/contacts/{contact_id}/labels")
async def contact_labels(session: SessionDep, contact_id: RowId, caller: CallerDep) -> Titles:
    await find_contact(session, caller.account_id, contact_id)
    return await _titles(session, contact_id)


@router.post("/contacts/{contact_id}/labels")
async def replace_contact_labels(runtime: RuntimeDep, contact_id: RowId, body: LabelList, caller: CallerDep) -> Titles:
    """Set the contact's labels to exactly `labels` and record what was added and removed."""
    wanted = list(dict.fromkeys(title.strip().lower() for title in body.labels if title.strip()))
    if any(len(title) > MAX_STRING for title in wanted):
        raise ApiProblem.invalid(f"Labels is too long (maximum is {MAX_STRING} characters)", ["labels"])
    if any(has_forbidden_characters(title) for title in wanted):
        raise ApiProblem.invalid("Labels contains characters that are not allowed", ["labels"])
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
        titles = await _titles(session, contact_id)
    await publish_activity(runtime, caller, contact_id, recorded, labels=titles.payload)
    return titles
