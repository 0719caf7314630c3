"""Contacts: list, search, create, show, update, delete, merge, custom attribute removal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from api.validation import ATTRIBUTE_FIELDS, check_contact_changes, check_stored_attributes
from server import models
from server.auth import Caller, account_caller
from server.contact_service import (
    attribute_definitions,
    contact_labels_by_id,
    contact_payload,
    contacts_payload,
    etag,
    find_contact,
    labelled_filter,
    record,
    search_filter,
    taken_fields,
    taken_problem,
    update_contact,
)
from server.errors import ApiProblem, ContractRoute
from server.models import now
from server.routes.params import MAX_ID, PageNumber, RowId
from server.runtime import runtime_of
from server.serializers import contact_activity_json, contact_event_json

router = APIRouter(prefix="/api/v1/accounts/{account_id}", route_class=ContractRoute, tags=["contacts"])
PAGE_SIZE = 15
SORTS = {
    "name": models.Contact.name,
    "email": models.Contact.email,
    "phone_number": models.Contact.phone_number,
    "created_at": models.Contact.created_at,
    "last_activity_at": models.Contact.last_activity_at,
}


class ContactChanges(BaseModel):
    """The fields a create or update may carry; all optional, others ignored."""

    model_config = ConfigDict(extra="ignore")

    name: str | None = None
    email: str | None = None
    phone_number: str | None = None
    identifier: str | None = None
    blocked: StrictBool | None = None
    additional_attributes: dict[str, Any] | None = None
    custom_attributes: dict[str, Any] | None = None
    avatar_url: str | None = None
    inbox_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class CustomAttributeKeys(BaseModel):
    custom_attributes: list[str]


class MergeRequest(BaseModel):
    base_contact_id: int = Field(ge=1, le=MAX_ID)
    mergee_contact_id: int = Field(ge=1, le=MAX_ID)


def _order(sort: str) -> Any:
    column = SORTS.get(sort.lstrip("-"), models.Contact.last_activity_at)
    ordered = column.desc() if sort.startswith("-") else column.asc()
    return (ordered.nulls_last(), models.Contact.id.desc())


@dataclass(kw_only=True, slots=True, frozen=True)
class ListingParams:
    """What a list or search page is asked for besides its filter."""

    page: int
    sort: str
    include_labels: bool


def _listing(
    page: PageNumber = 1,
    sort: str = Query("-last_activity_at", max_length=64),
    include_labels: str = Query("", max_length=16, description="Extension: `true` adds each contact's `labels`"),
) -> ListingParams:
    # Read as Chatwoot reads its own `include_contact_inboxes`: only `true` counts, anything else is not an error.
    return ListingParams(page=page, sort=sort, include_labels=include_labels == "true")


async def _page(request: Request, caller: Caller, listing: ListingParams, condition: Any = None) -> dict[str, Any]:
    runtime = runtime_of(request)
    where = models.Contact.account_id == caller.account_id
    if condition is not None:
        where = where & condition
    async with runtime.session() as session:
        count = (await session.execute(select(func.count()).select_from(models.Contact).where(where))).scalar_one()
        rows = await session.execute(
            select(models.Contact)
            .where(where)
            .order_by(*_order(listing.sort))
            .offset((listing.page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
        contacts = list(rows.scalars())
        payload = await contacts_payload(session, contacts)
        if listing.include_labels and runtime.extensions:
            labels = await contact_labels_by_id(session, [contact.id for contact in contacts])
            for item in payload:
                item["labels"] = labels[item["id"]]
    return {"meta": {"count": count, "current_page": listing.page}, "payload": payload}


@router.get("/contacts")
async def list_contacts(
    request: Request,
    caller: Caller = Depends(account_caller),
    listing: ListingParams = Depends(_listing),
    labels: list[str] | None = Query(None, alias="labels[]", max_length=100),
) -> dict[str, Any]:
    """The account's contacts, 15 a page; with `labels[]`, those having any of the labels (Chatwoot's `any: true`)."""
    return await _page(request, caller, listing, None if labels is None else labelled_filter(labels))


@router.get("/contacts/search")
async def search_contacts(
    request: Request,
    caller: Caller = Depends(account_caller),
    q: str = Query("", max_length=255),
    listing: ListingParams = Depends(_listing),
) -> dict[str, Any]:
    """Contacts whose name, email, phone or identifier contains `q`; Chatwoot's search ignores `labels[]`."""
    if not q.strip():
        raise ApiProblem(422, {"error": "Specify search string with parameter q"})
    return await _page(request, caller, listing, search_filter(q))


@router.post("/contacts")
async def create_contact(
    request: Request, body: ContactChanges, caller: Caller = Depends(account_caller)
) -> dict[str, Any]:
    """Create a contact; answers Chatwoot's `{payload: {contact, contact_inbox}}`."""
    runtime = runtime_of(request)
    raw = body.model_dump(exclude_unset=True)
    async with runtime.writing() as session:
        clean = check_contact_changes(raw, await attribute_definitions(session, caller.account_id))
        check_stored_attributes({field: clean.get(field) or {} for field in ATTRIBUTE_FIELDS})
        taken = await taken_fields(session, caller.account_id, clean, None)
        if taken:
            raise ApiProblem.invalid(", ".join(p.message for p in taken), [p.field for p in taken])
        moment = now()
        contact = models.Contact(
            account_id=caller.account_id,
            name=clean.get("name") or "",
            email=clean.get("email"),
            phone_number=clean.get("phone_number"),
            identifier=clean.get("identifier"),
            blocked=clean.get("blocked", False),
            additional_attributes=clean.get("additional_attributes", {}),
            custom_attributes=clean.get("custom_attributes", {}),
            created_at=moment,
            updated_at=moment,
            last_activity_at=None,
            version=1,
        )
        session.add(contact)
        contact_inbox: dict[str, Any] | None = None
        try:
            await session.flush()
            if body.inbox_id is not None:
                inbox = await session.get(models.Inbox, body.inbox_id)
                if inbox is None or inbox.account_id != caller.account_id:
                    raise ApiProblem.invalid("Inbox could not be found", ["inbox_id"])
                link = models.ContactInbox(contact_id=contact.id, inbox_id=inbox.id, source_id=f"contact-{contact.id}")
                session.add(link)
                contact_inbox = {"inbox": {"id": inbox.id, "name": inbox.name}, "source_id": link.source_id}
            record(session, caller, contact.id, caller.account_id, "created")
            await session.commit()
        except IntegrityError as error:
            await session.rollback()
            raise taken_problem(error) from error
        payload = await contact_payload(session, contact)
    await runtime.bus.publish(caller.account_id, "contact.created", contact_event_json(contact, caller.agent))
    return {"payload": {"contact": payload, "contact_inbox": contact_inbox or {"inbox": None, "source_id": None}}}


@router.get("/contacts/{contact_id}")
async def show_contact(
    request: Request, response: Response, contact_id: RowId, caller: Caller = Depends(account_caller)
) -> dict[str, Any]:
    """One contact, with an `ETag` when the extensions are on."""
    runtime = runtime_of(request)
    async with runtime.session() as session:
        contact = await find_contact(session, caller.account_id, contact_id)
        payload = await contact_payload(session, contact)
    if runtime.extensions:
        response.headers["ETag"] = etag(contact)
    return {"payload": payload}


async def _update(
    request: Request,
    response: Response,
    contact_id: RowId,
    body: ContactChanges,
    caller: Caller,
    if_match: str | None,
) -> dict[str, Any]:
    runtime = runtime_of(request)
    contact, payload = await update_contact(
        runtime,
        caller,
        contact_id,
        body.model_dump(exclude_unset=True, exclude={"avatar_url", "inbox_id"}),
        if_match,
    )
    if runtime.extensions:
        response.headers["ETag"] = etag(contact)
    return {"payload": payload}


@router.put("/contacts/{contact_id}")
async def put_contact(
    request: Request,
    response: Response,
    contact_id: RowId,
    body: ContactChanges,
    caller: Caller = Depends(account_caller),
    if_match: str | None = Header(default=None),
) -> dict[str, Any]:
    """Partial update; `If-Match` makes it conditional (409 when stale)."""
    return await _update(request, response, contact_id, body, caller, if_match)


@router.patch("/contacts/{contact_id}")
async def patch_contact(
    request: Request,
    response: Response,
    contact_id: RowId,
    body: ContactChanges,
    caller: Caller = Depends(account_caller),
    if_match: str | None = Header(default=None),
) -> dict[str, Any]:
    """The same as PUT."""
    return await _update(request, response, contact_id, body, caller, if_match)


@router.delete("/contacts/{contact_id}")
async def delete_contact(request: Request, contact_id: RowId, caller: Caller = Depends(account_caller)) -> Response:
    """Delete a contact and what hangs off it, its activity trail too; administrators only.

    The deletion is announced by the `contact.deleted` live event, not kept: a trail entry would keep the id.
    """
    runtime = runtime_of(request)
    async with runtime.writing() as session:
        contact = await find_contact(session, caller.account_id, contact_id)
        if not caller.is_administrator:
            raise ApiProblem.unauthorized("You are not authorized to do this action")
        data = contact_event_json(contact, caller.agent)
        await session.delete(contact)
        await session.commit()
    await runtime.bus.publish(caller.account_id, "contact.deleted", data)
    return Response(status_code=200)


@router.post("/contacts/{contact_id}/destroy_custom_attributes")
async def destroy_custom_attributes(
    request: Request, contact_id: RowId, body: CustomAttributeKeys, caller: Caller = Depends(account_caller)
) -> dict[str, Any]:
    """Remove custom attribute keys (Chatwoot's only way to delete one)."""
    runtime = runtime_of(request)
    async with runtime.writing() as session:
        contact = await find_contact(session, caller.account_id, contact_id)
        current = dict(contact.custom_attributes or {})
        removed = {key: current.pop(key) for key in body.custom_attributes if key in current}
        if removed:
            await session.execute(
                update(models.Contact)
                .where(models.Contact.id == contact.id)
                .values(custom_attributes=current, version=models.Contact.version + 1, updated_at=now())
            )
            recorded = [
                record(session, caller, contact.id, caller.account_id, "updated", f"custom_attributes.{key}", old, None)
                for key, old in removed.items()
            ]
            await session.commit()
            contact = await find_contact(session, caller.account_id, contact_id)
        payload = await contact_payload(session, contact)
    if removed:
        data = contact_event_json(contact, caller.agent)
        if runtime.extensions:
            data["activity"] = [contact_activity_json(event, caller.agent) for event in recorded]
        await runtime.bus.publish(caller.account_id, "contact.updated", data)
    return {"payload": payload}


@router.post("/actions/contact_merge")
async def merge_contacts(
    request: Request, body: MergeRequest, caller: Caller = Depends(account_caller)
) -> dict[str, Any]:
    """Merge the mergee into the base contact; answers the base contact (a bare object).

    Conversations, notes, inboxes and labels move to the base; the mergee's own trail goes with it.
    """
    runtime = runtime_of(request)
    if body.base_contact_id == body.mergee_contact_id:
        raise ApiProblem.invalid("Mergee contact must differ from the base contact", ["mergee_contact_id"])
    async with runtime.writing() as session:
        base = await find_contact(session, caller.account_id, body.base_contact_id)
        mergee = await find_contact(session, caller.account_id, body.mergee_contact_id)
        mergee_data = contact_event_json(mergee, caller.agent)
        values: dict[str, Any] = {
            "additional_attributes": {
                **(mergee.additional_attributes or {}),
                **(base.additional_attributes or {}),
            },
            "custom_attributes": {**(mergee.custom_attributes or {}), **(base.custom_attributes or {})},
            "last_activity_at": max(filter(None, [base.last_activity_at, mergee.last_activity_at]), default=None),
        }
        check_stored_attributes(
            {field: values[field] for field in ATTRIBUTE_FIELDS},
            {field: getattr(base, field) or {} for field in ATTRIBUTE_FIELDS},
        )
        for field in ("email", "phone_number", "identifier"):
            if getattr(base, field) is None and getattr(mergee, field) is not None:
                values[field] = getattr(mergee, field)
        for table in (models.Conversation, models.Note, models.ContactInbox):
            await session.execute(update(table).where(table.contact_id == mergee.id).values(contact_id=base.id))
        base_labels = set(
            (
                await session.execute(
                    select(models.ContactLabel.title).where(models.ContactLabel.contact_id == base.id)
                )
            ).scalars()
        )
        for title in (
            await session.execute(select(models.ContactLabel.title).where(models.ContactLabel.contact_id == mergee.id))
        ).scalars():
            if title not in base_labels:
                session.add(models.ContactLabel(contact_id=base.id, title=title))
        await session.execute(delete(models.ContactLabel).where(models.ContactLabel.contact_id == mergee.id))
        await session.delete(mergee)
        await session.flush()
        await session.execute(
            update(models.Contact)
            .where(models.Contact.id == base.id)
            .values(**values, version=models.Contact.version + 1, updated_at=now())
        )
        record(session, caller, base.id, caller.account_id, "merged", None, mergee.id, base.id)
        await session.commit()
        base = await find_contact(session, caller.account_id, base.id)
        payload = await contact_payload(session, base)
    await runtime.bus.publish(caller.account_id, "contact.deleted", mergee_data)
    await runtime.bus.publish(caller.account_id, "contact.merged", contact_event_json(base, caller.agent))
    return payload
