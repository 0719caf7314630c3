"""A contact's activity trail (`GET /contacts/{id}/events`), an extension beyond Chatwoot."""

from __future__ import annotations

from sqlalchemy import and_, func, select

from server import models
from server.contact_service import find_contact
from server.contract import ContactEvent, ContactEventPage, CountMeta
from server.deps import CallerDep, RuntimeDep, SessionDep
from server.errors import ApiProblem, account_router
from server.routes.params import PageNumber, RowId

router = account_router("activity")
PAGE_SIZE = 25


@router.get("/contacts/{contact_id}/events")
async def contact_events(
    runtime: RuntimeDep, session: SessionDep, contact_id: RowId, caller: CallerDep, page: PageNumber = 1
) -> ContactEventPage:
    """What happened to the contact, newest first, 25 a page."""
    if not runtime.extensions:
        raise ApiProblem.not_found()
    await find_contact(session, caller.account_id, contact_id)
    condition = and_(models.ContactEvent.account_id == caller.account_id, models.ContactEvent.contact_id == contact_id)
    count = (await session.execute(select(func.count()).select_from(models.ContactEvent).where(condition))).scalar_one()
    rows = await session.execute(
        select(models.ContactEvent)
        .where(condition)
        .order_by(models.ContactEvent.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    payload = [ContactEvent.of(event, event.agent) for event in rows.scalars()]
    return ContactEventPage(meta=CountMeta(count=count, current_page=page), payload=payload)
