"""Contacts: list, search, active, create, show, update, delete, merge, avatar, contactable inboxes,
custom attribute removal."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from api.error_codes import ErrorCode
from api.protocol import EXISTING_CONTACT_EXTENSION, MERGE_UNDO_HEADER, MERGE_UNDO_UNTIL_HEADER
from api.validation import ATTRIBUTE_FIELDS, AVATAR_MAX_BYTES, check_stored_attributes
from server import contact_merge, models
from server.auth import Caller
from server.avatars import (
    AVATAR_REMOVED,
    AvatarChange,
    avatar_problem,
    keep_avatar,
    linked_avatar,
    resize_avatar,
    uploaded_avatar,
)
from server.contact_merge import MergeRequest
from server.contact_reads import contact_row
from server.contact_service import (
    add_labels,
    check_changes,
    contact_inboxes,
    contact_payload,
    contacts_payload,
    etag,
    find_contact,
    label_titles,
    record,
    taken_contacts,
    taken_problem,
    taken_refusal,
    update_contact,
)
from server.contract import (
    Contact,
    ContactableInbox,
    ContactableInboxes,
    ContactCreation,
    ContactEvent,
    ContactPage,
    ContactPayload,
    CreatedContact,
    CreatedContactInbox,
    CreatedInbox,
    ErrorAnswer,
    Inbox,
    PageMeta,
    UndoneMerge,
    UndoneMergePayload,
    contact_event_data,
)
from server.deps import CallerDep, RuntimeDep, SessionDep
from server.errors import CONFLICT_ERRORS, EMPTY_ANSWER, ApiProblem, account_router
from server.models import now
from server.routes.params import MAX_ID, PageNumber, RowId
from server.runtime import ServerRuntime, asked_for
from server.search import ContactPages

router = account_router("contacts")
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


CONTACT_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": ContactChanges.model_json_schema()},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    **{name: {"type": "string"} for name in ("name", "email", "phone_number", "identifier")},
                    "avatar": {"type": "string", "format": "binary"},
                },
            }
        },
    },
}
MAX_FORM_FIELDS = 250
_FORM_KEY = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)")


@dataclass(kw_only=True, slots=True, frozen=True)
class ContactRequest:
    """A create's or update's body: the fields, and the picture it uploads or links (None: left alone)."""

    changes: ContactChanges
    avatar: AvatarChange | None


def _form_value(value: str) -> Any:
    """A form field's text as Rails would cast it for the JSON-typed fields: booleans from their words."""
    return {"true": True, "false": False}.get(value, value)


def _nest_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Rails' reading of form keys: `custom_attributes[plan]` into objects, `emails[]` into lists."""
    body: dict[str, Any] = {}
    for key, value in pairs:
        match = _FORM_KEY.fullmatch(key)
        if match is None:
            continue
        path = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        node = body
        for depth, part in enumerate(path):
            last = depth == len(path) - 1
            following = None if last else path[depth + 1]
            if last:
                if isinstance(node, dict):
                    node[part] = _form_value(value) if part == "blocked" else value
                break
            if following == "":
                if isinstance(node, dict):
                    items = node.setdefault(part, [])
                    if isinstance(items, list):
                        items.append(value)
                break
            child = node.setdefault(part, {}) if isinstance(node, dict) else None
            if not isinstance(child, dict):
                break
            node = child
    return body


def _invalid_body(errors: list[dict[str, Any]]) -> RequestValidationError:
    return RequestValidationError([{**error, "loc": ("body", *error.get("loc", ()))} for error in errors])


def _json_body(body: bytes, content_type: str) -> Any:
    """A JSON body read as FastAPI reads one (malformed: 400; absent or of another type: 422)."""
    kind = content_type.split(";")[0].strip().lower()
    if not body:
        raise _invalid_body([{"type": "missing", "loc": (), "msg": "Field required", "input": None}])
    if kind and kind != "application/json" and not kind.endswith("+json"):
        raise _invalid_body(
            [{"type": "model_attributes_type", "loc": (), "msg": "Input should be a JSON object", "input": None}]
        )
    try:
        return json.loads(body)
    except ValueError as error:  # JSONDecodeError, or bytes that are not UTF-8
        raise RequestValidationError(
            [{"type": "json_invalid", "loc": ("body", 0), "msg": "JSON decode error", "input": {}}]
        ) from error


async def contact_request(request: Request, runtime: RuntimeDep, caller: CallerDep) -> ContactRequest:
    """Read a create's or update's body as JSON or, as Rails also reads one (Chatwoot's dashboard sends a picture so),
    a form.

    A JSON body is read as FastAPI reads one (malformed: 400; not an object or wrong types: 422). A picture is
    checked and resized here, after the caller is known and before any write waits its turn.
    """
    content_type = request.headers.get("content-type", "")
    upload: UploadFile | None = None
    try:
        if content_type.lower().startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS)
            pairs: list[tuple[str, str]] = []
            for key, value in form.multi_items():
                if isinstance(value, str):
                    pairs.append((key, value))
                elif key == "avatar" and (value.filename or value.size):
                    upload = value
            raw: Any = _nest_form(pairs)
        else:
            raw = _json_body(await request.body(), content_type)
    except (ClientDisconnect, RecursionError) as error:
        # As FastAPI answers a body it cannot read: a client gone mid-body (its read timed out, so this answer goes
        # nowhere) or JSON nested deeper than the parser goes is the client's fault, never a 500.
        raise HTTPException(status_code=400, detail="There was an error parsing the body") from error
    try:
        changes = ContactChanges.model_validate(raw)
    except ValidationError as error:
        raise _invalid_body([dict(issue) for issue in error.errors(include_url=False)]) from error
    avatar = linked_avatar(changes.avatar_url)
    if upload is not None:
        data = await upload.read(AVATAR_MAX_BYTES + 1)
        if len(data) > AVATAR_MAX_BYTES:
            raise avatar_problem(ErrorCode.AVATAR_TOO_BIG)
        avatar = uploaded_avatar(caller.account_id, await asyncio.to_thread(resize_avatar, data))
    return ContactRequest(changes=changes, avatar=avatar)


ContactBody = Annotated[ContactRequest, Depends(contact_request)]


async def include_contact_inboxes(
    include_contact_inboxes: str = Query("", max_length=16, description="`false` leaves `contact_inboxes` out"),
) -> bool:
    """Chatwoot's reading: absent or blank means true, otherwise only `true` is true."""
    return include_contact_inboxes == "true" or not include_contact_inboxes


WithContactInboxes = Annotated[bool, Depends(include_contact_inboxes)]


class CustomAttributeKeys(BaseModel):
    custom_attributes: list[str]


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
    with_contact_inboxes: bool


async def _listing(
    with_contact_inboxes: WithContactInboxes,
    page: PageNumber = 1,
    sort: str = Query("-last_activity_at", max_length=64),
    include_labels: str = Query("", max_length=16, description="Extension: `true` adds each contact's `labels`"),
) -> ListingParams:
    # Read as Chatwoot reads its own `include_contact_inboxes`: only `true` counts, anything else is not an error.
    return ListingParams(
        page=page, sort=sort, include_labels=include_labels == "true", with_contact_inboxes=with_contact_inboxes
    )


async def _page(
    runtime: ServerRuntime,
    session: AsyncSession,
    caller: Caller,
    listing: ListingParams,
    titles: set[str] | None = None,
    query: str | None = None,
) -> ContactPage:
    """A page of 15 of the list (narrowed to the contacts with any of the label `titles`) or of the search
    for `query`.

    `meta.has_more` tells whether another page follows (Chatwoot's search sends it). With the extensions on,
    `count` stops at COUNT_LIMIT: then it is a lower bound and `meta.count_capped` is true (CONTRACT.md).
    """
    offset = (listing.page - 1) * PAGE_SIZE
    pages = ContactPages(session, caller.account_id, _order(listing.sort), exact_count=not runtime.extensions)
    if query is not None:
        found = await pages.search(query, offset, PAGE_SIZE)
    elif titles is not None:
        found = await pages.labelled(titles, offset, PAGE_SIZE)
    else:
        found = await pages.listing(None, offset, PAGE_SIZE)
    contacts = await _contacts_in_order(session, found.ids)
    payload = await contacts_payload(session, contacts, with_contact_inboxes=listing.with_contact_inboxes)
    if listing.include_labels and runtime.extensions:
        await add_labels(session, payload)
    meta = PageMeta(
        count=found.count, current_page=listing.page, has_more=found.has_more, count_capped=found.capped or None
    )
    return ContactPage(meta=meta, payload=payload)


async def _contacts_in_order(session: AsyncSession, ids: list[int]) -> list[models.Contact]:
    """The contacts of `ids`, in that order, read in one query."""
    if not ids:
        return []
    rows = await session.execute(select(models.Contact).where(models.Contact.id.in_(ids)))
    by_id = {contact.id: contact for contact in rows.scalars()}
    return [by_id[contact_id] for contact_id in ids if contact_id in by_id]


Listing = Annotated[ListingParams, Depends(_listing)]


@router.get("/contacts")
async def list_contacts(
    runtime: RuntimeDep,
    session: SessionDep,
    caller: CallerDep,
    listing: Listing,
    labels: list[str] | None = Query(None, alias="labels[]", max_length=100),
) -> ContactPage:
    """The account's contacts, 15 a page; with `labels[]`, those having any of the labels (Chatwoot's `any: true`)."""
    page = await _page(runtime, session, caller, listing, None if labels is None else label_titles(labels))
    page.meta.has_more = None  # Chatwoot's index counts, and sends no has_more
    return page


@router.get("/contacts/active")
async def active_contacts(caller: CallerDep, listing: Listing) -> ContactPage:
    """Contacts online now; Chatwoot knows them from its website widget, which the embedded server has not: none."""
    return ContactPage(meta=PageMeta(count=0, current_page=listing.page), payload=[])


@router.get("/contacts/search")
async def search_contacts(
    runtime: RuntimeDep,
    session: SessionDep,
    caller: CallerDep,
    listing: Listing,
    q: str = Query("", max_length=255),
) -> ContactPage:
    """Contacts whose name, email, phone, identifier or company contains `q`, best matches first (server/search.py);
    Chatwoot's search ignores `labels[]`."""
    if not q.strip():
        raise ApiProblem(422, {"error": "Specify search string with parameter q"})
    return await _page(runtime, session, caller, listing, query=q)


@router.post("/contacts", openapi_extra={"requestBody": CONTACT_BODY})
async def create_contact(
    request: Request, runtime: RuntimeDep, contact_body: ContactBody, caller: CallerDep
) -> ContactCreation:
    """Create a contact (JSON, or multipart with an `avatar` picture); answers `{payload: {contact, contact_inbox}}`."""
    body = contact_body.changes
    avatar = contact_body.avatar
    raw = body.model_dump(exclude_unset=True, exclude={"avatar_url", "inbox_id"})
    async with runtime.writing() as session:
        clean = await check_changes(session, caller.account_id, raw)
        check_stored_attributes({field: clean.get(field) or {} for field in ATTRIBUTE_FIELDS})
        taken = await taken_contacts(session, caller.account_id, clean, None)
        if taken:
            raise taken_refusal(taken, name_them=asked_for(request, EXISTING_CONTACT_EXTENSION))
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
            thumbnail=avatar.thumbnail if avatar else "",
            created_at=moment,
            updated_at=moment,
            last_activity_at=None,
            version=1,
        )
        session.add(contact)
        contact_inbox = CreatedContactInbox(inbox=None, source_id=None)
        try:
            await session.flush()
            if avatar is not None:
                await keep_avatar(session, contact.id, contact.account_id, avatar)
            if body.inbox_id is not None:
                inbox = await session.get(models.Inbox, body.inbox_id)
                if inbox is None or inbox.account_id != caller.account_id:
                    raise ApiProblem.invalid("Inbox could not be found", ["inbox_id"])
                link = models.ContactInbox(contact_id=contact.id, inbox_id=inbox.id, source_id=f"contact-{contact.id}")
                session.add(link)
                contact_inbox = CreatedContactInbox(inbox=CreatedInbox.model_validate(inbox), source_id=link.source_id)
            record(session, caller, contact.id, caller.account_id, "created")
            await session.commit()
        except IntegrityError as error:
            await session.rollback()
            raise taken_problem(error) from error
        payload = await contact_payload(session, contact)
    await runtime.bus.publish(caller.account_id, "contact.created", contact_event_data(contact, caller.agent))
    return ContactCreation(payload=CreatedContact(contact=payload, contact_inbox=contact_inbox))


@router.get("/contacts/{contact_id}")
async def show_contact(
    runtime: RuntimeDep,
    response: Response,
    contact_id: RowId,
    with_contact_inboxes: WithContactInboxes,
    caller: CallerDep,
) -> ContactPayload:
    """One contact, with an `ETag` when the extensions are on."""
    async with runtime.engine.connect() as connection:
        row, links = await contact_row(
            connection, caller.account_id, contact_id, with_contact_inboxes=with_contact_inboxes
        )
    if runtime.extensions:
        response.headers["ETag"] = etag(row)
    return ContactPayload(payload=Contact.of(row, links if with_contact_inboxes else None))


IfMatch = Annotated[str | None, Header()]


@router.patch("/contacts/{contact_id}", openapi_extra={"requestBody": CONTACT_BODY}, responses=CONFLICT_ERRORS)
@router.put("/contacts/{contact_id}", openapi_extra={"requestBody": CONTACT_BODY}, responses=CONFLICT_ERRORS)
async def change_contact(
    runtime: RuntimeDep,
    response: Response,
    contact_id: RowId,
    body: ContactBody,
    with_contact_inboxes: WithContactInboxes,
    caller: CallerDep,
    if_match: IfMatch = None,
) -> ContactPayload:
    """Partial update (JSON, or multipart with an `avatar` picture), PUT and PATCH alike; `If-Match` makes it
    conditional (409 if stale)."""
    contact, payload = await update_contact(
        runtime,
        caller,
        contact_id,
        body.changes.model_dump(exclude_unset=True, exclude={"avatar_url", "inbox_id"}),
        if_match,
        avatar=body.avatar,
        with_contact_inboxes=with_contact_inboxes,
    )
    if runtime.extensions:
        response.headers["ETag"] = etag(contact)
    return ContactPayload(payload=payload)


@router.delete("/contacts/{contact_id}/avatar", responses=CONFLICT_ERRORS)
async def delete_avatar(
    runtime: RuntimeDep, response: Response, contact_id: RowId, caller: CallerDep, if_match: IfMatch = None
) -> ContactPayload:
    """Remove the contact's picture; answers the contact without its inboxes (Chatwoot's avatar view)."""
    contact, payload = await update_contact(
        runtime, caller, contact_id, {}, if_match, avatar=AVATAR_REMOVED, with_contact_inboxes=False
    )
    if runtime.extensions:
        response.headers["ETag"] = etag(contact)
    return ContactPayload(payload=payload)


@router.get("/contacts/{contact_id}/contactable_inboxes")
async def contactable_inboxes(session: SessionDep, contact_id: RowId, caller: CallerDep) -> ContactableInboxes:
    """The account's inboxes a new conversation with the contact could go through, with the contact's address
    in each (Chatwoot's `ContactableInboxesService`, channel by channel)."""
    contact = await find_contact(session, caller.account_id, contact_id)
    inboxes = (
        await session.execute(
            select(models.Inbox).where(models.Inbox.account_id == caller.account_id).order_by(models.Inbox.id)
        )
    ).scalars()
    links = await contact_inboxes(session, contact.id)
    talked_in = set(
        (
            await session.execute(
                select(models.Conversation.inbox_id).where(models.Conversation.contact_id == contact.id).distinct()
            )
        ).scalars()
    )
    payload = []
    for inbox in inboxes:
        source_id = _contactable_source(
            inbox, contact, [link for link in links if link.inbox_id == inbox.id], talked_in
        )
        if source_id is not None:
            payload.append(ContactableInbox(inbox=Inbox.model_validate(inbox), source_id=source_id))
    return ContactableInboxes(payload=payload)


def _contactable_source(
    inbox: models.Inbox, contact: models.Contact, links: list[models.ContactInbox], talked_in: set[int]
) -> str | None:
    """The contact's address in the inbox when a conversation can start there, else None."""
    phone = contact.phone_number
    match inbox.channel_type:
        case "Channel::WebWidget":
            # Chatwoot offers a website inbox only through the contact's newest session there, and not once that
            # session has a conversation (its FIXME: "change this when multiple conversations comes in").
            if not links or inbox.id in talked_in:
                return None
            return links[-1].source_id
        case "Channel::Api":
            return links[-1].source_id if links else str(uuid.uuid4())
        case "Channel::Email":
            return contact.email or None
        case "Channel::Whatsapp":
            return phone.removeprefix("+") if phone else None
        case "Channel::Sms" | "Channel::TwilioSms":
            return phone or None
    return None


@router.delete("/contacts/{contact_id}", response_class=Response, responses=EMPTY_ANSWER)
async def delete_contact(runtime: RuntimeDep, contact_id: RowId, caller: CallerDep) -> Response:
    """Delete a contact and what hangs off it, its activity trail too; administrators only.

    The deletion is announced by the `contact.deleted` live event, not kept: a trail entry would keep the id.
    """
    async with runtime.writing() as session:
        contact = await find_contact(session, caller.account_id, contact_id)
        if not caller.is_administrator:
            raise ApiProblem.unauthorized("You are not authorized to do this action")
        data = contact_event_data(contact, caller.agent)
        await session.delete(contact)
        await session.commit()
    await runtime.bus.publish(caller.account_id, "contact.deleted", data)
    return Response(status_code=200)


@router.post("/contacts/{contact_id}/destroy_custom_attributes")
async def destroy_custom_attributes(
    runtime: RuntimeDep, contact_id: RowId, body: CustomAttributeKeys, caller: CallerDep
) -> ContactPayload:
    """Remove custom attribute keys (Chatwoot's only way to delete one)."""
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
        data = contact_event_data(contact, caller.agent)
        if runtime.extensions:
            data["activity"] = [ContactEvent.of(event, caller.agent).model_dump() for event in recorded]
        await runtime.bus.publish(caller.account_id, "contact.updated", data)
    return ContactPayload(payload=payload)


@router.post("/actions/contact_merge")
async def merge_contacts(runtime: RuntimeDep, response: Response, body: MergeRequest, caller: CallerDep) -> Contact:
    """Merge the mergee into the base contact; answers the base contact (a bare object).

    Conversations, notes, inboxes and labels move to the base; the mergee's own trail goes with it. With the
    extensions on, `choices` picks whose value each field keeps, and the answer names the merge to undo
    (MERGE_UNDO_HEADER) and until when (MERGE_UNDO_UNTIL_HEADER): see server/contact_merge.py.
    """
    done = await contact_merge.merge_contacts(runtime, caller, body)
    if done.merge_id is not None and done.undo_until is not None:
        response.headers[MERGE_UNDO_HEADER] = str(done.merge_id)
        response.headers[MERGE_UNDO_UNTIL_HEADER] = str(done.undo_until)
    return done.contact


UNDO_ERRORS: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorAnswer, "description": "The contact changed since the merge, or a value of it was taken"},
    410: {"model": ErrorAnswer, "description": "Undone already, or the time to undo is over"},
}


@router.post("/actions/contact_merge/{merge_id}/undo", responses=UNDO_ERRORS)
async def undo_contact_merge(runtime: RuntimeDep, merge_id: RowId, caller: CallerDep) -> UndoneMergePayload:
    """Extension: put both contacts of a merge back exactly as they were, within MERGE_UNDO_SECONDS of it."""
    base, mergee = await contact_merge.undo_merge(runtime, caller, merge_id)
    return UndoneMergePayload(payload=UndoneMerge(base=base, mergee=mergee))


@router.get("/contact_avatars/{key}", include_in_schema=False)
async def contact_avatar(session: SessionDep, account_id: RowId, key: str = PathParam(max_length=64)) -> Response:
    """A kept picture, without a token (an <img> sends none): the key, unguessable and new per upload, is the right
    to see it. Cached for good, since a key never names another picture."""
    avatar = (
        await session.execute(
            select(models.ContactAvatar).where(
                models.ContactAvatar.key == key, models.ContactAvatar.account_id == account_id
            )
        )
    ).scalar_one_or_none()
    if avatar is None:
        raise ApiProblem.not_found()
    return Response(
        avatar.data,
        media_type=avatar.content_type,
        headers={
            "Cache-Control": "private, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'",
        },
    )
