"""`GET /api/health`: whether this process serves yet, for tests, benchmarks and a load balancer's checks.

Not a contract route: it answers at once, where an API request waits for start-up (`ContractRoute`).
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.protocol import HEALTH_PATH
from server.deps import RuntimeDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """`ready` once the database is migrated and start-up is done (demo data seeded, if asked)."""

    status: Literal["ready", "starting"]
    migrations: Literal["done", "pending"]


@router.get(HEALTH_PATH, response_model=Health, responses={503: {"model": Health}})
async def health(runtime: RuntimeDep) -> JSONResponse:
    answer = Health(
        status="ready" if runtime.ready.is_set() else "starting",
        migrations="done" if runtime.migrated else "pending",
    )
    return JSONResponse(answer.model_dump(), status_code=200 if answer.status == "ready" else 503)
