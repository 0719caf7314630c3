"""The API benchmark's baseline: one FastAPI endpoint with a small JSON answer, served as `python -m server` is.

The same uvicorn options as server/__main__.py (h11, its header bound, the same websocket implementation), so the
ratio to it measures what the embedded server's own work adds, not a faster HTTP parser in the baseline.
"""

from __future__ import annotations

import os

import uvicorn
from fastapi import FastAPI

from server.__main__ import MAX_HEADER_BYTES

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
        ws="websockets-sansio",
        lifespan="on",
        http="h11",
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
    )


if __name__ == "__main__":
    main()
