"""Configuration from environment variables (the README's Configuration table)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Public in this repository: anyone could sign session cookies with it, so only demo mode may run with it.
DEFAULT_STORAGE_SECRET = "change-me-in-production"


class Settings(BaseSettings):
    """Everything the app and the embedded server read from the environment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    port: int = 8080
    # This machine only: `make run` is not reachable from the network. A container sets 0.0.0.0 (every interface),
    # else its published port finds nobody listening.
    host: str = "127.0.0.1"
    database_url: str = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'data' / 'contacts.db'}"
    redis_url: str | None = None
    chatwoot_url: str | None = None
    chatwoot_account_id: int = 1
    demo_data: bool = True
    storage_secret: str = DEFAULT_STORAGE_SECRET
    # Addresses of reverse proxies whose X-Forwarded-For / -Proto are believed (comma-separated, `*` for any).
    # Empty: none, the peer's own address counts (a forged header changes nothing).
    forwarded_allow_ips: str = ""
    frame_ancestors: str = "'self'"
    # Origins besides the one the request came to (its Host) whose pages may open NiceGUI's socket.io
    # connection: a proxy that changes the host name. Space- or comma-separated `scheme://host[:port]`.
    allowed_origins: str = ""
    # Portals on another origin: the session cookie must be SameSite=None; Secure (so the app needs HTTPS).
    cross_origin_embedding: bool = False
    analytics_sink: str = str(PROJECT_ROOT / "data" / "analytics.jsonl")
    # Extensions beyond Chatwoot (ETag/If-Match, paged conversations, /events). Off = plain-Chatwoot mode.
    server_extensions: bool = True
    # Kiosk: every visitor is signed in as this agent (email + password).
    kiosk_email: str | None = None
    kiosk_password: str | None = None
    reconnect_timeout: float = Field(default=10.0, ge=0)
    # Seconds the UI waits for the answer to a write; one left unanswered is then checked with the server for as long.
    api_write_timeout: float = Field(default=15.0, gt=0)
    max_body_bytes: int = 256 * 1024
    # The one request allowed a bigger body: a CSV file of contacts to import (`POST /contacts/import`).
    max_import_bytes: int = Field(default=64 * 1024 * 1024, gt=0)
    # Slow clients: seconds for a request's line and headers (from its first byte, or from connecting), seconds
    # without progress while a declared body is read (both answered 408), and seconds a /cable socket may stay
    # without a confirmed subscription.
    header_read_timeout: float = Field(default=10.0, gt=0)
    body_read_timeout: float = Field(default=30.0, gt=0)
    cable_subscribe_timeout: float = Field(default=10.0, gt=0)

    @property
    def uses_default_storage_secret(self) -> bool:
        return self.storage_secret == DEFAULT_STORAGE_SECRET

    @property
    def proxy_options(self) -> dict[str, Any]:
        """uvicorn's options for forwarded headers: believed only from the configured proxies."""
        if not self.forwarded_allow_ips.strip():
            return {"proxy_headers": False}
        return {"proxy_headers": True, "forwarded_allow_ips": self.forwarded_allow_ips}

    @property
    def embedded(self) -> bool:
        """True when the app serves its own Chatwoot-compatible API."""
        return not self.chatwoot_url

    @property
    def api_base_url(self) -> str:
        """Where the UI sends API requests: the real Chatwoot, or this process over loopback."""
        if self.chatwoot_url:
            return self.chatwoot_url.rstrip("/")
        return f"http://127.0.0.1:{self.port}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
