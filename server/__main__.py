"""Run the embedded server alone: `python -m server` (PORT, DATABASE_URL, ... from the environment)."""

from __future__ import annotations

import uvicorn

from api.settings import Settings
from server.app import create_app

# h11 bounds what a request line and headers may take (httptools accepts any size).
MAX_HEADER_BYTES = 64 * 1024


def main() -> None:
    settings = Settings()
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        ws="websockets-sansio",
        lifespan="on",
        http="h11",
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        **settings.proxy_options,
    )


if __name__ == "__main__":
    main()
