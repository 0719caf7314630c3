"""A contact's activity trail (`GET /contacts/{id}/events`), an extension beyond Chatwoot."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import and_, func, select

from server import models
from server.auth import Caller, account_caller
from server.contact_service import find_contact
from server.errors import ApiProblem, ContractRoute
from server.routes.params import PageNumber, RowId
from server.runtime import runtime_of
from server.serializers import contact_activity_json

router = APIRouter(prefix="/api/v1/accounts/{account_id}", route_class=ContractRoute, tags=["activity"])
PAGE_SIZE = 25


@router.get("/contacts/{contact_id}/events")
async def contact_events(
    request: Request,
    contact_id: RowId,
    caller: Caller = Depends(account_caller),
    page: PageNumber = 1,
) -> dict[str, Any]:
    """What happened to the contact, newest first, 25 a page."""
    runtime = runtime_of(request)
    if not runtime.extensions:
        raise ApiProblem.not_found()
    async with runtime.session() as session:
        await find_contact(session, caller.account_id, contact_id)
        condition = and_(
            models.ContactEvent.account_id == caller.account_id, models.ContactEvent.contact_id == contact_id
        )
        count = (
            await session.execute(select(func.count()).select_from(models.ContactEvent).where(condition))
        ).scalar_one()
        rows = await session.execute(
            select(models.ContactEvent)
            .where(condition)
            .order_by(models.ContactEvent.id.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
        payload = [contact_activity_json(event, event.agent) for event in rows.scalars()]
    return {"meta": {"count": count, "current_page": page}, "payload": payload}
