"""Errors in Chatwoot's shapes, and the route class that renders them."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from api.protocol import EXTENSIONS_HEADER
from api.validation import ContactInvalid
from server.body_limit import BodyTooLarge
from server.contract import ConflictAnswer, ErrorAnswer, InvalidAnswer

NOT_FOUND = "Resource could not be found"
# Announced on every answer (EXTENSIONS_HEADER), so a client uses the extensions beyond Chatwoot only when offered.
EXTENSIONS = "etag,paging,events,export,merge,duplicates"


# The error answers of the API's routes, for their OpenAPI document (FastAPI's own 422 is not ours): any request's,
# and those of an account's routes.
REQUEST_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorAnswer, "description": "A body that is not JSON"},
    413: {"model": ErrorAnswer, "description": "A body over the limit"},
    422: {"model": InvalidAnswer | ErrorAnswer, "description": "Refused: the fields at fault, or what is wrong"},
}
CONTRACT_ERRORS: dict[int | str, dict[str, Any]] = {
    **REQUEST_ERRORS,
    401: {"model": ErrorAnswer, "description": "An unknown token, not a member of the account, or not allowed"},
    404: {"model": ErrorAnswer, "description": "Nothing of that id in the account"},
}
CONFLICT_ERRORS: dict[int | str, dict[str, Any]] = {
    409: {"model": ConflictAnswer, "description": "Changed since the `If-Match` version (an extension)"},
}
# A route whose 200 has no body.
EMPTY_ANSWER: dict[int | str, dict[str, Any]] = {200: {"description": "Done; no body"}}


# Header parameters that a dependency reads from the request itself, by dependency: ContractRoute lists them in the
# OpenAPI document of every operation that depends on it, as FastAPI lists the parameters it is told of.
_DOCUMENTED_HEADERS: dict[Callable[..., Any], dict[str, str]] = {}


def documented_headers(dependency: Callable[..., Any], headers: dict[str, str]) -> None:
    """Have the operations depending on `dependency` list `headers` (name -> title): optional strings."""
    _DOCUMENTED_HEADERS[dependency] = headers


def _dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _dependency_calls(dependency)


class ApiProblem(Exception):
    """An error answer: status and the exact JSON body to send."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(body)
        self.status = status
        self.body = body
        self.headers = headers or {}

    @classmethod
    def not_found(cls) -> ApiProblem:
        return cls(404, {"error": NOT_FOUND})

    @classmethod
    def unauthorized(cls, message: str) -> ApiProblem:
        return cls(401, {"error": message})

    @classmethod
    def invalid(cls, message: str, attributes: list[str]) -> ApiProblem:
        return cls(422, {"message": message, "attributes": attributes})

    @classmethod
    def from_contact_invalid(cls, error: ContactInvalid) -> ApiProblem:
        return cls.invalid(str(error), error.attributes)


def _request_validation_problem(error: RequestValidationError) -> ApiProblem:
    issues = list(error.errors())
    if any(issue.get("type") == "json_invalid" for issue in issues):
        return ApiProblem(400, {"error": "Malformed JSON"})
    fields: list[str] = []
    messages: list[str] = []
    for issue in issues:
        location = [str(part) for part in issue.get("loc", ()) if part not in {"body", "query", "path"}]
        field = location[0] if location else "body"
        fields.append(field)
        messages.append(f"{field.replace('_', ' ').capitalize()} {issue.get('msg', 'is invalid').lower()}")
    return ApiProblem.invalid(", ".join(dict.fromkeys(messages)), list(dict.fromkeys(fields)))


class ContractRoute(APIRoute):
    """Renders ApiProblem, ContactInvalid and request validation errors in the contract's shapes.

    Scoped to the API router, so NiceGUI's own pages keep their error handling. Lists the header parameters
    its dependencies read themselves (`documented_headers`) in the OpenAPI document.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        headers: dict[str, str] = {}
        for call in _dependency_calls(self.dependant):
            headers.update(_DOCUMENTED_HEADERS.get(call, {}))
        if headers:
            parameters = [
                {
                    "name": name,
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "default": "", "title": title},
                }
                for name, title in headers.items()
            ]
            extra = dict(self.openapi_extra or {})
            extra["parameters"] = [*extra.get("parameters", []), *parameters]
            self.openapi_extra = extra

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def contract_handler(request: Request) -> Response:
            runtime = request.app.state.contact_server
            if not await runtime.wait_ready():
                return JSONResponse({"error": "The server is starting; try again shortly"}, status_code=503)
            try:
                response = await handler(request)
            except ApiProblem as problem:
                response = JSONResponse(problem.body, status_code=problem.status, headers=problem.headers)
            except ContactInvalid as invalid:
                refused = ApiProblem.from_contact_invalid(invalid)
                response = JSONResponse(refused.body, status_code=refused.status)
            except RequestValidationError as error:
                malformed = _request_validation_problem(error)
                response = JSONResponse(malformed.body, status_code=malformed.status)
            except HTTPException as error:  # FastAPI's own, e.g. a body it could not read
                if isinstance(error.__cause__, BodyTooLarge):
                    response = JSONResponse({"error": "Request body too large"}, status_code=413)
                else:
                    response = JSONResponse({"error": str(error.detail)}, status_code=error.status_code)
            if runtime.extensions:
                response.headers[EXTENSIONS_HEADER] = EXTENSIONS
            return response

        return contract_handler


def account_router(tag: str) -> APIRouter:
    """A router of an account's routes (`/api/v1/accounts/{account_id}/...`), their errors in the contract's shapes."""
    return APIRouter(
        prefix="/api/v1/accounts/{account_id}", route_class=ContractRoute, tags=[tag], responses=CONTRACT_ERRORS
    )
