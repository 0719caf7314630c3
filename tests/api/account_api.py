"""One agent's calls to one account of a running server, over real HTTP."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.processes import RunningServer

TIMEOUT = 30.0
# One TLS context for every client of the run: building one per client costs ~25 ms, a lot per test.
TLS = ssl.create_default_context()


@dataclass(frozen=True, kw_only=True, slots=True)
class AccountApi:
    """`/api/v1/accounts/{account_id}` as one signed-in agent; paths are relative to the account."""

    client: httpx.Client
    server_url: str
    account_id: int
    headers: dict[str, str]

    @classmethod
    def of(
        cls, client: httpx.Client, server: RunningServer, who: str = "admin", account_id: int | None = None
    ) -> AccountApi:
        """The agent `who` ("admin", "agent", "other_admin") of `server`, in their own account unless given."""
        signed_in = getattr(server, who)
        return cls(
            client=client,
            server_url=server.url,
            account_id=signed_in.account_id if account_id is None else account_id,
            headers=signed_in.headers,
        )

    @property
    def base(self) -> str:
        return f"{self.server_url}/api/v1/accounts/{self.account_id}"

    def request(self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        return self.client.request(method, self.base + path, headers={**self.headers, **(headers or {})}, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def contact(self, contact_id: int) -> dict[str, Any]:
        """The contact as the server has it now (asserts it exists)."""
        answer = self.get(f"/contacts/{contact_id}")
        assert answer.status_code == 200, answer.text
        contact: dict[str, Any] = answer.json()["payload"]
        return contact
