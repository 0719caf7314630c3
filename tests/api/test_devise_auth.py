"""devise_token_auth's headers as Chatwoot's dashboard and mobile app use them: sign in, call the API with
`access-token` + `client` + `uid` (or devise_token_auth 1.2's `Authorization: Bearer`), validate, sign out."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import create_async_engine

from api.demo import ADMIN, AGENT, OTHER_ADMIN
from server import contract
from tests.api.shapes import assert_user, error_body
from tests.support import in_process
from tests.support.processes import RunningServer

DEVISE_HEADERS = ("access-token", "token-type", "client", "expiry", "uid")
INVALID_TOKEN = {"error": "Invalid Access Token"}
NOT_YOUR_ACCOUNT = {"error": "You are not authorized to access this account"}
INVALID_SESSION = {"success": False, "errors": ["Invalid login credentials"]}


def signed_in(http: httpx.Client, server: RunningServer, credentials: tuple[str, str]) -> httpx.Response:
    email, password = credentials
    answer = http.post(f"{server.url}/auth/sign_in", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    return answer


def session_of(answer: httpx.Response) -> dict[str, str]:
    """The headers Chatwoot's dashboard keeps from a sign-in and sends with every request."""
    return {name: answer.headers[name] for name in DEVISE_HEADERS}


async def execute(server: RunningServer, statement: str, **params: Any) -> list[Any]:
    """Run SQL on the server's database (SQLite or PostgreSQL); the rows it returns, if any."""
    engine = create_async_engine(server.database_url)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(text(statement), params)
            return list(result.fetchall()) if result.returns_rows else []
    finally:
        await engine.dispose()


def test_sign_in_answers_devise_token_auths_headers(server: RunningServer, http: httpx.Client) -> None:
    answer = signed_in(http, server, AGENT)
    headers = session_of(answer)
    assert headers["token-type"] == "Bearer"
    assert headers["uid"] == AGENT[0]
    assert len(headers["access-token"]) >= 20 and len(headers["client"]) >= 20
    # Two months, as Chatwoot configures devise_token_auth.
    assert 59 * 86400 < int(headers["expiry"]) - time.time() <= 60 * 86400 + 5
    # devise_token_auth 1.2 also answers the same five as one bearer token.
    scheme, encoded = answer.headers["authorization"].split(" ")
    assert scheme == "Bearer"
    assert json.loads(base64.b64decode(encoded)) == headers


@pytest.mark.parametrize("kind", ["devise-headers", "authorization-bearer"])
def test_the_api_accepts_a_signed_in_clients_headers(server: RunningServer, http: httpx.Client, kind: str) -> None:
    answer = signed_in(http, server, AGENT)
    headers = session_of(answer) if kind == "devise-headers" else {"authorization": answer.headers["authorization"]}
    profile = http.get(f"{server.url}/api/v1/profile", headers=headers)
    assert profile.status_code == 200, profile.text
    assert profile.json()["email"] == AGENT[0]
    contacts = http.get(f"{server.url}/api/v1/accounts/1/contacts", headers=headers)
    assert contacts.status_code == 200, contacts.text
    contact = server.create_contact(name="Devise Reader")
    path = f"{server.url}/api/v1/accounts/1/contacts/{contact['id']}"
    renamed = http.put(path, json={"name": "By Devise"}, headers=headers)
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["payload"]["name"] == "By Devise"


def test_validate_token_answers_as_chatwoot_does(server: RunningServer, http: httpx.Client) -> None:
    """Chatwoot's dashboard reads `payload.data` (its own view); devise_token_auth's clients read `data`."""
    headers = session_of(signed_in(http, server, ADMIN))
    answer = http.get(f"{server.url}/auth/validate_token", headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["success"] is True
    assert body["payload"]["success"] is True
    for user in (body["data"], body["payload"]["data"]):
        assert_user(user, "validate_token", contract.ValidatedUser)
        assert user["id"] == server.admin.user_id
        assert user["email"] == ADMIN[0]
        assert user["pubsub_token"] == server.admin.pubsub_token
        assert isinstance(user["created_at"], int | str)
    # As devise_token_auth does when tokens do not change per request: the same credentials come back.
    assert {name: answer.headers.get(name) for name in DEVISE_HEADERS} == headers


@pytest.mark.parametrize(
    "spoil",
    ["nothing-sent", "wrong-token", "wrong-client", "wrong-uid", "another-agents-uid", "api-access-token-only"],
)
def test_validate_token_refuses_anything_but_a_live_session(
    server: RunningServer, http: httpx.Client, spoil: str
) -> None:
    headers = session_of(signed_in(http, server, AGENT))
    sent = {
        "nothing-sent": {},
        "wrong-token": {**headers, "access-token": "forged-token-forged-token"},
        "wrong-client": {**headers, "client": "forged-client-forged-client"},
        "wrong-uid": {**headers, "uid": "nobody@acme.test"},
        "another-agents-uid": {**headers, "uid": ADMIN[0]},
        "api-access-token-only": {"api_access_token": server.agent.token},
    }[spoil]
    answer = http.get(f"{server.url}/auth/validate_token", headers=sent)
    assert answer.status_code == 401, answer.text
    assert answer.json() == INVALID_SESSION
    assert "access-token" not in answer.headers


async def test_only_a_hash_of_the_token_is_stored(server: RunningServer) -> None:
    async with in_process.async_client(base_url=server.url, timeout=30) as http:
        answer = await http.post("/auth/sign_in", json={"email": AGENT[0], "password": AGENT[1]})
    headers = session_of(answer)
    rows = await execute(
        server, "SELECT token_hash, expires_at FROM agent_sessions WHERE client_id = :c", c=headers["client"]
    )
    assert len(rows) == 1
    token_hash, expires_at = rows[0]
    assert token_hash == hashlib.sha256(headers["access-token"].encode()).hexdigest()
    assert headers["access-token"] not in str(rows)
    assert int(expires_at) == int(headers["expiry"])


async def test_an_expired_session_is_refused_everywhere(server: RunningServer) -> None:
    async with in_process.async_client(base_url=server.url, timeout=30) as http:
        answer = await http.post("/auth/sign_in", json={"email": AGENT[0], "password": AGENT[1]})
        assert answer.status_code == 200
        headers = session_of(answer)
        assert (await http.get("/api/v1/profile", headers=headers)).status_code == 200

        await execute(
            server,
            "UPDATE agent_sessions SET expires_at = :past WHERE client_id = :c",
            past=int(time.time()) - 1,
            c=headers["client"],
        )

        assert error_body(await http.get("/api/v1/profile", headers=headers), 401) == INVALID_TOKEN
        assert (await http.get("/api/v1/accounts/1/contacts", headers=headers)).status_code == 401
        validated = await http.get("/auth/validate_token", headers=headers)
        assert validated.status_code == 401 and validated.json() == INVALID_SESSION
        bearer = {"authorization": answer.headers["authorization"]}
        assert (await http.get("/api/v1/profile", headers=bearer)).status_code == 401


@pytest.mark.parametrize("kind", ["devise-headers", "authorization-bearer"])
def test_sign_out_revokes_the_session_at_once(server: RunningServer, http: httpx.Client, kind: str) -> None:
    answer = signed_in(http, server, AGENT)
    headers = session_of(answer) if kind == "devise-headers" else {"authorization": answer.headers["authorization"]}
    assert http.get(f"{server.url}/api/v1/accounts/1/contacts", headers=headers).status_code == 200

    signed_out = http.delete(f"{server.url}/auth/sign_out", headers=headers)
    assert signed_out.status_code == 200 and signed_out.json() == {"success": True}

    assert error_body(http.get(f"{server.url}/api/v1/accounts/1/contacts", headers=headers), 401) == INVALID_TOKEN
    assert http.get(f"{server.url}/auth/validate_token", headers=headers).json() == INVALID_SESSION
    again = http.delete(f"{server.url}/auth/sign_out", headers=headers)
    assert again.status_code == 404
    assert again.json() == {"success": False, "errors": ["User was not found or was not logged in."]}


def test_an_account_1_agents_session_never_reaches_account_2(server: RunningServer, http: httpx.Client) -> None:
    other = session_of(signed_in(http, server, OTHER_ADMIN))
    theirs = http.post(
        f"{server.url}/api/v1/accounts/2/contacts",
        json={"name": "Globex Only", "email": f"globex-{time.time_ns()}@example.com"},
        headers=other,
    )
    assert theirs.status_code == 200, theirs.text
    their_contact = theirs.json()["payload"]["contact"]["id"]

    for credentials in (AGENT, ADMIN):
        mine = session_of(signed_in(http, server, credentials))
        for method, path, body in [
            ("GET", "/api/v1/accounts/2/contacts", None),
            ("GET", f"/api/v1/accounts/2/contacts/{their_contact}", None),
            ("PUT", f"/api/v1/accounts/2/contacts/{their_contact}", {"name": "Taken Over"}),
            ("GET", "/api/v1/accounts/2/contacts/search?q=Globex", None),
            ("GET", "/api/v1/accounts/2/labels", None),
        ]:
            answer = http.request(method, f"{server.url}{path}", json=body, headers=mine)
            assert error_body(answer, 401) == NOT_YOUR_ACCOUNT, (credentials[0], method, path)
        # Their contact's id in the agent's own account is somebody else's contact: not found.
        answer = http.get(f"{server.url}/api/v1/accounts/1/contacts/{their_contact}", headers=mine)
        assert answer.status_code == 404, answer.text
        # The uid of account 2's admin with account 1's token is no session at all.
        forged = {**mine, "uid": OTHER_ADMIN[0]}
        assert error_body(http.get(f"{server.url}/api/v1/accounts/2/contacts", headers=forged), 401) == INVALID_TOKEN

    unchanged = http.get(f"{server.url}/api/v1/accounts/2/contacts/{their_contact}", headers=other)
    assert unchanged.json()["payload"]["name"] == "Globex Only"


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer not-base64!",
        "Bearer " + base64.b64encode(b"[1, 2]").decode(),
        "Bearer " + base64.b64encode(b'{"access-token": 5, "client": [], "uid": null}').decode(),
        "Basic " + base64.b64encode(f"{AGENT.email}:{AGENT.password}".encode()).decode(),
        "Bearer",
    ],
    ids=["not-base64", "not-an-object", "wrong-types", "basic-auth", "empty"],
)
def test_a_malformed_authorization_header_is_401(server: RunningServer, http: httpx.Client, authorization: str) -> None:
    answer = http.get(f"{server.url}/api/v1/profile", headers={"authorization": authorization})
    assert error_body(answer, 401) == INVALID_TOKEN


def test_plain_chatwoot_mode_speaks_devise_too(plain_api_server: RunningServer, http: httpx.Client) -> None:
    server = plain_api_server
    answer = signed_in(http, server, AGENT)
    headers = session_of(answer)
    assert http.get(f"{server.url}/api/v1/accounts/1/contacts", headers=headers).status_code == 200
    validated = http.get(f"{server.url}/auth/validate_token", headers=headers)
    assert validated.status_code == 200 and validated.json()["payload"]["data"]["email"] == AGENT[0]
    assert http.delete(f"{server.url}/auth/sign_out", headers=headers).status_code == 200
    assert http.get(f"{server.url}/api/v1/accounts/1/contacts", headers=headers).status_code == 401


def test_a_signed_in_clients_session_is_read_on_every_request_and_its_agent_remembered(
    server: RunningServer, http: httpx.Client
) -> None:
    """One query for the session row per request (a sign-out still ends it at once); the agent with its
    memberships is loaded at most by the first request and then remembered for a few seconds, as API tokens'
    agents are."""
    headers = session_of(signed_in(http, server, AGENT))
    requests: list[list[str]] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        requests[-1].append(statement)

    event.listen(Engine, "before_cursor_execute", record)  # the in-process server's engine, on its thread
    try:
        for _ in range(3):
            requests.append([])
            assert http.get(f"{server.url}/api/v1/accounts/1/labels", headers=headers).status_code == 200
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    for statements in requests:
        assert len([statement for statement in statements if "agent_sessions" in statement]) == 1, statements
    for statements in requests[1:]:
        loads = [s for s in statements if "agent_sessions" not in s and re.search(r"\bagents\b|account_agents", s)]
        assert not loads, f"the agent was loaded again: {loads}"
