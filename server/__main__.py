"""Run the embedded server alone: `python -m server` (PORT, DATABASE_URL, ... from the environment)."""

from __future__ import annotations

from typing import Any

import uvicorn

from api.settings import Settings
from server.app import create_app

# h11 bounds what a request line and headers may take (httptools accepts any size).
MAX_HEADER_BYTES = 64 * 1024


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How `python -m server` serves its app (the tests' in-process server serves the same way)."""
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": "warning",
        "ws": "websockets-sansio",
        "lifespan": "on",
        "http": "h11",
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        **settings.proxy_options,
    }


def main() -> None:
    settings = Settings()
    uvicorn.run(create_app(settings), **uvicorn_options(settings))


if __name__ == "__main__":
    main()
