"""What went wrong, as the agent is told it: a code the app translates, or a refusal in the server's own words.

`api.errors` says how a request failed; this says what the agent reads about it. Pages and components show a
`Problem` with `describe`, in the agent's language, never an exception's text.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.error_codes import ErrorCode
from api.errors import (
    ApiError,
    Conflict,
    Forbidden,
    NetworkError,
    NotFound,
    RateLimited,
    Unauthorized,
    ValidationFailed,
)
from api.validation import (
    AVATAR_MAX_BYTES,
    AVATAR_MAX_MEGAPIXELS,
    MAX_ATTRIBUTE_BYTES,
    MAX_ATTRIBUTE_KEYS,
    MAX_SAFE_INTEGER,
    MAX_STRING,
)
from state.i18n import format_number, t

# Rules whose text names a limit: the limit, counted in the agent's language ("255 characters", "255 حرفًا").
LIMITS = {
    ErrorCode.TOO_LONG: MAX_STRING,
    ErrorCode.TOO_MANY_KEYS: MAX_ATTRIBUTE_KEYS,
    ErrorCode.TOO_LARGE: MAX_ATTRIBUTE_BYTES // 1024,  # in KB
    ErrorCode.AVATAR_TOO_BIG: AVATAR_MAX_BYTES // (1024 * 1024),  # in MB
    ErrorCode.AVATAR_TOO_MANY_PIXELS: AVATAR_MAX_MEGAPIXELS,
}


@dataclass(frozen=True, slots=True)
class ServerSaid:
    """A refusal the app has no code for (a rule of a server it does not know): the server's words, as they came."""

    text: str


Problem = ErrorCode | ServerSaid


class LoadFailed(Exception):
    """A read for a page failed; `problem` is what to tell the agent."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem)
        self.problem = problem


def problem_of(error: ApiError) -> Problem:
    """What to tell the agent about a failed request: a code where one fits, else the server's words."""
    if isinstance(error, NetworkError):
        return ErrorCode.SERVER if error.status else ErrorCode.NETWORK
    if isinstance(error, Forbidden):
        return ErrorCode.FORBIDDEN
    if isinstance(error, Unauthorized):
        return ErrorCode.UNAUTHORIZED
    if isinstance(error, RateLimited):
        return ErrorCode.RATE_LIMITED
    if isinstance(error, NotFound):
        return ErrorCode.NOT_FOUND
    if isinstance(error, Conflict):
        return ErrorCode.CONFLICT
    if isinstance(error, ValidationFailed):
        return error.code or ServerSaid(error.message)
    if error.status == 413:  # a proxy's or server's body limit: only an upload comes near one
        return ErrorCode.UPLOAD_TOO_LARGE
    return ServerSaid(error.message)


def describe(problem: Problem | None, locale: str) -> str:
    """The problem in the agent's language ("" for none)."""
    if problem is None:
        return ""
    if isinstance(problem, ServerSaid):
        return problem.text
    key = f"ERRORS.{problem.value}"
    if problem in LIMITS:
        return t(key, locale=locale, count=LIMITS[problem])
    if problem is ErrorCode.NUMBER_OUT_OF_RANGE:
        return t(
            key,
            locale=locale,
            min=format_number(-MAX_SAFE_INTEGER, locale),
            max=format_number(MAX_SAFE_INTEGER, locale),
        )
    return t(key, locale=locale)
