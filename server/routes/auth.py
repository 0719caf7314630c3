"""Sign-in (devise_token_auth's shape) and the current agent's profile."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from api.validation import without_forbidden_characters
from server import models
from server.auth import (
    SessionCredentials,
    SignInThrottle,
    client_address,
    hash_password,
    session_token,
    start_session,
    verify_password,
)
from server.contract import (
    DeviseError,
    ErrorAnswer,
    SignedIn,
    Success,
    TokenValidation,
    User,
    ValidatedPayload,
    ValidatedUser,
    rails_time,
)
from server.deps import AgentDep, ClaimDep, RuntimeDep
from server.errors import REQUEST_ERRORS, ApiProblem, ContractRoute

router = APIRouter(route_class=ContractRoute, tags=["auth"], responses=REQUEST_ERRORS)
REFUSED: dict[int | str, dict[str, Any]] = {401: {"model": DeviseError, "description": "Not signed in"}}
throttle = SignInThrottle()
UNKNOWN_AGENT_HASH = hash_password(secrets.token_urlsafe(16))


class SignIn(BaseModel):
    email: str = Field(max_length=255)
    password: str = Field(max_length=1024)


def _invalid_session() -> ApiProblem:
    return ApiProblem(401, {"success": False, "errors": ["Invalid login credentials"]})


@router.post("/auth/sign_in", responses={**REFUSED, 429: {"model": ErrorAnswer, "description": "Repeated failures"}})
async def sign_in(request: Request, runtime: RuntimeDep, response: Response, body: SignIn) -> SignedIn:
    """`{"data": user}` with `access_token` and `pubsub_token`, and devise_token_auth's headers for a new
    signed-in client (revocable by `DELETE /auth/sign_out`); 401 on bad credentials, 429 when repeated."""
    email = without_forbidden_characters(body.email).strip().lower()
    address = client_address(request, runtime.ui_key)
    wait = throttle.retry_after(email, address)
    if wait:
        raise ApiProblem(
            429,
            {"error": "Too many failed sign-in attempts; try again later"},
            headers={"Retry-After": str(wait)},
        )
    async with runtime.session() as session:
        agent = (
            await session.execute(select(models.Agent).where(func.lower(models.Agent.email) == email))
        ).scalar_one_or_none()
    # An unknown email costs the same hashing as a known one, so timing does not tell which emails exist.
    stored = agent.password_hash if agent is not None else UNKNOWN_AGENT_HASH
    if not await asyncio.to_thread(verify_password, body.password, stored) or agent is None:
        throttle.failed(email, address)
        raise ApiProblem(401, {"success": False, "errors": ["Invalid login credentials. Please try again."]})
    throttle.succeeded(email, address)
    async with runtime.writing() as session:
        credentials = await start_session(session, agent)
    response.headers.update(credentials.headers)
    return SignedIn(data=User.of(agent))


@router.delete("/auth/sign_out", responses={404: {"model": DeviseError, "description": "Not signed in"}})
async def sign_out(runtime: RuntimeDep, claim: ClaimDep) -> Success:
    """End the signed-in client these headers name; its token stops working at once."""
    async with runtime.writing() as session:
        row = await session_token(session, claim)
        if row is None:
            raise ApiProblem(404, {"success": False, "errors": ["User was not found or was not logged in."]})
        await session.delete(row)
        await session.commit()
    return Success()


@router.get("/auth/validate_token", responses=REFUSED)
async def validate_token(runtime: RuntimeDep, response: Response, claim: ClaimDep) -> TokenValidation:
    """A signed-in client's check: the user under `payload.data` (Chatwoot's view, which its dashboard reads)
    and under `data` (devise_token_auth's own answer), with the client's headers again; else 401."""
    async with runtime.session() as session:
        row = await session_token(session, claim)
    if row is None:
        raise _invalid_session()
    credentials = SessionCredentials(
        access_token=claim.access_token, client_id=row.client_id, uid=row.agent.email, expiry=row.expires_at
    )
    response.headers.update(credentials.headers)
    user = ValidatedUser.of(row.agent, created_at=rails_time(row.agent.created_at))
    return TokenValidation(data=user, payload=ValidatedPayload(data=user))


@router.get("/api/v1/profile", responses={401: {"model": ErrorAnswer, "description": "An unknown token"}})
async def profile(agent: AgentDep) -> User:
    """The current agent (a bare user object)."""
    return User.of(agent)
