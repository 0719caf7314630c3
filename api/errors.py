"""The client's error hierarchy: raised at the HTTP boundary, handled where the agent is told."""

from __future__ import annotations

from typing import Any

from api.error_codes import ErrorCode
from api.models import Contact
from api.validation import problem_code


class ApiError(Exception):
    """Any failed API call; `status` is the HTTP status when there was an answer."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class ValidationFailed(ApiError):
    """422: the server refused the values; `fields` maps each field to its message, `codes` to a rule code.

    `existing` names, by field, the contact that already has a value (the embedded server's extension, when asked);
    `body` is the answer as it came.
    """

    def __init__(
        self,
        message: str,
        fields: dict[str, str],
        codes: dict[str, ErrorCode] | None = None,
        *,
        existing: dict[str, int] | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, 422)
        self.fields = fields
        self.codes = codes or {}
        self.existing = existing or {}
        self.body = body or {}

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> ValidationFailed:
        """From Chatwoot's `{"message": "A is x, B is y", "attributes": ["a", "b"]}` (or `{"error": ...}`)."""
        message = str(body.get("message") or body.get("error") or "Invalid input")
        attributes = [str(a) for a in body.get("attributes") or []]
        parts = [part.strip() for part in message.split(", ") if part.strip()]
        fields: dict[str, str] = {}
        codes: dict[str, ErrorCode] = {}
        for attribute in attributes:
            label = attribute.replace("_", " ").capitalize()
            matching = [part for part in parts if part.lower().startswith(label.lower())]
            fields[attribute] = ", ".join(matching) if matching else message
            code = problem_code(matching[0] if matching else message, attribute)
            if code:
                codes[attribute] = code
        named = body.get("existing_contact_ids")
        existing = {
            str(field): value
            for field, value in (named.items() if isinstance(named, dict) else ())
            if isinstance(value, int) and not isinstance(value, bool)
        }
        return cls(message, fields, codes, existing=existing, body=body)

    @property
    def code(self) -> ErrorCode | None:
        """The app's code for the refusal (`ERRORS.<code>`), so it is told in the agent's language.

        The rule every refused field broke, when they agree (all TAKEN); without fields, the rule behind the message.
        """
        if not self.fields:
            return problem_code(self.message, "")
        codes = {self.codes.get(attribute) for attribute in self.fields}
        return codes.pop() if len(codes) == 1 else None


class NotFound(ApiError):
    """404: the contact (or other resource) does not exist, or not in this account."""


class Conflict(ApiError):
    """409: the contact changed since it was read; `current` is the server's contact."""

    def __init__(self, message: str, current: Contact | None, etag: str | None = None) -> None:
        super().__init__(message, 409)
        self.current = current
        self.etag = etag


class Unauthorized(ApiError):
    """401: bad token, or not allowed in this account or for this action."""


class Forbidden(Unauthorized):
    """The agent is signed in, but their role may not do this (deleting a contact takes an administrator)."""


class RateLimited(ApiError):
    """429: too many attempts; `retry_after` seconds to wait."""

    def __init__(self, message: str, retry_after: int | None) -> None:
        super().__init__(message, 429)
        self.retry_after = retry_after


class NetworkError(ApiError):
    """No answer: connection refused or cut, timeout, or a server error (5xx)."""


class OutcomeUnknown(NetworkError):
    """A write got no answer after it may have reached the server (timeout, dropped connection, 504).

    Not a failure: the server may have applied it, or may still. Ask the server before telling the agent.
    """
