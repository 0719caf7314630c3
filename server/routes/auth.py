"""Sign-in (devise_token_auth's shape) and the current agent's profile."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from api.validation import without_forbidden_characters
from server import models
from server.auth import SignInThrottle, client_address, current_agent, hash_password, verify_password
from server.errors import ApiProblem, ContractRoute
from server.runtime import runtime_of
from server.serializers import user_json

router = APIRouter(route_class=ContractRoute, tags=["auth"])
throttle = SignInThrottle()
UNKNOWN_AGENT_HASH = hash_password(secrets.token_urlsafe(16))


class SignIn(BaseModel):
    email: str = Field(max_length=255)
    password: str = Field(max_length=1024)


@router.post("/auth/sign_in")
async def sign_in(request: Request, body: SignIn) -> dict[str, Any]:
    """`{"data": user}` with `access_token` and `pubsub_token`; 401 on bad credentials, 429 when repeated."""
    email = without_forbidden_characters(body.email).strip().lower()
    keys = (f"email:{email}", f"ip:{client_address(request)}")
    wait = throttle.retry_after(*keys)
    if wait:
        raise ApiProblem(
            429,
            {"error": "Too many failed sign-in attempts; try again later"},
            headers={"Retry-After": str(wait)},
        )
    async with runtime_of(request).session() as session:
        agent = (
            await session.execute(select(models.Agent).where(func.lower(models.Agent.email) == email))
        ).scalar_one_or_none()
    # An unknown email costs the same hashing as a known one, so timing does not tell which emails exist.
    stored = agent.password_hash if agent is not None else UNKNOWN_AGENT_HASH
    if not await asyncio.to_thread(verify_password, body.password, stored) or agent is None:
        throttle.failed(*keys)
        raise ApiProblem(401, {"success": False, "errors": ["Invalid login credentials. Please try again."]})
    throttle.succeeded(keys[0])
    return {"data": user_json(agent)}


@router.get("/api/v1/profile")
async def profile(agent: models.Agent = Depends(current_agent)) -> dict[str, Any]:
    """The current agent (a bare user object)."""
    return user_json(agent)
