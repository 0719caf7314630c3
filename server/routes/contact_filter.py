"""Contacts filter: Chatwoot's `POST /contacts/filter`, a page of the contacts matching a list of conditions."""

from __future__ import annotations

import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from server import models
from server.auth import Caller, account_caller
from server.contact_filter import MAX_CONDITIONS, ContactFilter, FilterInvalid, conditions_of
from server.contact_service import attribute_definitions, contact_labels_by_id, contacts_payload
from server.errors import ApiProblem, ContractRoute
from server.routes.contacts import PAGE_SIZE, SORTS
from server.routes.params import PageNumber
from server.runtime import runtime_of

router = APIRouter(prefix="/api/v1/accounts/{account_id}", route_class=ContractRoute, tags=["contacts"])


class FilterRequest(BaseModel):
    """The conditions; each is read by `server.contact_filter`, which answers Chatwoot's 422 for a bad one."""

    model_config = ConfigDict(extra="ignore")

    payload: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_CONDITIONS)


def _order(sort: str) -> tuple[Any, Any]:
    column = SORTS.get(sort.lstrip("-"), models.Contact.last_activity_at)
    ordered = column.desc() if sort.startswith("-") else column.asc()
    return ordered.nulls_last(), models.Contact.id.desc()


@router.post("/contacts/filter")
async def filter_contacts(
    request: Request,
    body: FilterRequest,
    caller: Caller = Depends(account_caller),
    page: PageNumber = 1,
    sort: str = Query("-last_activity_at", max_length=64),
    include_labels: str = Query("", max_length=16, description="Extension: `true` adds each contact's `labels`"),
) -> dict[str, Any]:
    """The account's contacts matching every condition as chained, 15 a page, sorted as the list is."""
    runtime = runtime_of(request)
    async with runtime.session() as session:
        definitions = await attribute_definitions(session, caller.account_id)
        contact_filter = ContactFilter(
            {key: definition["attribute_display_type"] for key, definition in definitions.items()},
            postgres=runtime.engine.dialect.name == "postgresql",
            today=datetime.datetime.now(datetime.UTC).date(),
        )
        try:
            condition = contact_filter.condition(conditions_of(body.payload))
        except FilterInvalid as invalid:
            raise ApiProblem(422, {"error": str(invalid)}) from invalid
        where = (models.Contact.account_id == caller.account_id) & condition
        count = (await session.execute(select(func.count()).select_from(models.Contact).where(where))).scalar_one()
        rows = await session.execute(
            select(models.Contact).where(where).order_by(*_order(sort)).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
        )
        contacts = list(rows.scalars())
        payload = await contacts_payload(session, contacts)
        if include_labels == "true" and runtime.extensions:
            labels = await contact_labels_by_id(session, [contact.id for contact in contacts])
            for item in payload:
                item["labels"] = labels[item["id"]]
    return {"meta": {"count": count, "current_page": page}, "payload": payload}
