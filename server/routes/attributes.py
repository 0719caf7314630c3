"""Custom attribute definitions of an account."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from server import models
from server.auth import Caller, account_caller
from server.errors import ContractRoute
from server.runtime import runtime_of
from server.serializers import attribute_definition_json

router = APIRouter(prefix="/api/v1/accounts/{account_id}", route_class=ContractRoute, tags=["attributes"])


@router.get("/custom_attribute_definitions")
async def attribute_definitions(
    request: Request, caller: Caller = Depends(account_caller), attribute_model: int = Query(0, ge=0, le=1)
) -> list[dict[str, Any]]:
    """Definitions for conversations (0, Chatwoot's default) or contacts (1); a bare array."""
    async with runtime_of(request).session() as session:
        rows = await session.execute(
            select(models.CustomAttributeDefinition)
            .where(
                models.CustomAttributeDefinition.account_id == caller.account_id,
                models.CustomAttributeDefinition.attribute_model == attribute_model,
            )
            .order_by(models.CustomAttributeDefinition.id)
        )
        return [attribute_definition_json(d) for d in rows.scalars()]
