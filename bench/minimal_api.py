"""The API benchmark's baseline: one FastAPI endpoint with a small JSON answer, served as `python -m server` is."""

from __future__ import annotations

import os

import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
async def ping() -> dict[str, object]:
    return {"payload": {"id": 1, "name": "Ada Lovelace", "email": "ada@example.com"}}


def main() -> None:
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(os.environ["PORT"]),
        log_level="warning",
        ws="websockets",
        lifespan="on",
    )


if __name__ == "__main__":
    main()
