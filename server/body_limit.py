"""BodyLimit: an ASGI middleware refusing request bodies over a limit with 413, whether declared or streamed.

Light (Starlette's types only), so the pages' upload limit (`pages.hardening.UploadLimit`) needs nothing of the
embedded server; the API's (`server.app.ApiBodyLimit`) adds its own limits per route.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE = (413, b'{"error":"Request body too large"}')


class BodyTooLarge(Exception):
    """Raised inside the app's receive when a streamed body passes the limit."""


class BodyLimit:
    """Every HTTP request's body at most `max_bytes`; subclasses choose the requests and their limits."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def applies(self, scope: Scope) -> bool:
        """Whether this request's body is limited here."""
        return bool(scope["type"] == "http")

    def limit(self, scope: Scope) -> tuple[int, tuple[int, bytes]]:
        """The most this request's body may hold, and the answer (status, JSON body) when it holds more."""
        return self.max_bytes, TOO_LARGE

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.applies(scope):
            await self.app(scope, receive, send)
            return
        max_bytes, refusal = self.limit(scope)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
            await self._refuse(send, refusal)
            return
        received = 0
        refused = False

        async def limited_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    refused = True
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except BodyTooLarge:
            if refused:
                await self._refuse(send, refusal)

    @staticmethod
    async def _refuse(send: Send, refusal: tuple[int, bytes]) -> None:
        status, body = refusal
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
