"""What the routes depend on, as `Annotated` types (as the FastAPI full-stack template's `api/deps.py`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import Caller, SessionClaim, account_caller, current_agent, session_claim
from server.models import Agent
from server.runtime import ServerRuntime, runtime_of


async def serving_runtime(request: Request) -> ServerRuntime:
    """The runtime of the app serving the request (a coroutine: FastAPI runs a plain function in a thread)."""
    return runtime_of(request)


RuntimeDep = Annotated[ServerRuntime, Depends(serving_runtime)]
CallerDep = Annotated[Caller, Depends(account_caller)]
AgentDep = Annotated[Agent, Depends(current_agent)]
ClaimDep = Annotated[SessionClaim, Depends(session_claim)]


async def read_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """A session for a request that only reads (one that writes takes its turn: `runtime.writing()`)."""
    async with runtime.session() as session:
        yield session


# Closed when the route returns, before its answer is written.
SessionDep = Annotated[AsyncSession, Depends(read_session, scope="function")]
