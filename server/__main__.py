"""Run the embedded server alone: `python -m server` (PORT, DATABASE_URL, ... from the environment)."""

from __future__ import annotations

import uvicorn

from api.settings import Settings
from server.app import create_app


def main() -> None:
    settings = Settings()
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        ws="websockets",
        lifespan="on",
    )


if __name__ == "__main__":
    main()
