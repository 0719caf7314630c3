"""Custom attribute definitions of an account: list and show for everyone, create, update, delete for
administrators (Chatwoot's `CustomAttributeDefinitionPolicy`)."""

from __future__ import annotations

import re
from typing import Any, get_args

from fastapi import Query, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import AttributeDisplayType
from api.validation import MAX_STRING, has_forbidden_characters
from server import models
from server.auth import Caller
from server.contract import ATTRIBUTE_MODELS, AttributeDefinition
from server.deps import CallerDep, RuntimeDep, SessionDep
from server.errors import ApiProblem, account_router
from server.models import now
from server.routes.params import RowId

router = account_router("attributes")

DISPLAY_TYPES: tuple[str, ...] = get_args(AttributeDisplayType)  # by Chatwoot's enum number
MODELS_BY_NAME = {name: number for number, name in ATTRIBUTE_MODELS.items()}
# Chatwoot's `attribute_key` format: letters and digits of any script, `_`, `.` and `-`.
KEY_FORMAT = re.compile(r"[\w.\-]+")
# An enum given as a number in text: ASCII digits, few of them (`int()` refuses thousands, and `str.isdigit()`
# is true for "²", which `int()` refuses too).
ENUM_NUMBER = re.compile(r"[0-9]{1,9}")
# Chatwoot's STANDARD_ATTRIBUTES: a new definition may not take a key the model already has.
STANDARD_KEYS = {
    0: frozenset(
        [
            "status",
            "priority",
            "assignee_id",
            "inbox_id",
            "team_id",
            "display_id",
            "campaign_id",
            "labels",
            "browser_language",
            "country_code",
            "referer",
            "created_at",
            "last_activity_at",
        ]
    ),
    1: frozenset(
        [
            "name",
            "email",
            "phone_number",
            "identifier",
            "country_code",
            "city",
            "company_name",
            "created_at",
            "last_activity_at",
            "referer",
            "blocked",
        ]
    ),
}
MAX_LIST_VALUES = 100
TEXT_FIELDS = ("attribute_display_name", "attribute_key", "attribute_description", "regex_pattern", "regex_cue")
UNAUTHORIZED = "You are not authorized to do this action"


class DefinitionFields(BaseModel):
    """What a create or update may set; any of it, others ignored (Rails' permitted parameters)."""

    model_config = ConfigDict(extra="ignore")

    attribute_display_name: Any = None
    attribute_display_type: Any = None
    attribute_key: Any = None
    attribute_description: Any = None
    attribute_model: Any = None
    attribute_values: Any = None
    regex_pattern: Any = None
    regex_cue: Any = None


class DefinitionBody(DefinitionFields):
    """The fields at the top of the body or, as Rails wraps them, under `custom_attribute_definition`."""

    custom_attribute_definition: DefinitionFields | None = None

    def fields(self) -> dict[str, Any]:
        inner = self.custom_attribute_definition
        chosen = inner if inner is not None else self
        return chosen.model_dump(exclude_unset=True, exclude={"custom_attribute_definition"})


def _enum(value: Any, names: dict[str, int], field: str) -> int:
    """A Rails enum value given by name or number."""
    if isinstance(value, str) and value in names:
        return names[value]
    if isinstance(value, int) and not isinstance(value, bool) and value in names.values():
        return value
    if isinstance(value, str) and ENUM_NUMBER.fullmatch(value) and int(value) in names.values():
        return int(value)
    label = field.replace("_", " ").capitalize()
    raise ApiProblem.invalid(f"{label} is not included in the list", [field])


def checked_fields(raw: dict[str, Any]) -> dict[str, Any]:
    """Column values from a create's or update's fields; 422 naming every field at fault."""
    problems: list[tuple[str, str]] = []
    values: dict[str, Any] = {}
    for field in TEXT_FIELDS:
        if field not in raw:
            continue
        value = raw[field]
        label = field.replace("_", " ").capitalize()
        if value is not None and not isinstance(value, str):
            problems.append((field, f"{label} must be text"))
        elif value is not None and len(value) > MAX_STRING:
            problems.append((field, f"{label} is too long (maximum is {MAX_STRING} characters)"))
        elif value is not None and has_forbidden_characters(value):
            problems.append((field, f"{label} contains characters that are not allowed"))
        else:
            values[field] = value.strip() if isinstance(value, str) and field in TEXT_FIELDS[:2] else value
    if "attribute_display_name" in values and not values["attribute_display_name"]:
        problems.append(("attribute_display_name", "Attribute display name can't be blank"))
    if "attribute_key" in values:
        key = values["attribute_key"] or ""
        if not key:
            problems.append(("attribute_key", "Attribute key can't be blank"))
        elif not KEY_FORMAT.fullmatch(key):
            problems.append(
                ("attribute_key", "Attribute key may only contain letters, numbers, underscores, periods and hyphens")
            )
    if values.get("regex_pattern"):
        try:
            re.compile(values["regex_pattern"])
        except (re.error, OverflowError, RecursionError):  # OverflowError: a repeat count such as a{99999999999}
            problems.append(("regex_pattern", "Regex pattern is not a valid regular expression"))
    for field, names in (
        ("attribute_display_type", {name: number for number, name in enumerate(DISPLAY_TYPES)}),
        ("attribute_model", MODELS_BY_NAME),
    ):
        if field in raw:
            try:
                values[field] = _enum(raw[field], names, field)
            except ApiProblem as problem:
                problems.append((field, problem.body["message"]))
    if "attribute_values" in raw:
        items = raw["attribute_values"]
        if items is None:
            values["attribute_values"] = []
        elif not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            problems.append(("attribute_values", "Attribute values must be a list of texts"))
        elif len(items) > MAX_LIST_VALUES or any(
            len(item) > MAX_STRING or has_forbidden_characters(item) for item in items
        ):
            problems.append(
                (
                    "attribute_values",
                    f"Attribute values must be at most {MAX_LIST_VALUES} texts of at most {MAX_STRING} characters",
                )
            )
        else:
            values["attribute_values"] = [item.strip() for item in items]
    if problems:
        raise ApiProblem.invalid(", ".join(m for _, m in problems), list(dict.fromkeys(f for f, _ in problems)))
    if "attribute_description" in values and values["attribute_description"] is None:
        values["attribute_description"] = ""  # a text column here
    return values


def _require_administrator(caller: Caller) -> None:
    if not caller.is_administrator:
        raise ApiProblem.unauthorized(UNAUTHORIZED)


async def _find(session: AsyncSession, caller: Caller, definition_id: int) -> models.CustomAttributeDefinition:
    definition = await session.get(models.CustomAttributeDefinition, definition_id, populate_existing=True)
    if definition is None or definition.account_id != caller.account_id:
        raise ApiProblem.not_found()
    return definition


async def _key_taken(session: AsyncSession, definition: models.CustomAttributeDefinition) -> bool:
    query = select(models.CustomAttributeDefinition.id).where(
        models.CustomAttributeDefinition.account_id == definition.account_id,
        models.CustomAttributeDefinition.attribute_model == definition.attribute_model,
        models.CustomAttributeDefinition.attribute_key == definition.attribute_key,
    )
    if definition.id is not None:
        query = query.where(models.CustomAttributeDefinition.id != definition.id)
    with session.no_autoflush:  # the definition being saved must not find itself
        return (await session.execute(query.limit(1))).first() is not None


def key_taken() -> ApiProblem:
    return ApiProblem.invalid("Attribute key has already been taken", ["attribute_key"])


async def _save(session: AsyncSession, definition: models.CustomAttributeDefinition) -> AttributeDefinition:
    if await _key_taken(session, definition):
        raise key_taken()
    try:
        await session.commit()
    except IntegrityError as error:  # the same key saved since the check above
        await session.rollback()
        raise key_taken() from error
    return AttributeDefinition.model_validate(definition)


@router.get("/custom_attribute_definitions")
async def attribute_definitions(
    session: SessionDep, caller: CallerDep, attribute_model: int = Query(0, ge=0, le=1)
) -> list[AttributeDefinition]:
    """Definitions for conversations (0, Chatwoot's default) or contacts (1); a bare array."""
    rows = await session.execute(
        select(models.CustomAttributeDefinition)
        .where(
            models.CustomAttributeDefinition.account_id == caller.account_id,
            models.CustomAttributeDefinition.attribute_model == attribute_model,
        )
        .order_by(models.CustomAttributeDefinition.id)
    )
    return [AttributeDefinition.model_validate(d) for d in rows.scalars()]


@router.get("/custom_attribute_definitions/{definition_id}")
async def show_attribute_definition(
    session: SessionDep, definition_id: RowId, caller: CallerDep
) -> AttributeDefinition:
    return AttributeDefinition.model_validate(await _find(session, caller, definition_id))


@router.post("/custom_attribute_definitions")
async def create_attribute_definition(
    runtime: RuntimeDep, body: DefinitionBody, caller: CallerDep
) -> AttributeDefinition:
    """A new definition (administrators); `attribute_model` by name or number, conversations when not given."""
    _require_administrator(caller)
    values = checked_fields(body.fields())
    values.setdefault("attribute_model", 0)
    values.setdefault("attribute_display_type", 0)
    missing = [f for f in ("attribute_display_name", "attribute_key") if not values.get(f)]
    if missing:
        label = {"attribute_display_name": "Attribute display name", "attribute_key": "Attribute key"}
        raise ApiProblem.invalid(", ".join(f"{label[f]} can't be blank" for f in missing), missing)
    if values["attribute_key"] in STANDARD_KEYS.get(values["attribute_model"], frozenset()):
        raise ApiProblem.invalid("Attribute key is a standard attribute's and may not be defined", ["attribute_key"])
    values["attribute_display_type"] = DISPLAY_TYPES[values["attribute_display_type"]]
    moment = now()
    async with runtime.writing() as session:
        definition = models.CustomAttributeDefinition(
            account_id=caller.account_id, created_at=moment, updated_at=moment, **values
        )
        session.add(definition)
        return await _save(session, definition)


@router.put("/custom_attribute_definitions/{definition_id}")
@router.patch("/custom_attribute_definitions/{definition_id}")
async def change_attribute_definition(
    runtime: RuntimeDep, definition_id: RowId, body: DefinitionBody, caller: CallerDep
) -> AttributeDefinition:
    """Change a definition (administrators), PUT and PATCH alike; contacts' stored values are left as they are,
    as in Chatwoot."""
    _require_administrator(caller)
    values = checked_fields(body.fields())
    for field in ("attribute_display_name", "attribute_key"):
        if field in values and not values[field]:
            raise ApiProblem.invalid(f"{field.replace('_', ' ').capitalize()} can't be blank", [field])
    if "attribute_display_type" in values:
        values["attribute_display_type"] = DISPLAY_TYPES[values["attribute_display_type"]]
    async with runtime.writing() as session:
        definition = await _find(session, caller, definition_id)
        for field, value in values.items():
            setattr(definition, field, value)
        definition.updated_at = now()
        return await _save(session, definition)


@router.delete("/custom_attribute_definitions/{definition_id}", status_code=204, response_class=Response)
async def delete_attribute_definition(runtime: RuntimeDep, definition_id: RowId, caller: CallerDep) -> Response:
    """Delete a definition (administrators): 204; contacts keep their values under its key, as in Chatwoot."""
    async with runtime.writing() as session:
        definition = await _find(session, caller, definition_id)
        _require_administrator(caller)
        await session.delete(definition)
        await session.commit()
    return Response(status_code=204)
