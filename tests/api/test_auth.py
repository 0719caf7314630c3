"""Sign-in, the profile, tokens, and the throttle on repeated failed sign-ins."""

from __future__ import annotations

import itertools

import httpx
import pytest

from api.demo import ADMIN, AGENT, OTHER_ADMIN
from tests.api.sample_data import unique_email
from tests.api.shapes import assert_user, error_body
from tests.support.processes import RunningServer

INVALID_TOKEN = {"error": "Invalid Access Token"}
# Failed sign-ins are also counted per client address. uvicorn takes the address from
# X-Forwarded-For when the peer is 127.0.0.1, so each failing call here comes from an address
# of its own: the suites sharing these servers, all on 127.0.0.1, are never throttled.
_addresses = (f"10.77.{n // 250}.{n % 250 + 1}" for n in itertools.count())


def sign_in(
    http: httpx.Client, server: RunningServer, email: str, password: str, *, fake_address: bool = False
) -> httpx.Response:
    headers = {"X-Forwarded-For": next(_addresses)} if fake_address else {}
    return http.post(f"{server.url}/auth/sign_in", json={"email": email, "password": password}, headers=headers)


def assert_refused_credentials(answer: httpx.Response) -> None:
    """devise_token_auth's failure: 401 `{"success": false, "errors": [...]}`, no token."""
    assert answer.status_code == 401, answer.text
    body = answer.json()
    assert body.get("success") is False
    assert isinstance(body.get("errors"), list) and body["errors"], body
    assert "data" not in body and "access_token" not in answer.text


def test_sign_in_returns_the_user_with_tokens_and_accounts(server: RunningServer, http: httpx.Client) -> None:
    answer = sign_in(http, server, *ADMIN)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"data"}
    user = body["data"]
    assert_user(user, "data")
    assert user["email"] == ADMIN[0]
    assert user["account_id"] == 1
    assert user["role"] == "administrator"
    assert [(a["id"], a["role"]) for a in user["accounts"]] == [(1, "administrator")]
    assert user["access_token"] == server.admin.token
    assert user["pubsub_token"] == server.admin.pubsub_token


def test_sign_in_is_case_insensitive_in_the_email(server: RunningServer, http: httpx.Client) -> None:
    answer = sign_in(http, server, AGENT[0].upper(), AGENT[1])
    assert answer.status_code == 200, answer.text
    user = answer.json()["data"]
    assert user["email"] == AGENT[0]
    assert user["role"] == "agent"
    assert user["access_token"] == server.agent.token


def test_wrong_password_is_refused(server: RunningServer, http: httpx.Client) -> None:
    assert_refused_credentials(sign_in(http, server, ADMIN[0], "not-the-password", fake_address=True))


def test_unknown_email_is_refused(server: RunningServer, http: httpx.Client) -> None:
    assert_refused_credentials(sign_in(http, server, unique_email("nobody"), "whatever", fake_address=True))


def test_missing_credentials_are_a_client_error(server: RunningServer, http: httpx.Client) -> None:
    answer = http.post(f"{server.url}/auth/sign_in", json={"email": ADMIN[0]})
    body = error_body(answer, 422)
    assert body["attributes"] == ["password"]


def test_repeated_failures_for_one_email_hold_back_that_address_not_the_owner(
    server: RunningServer, http: httpx.Client
) -> None:
    """The sixth failure for an email from one address answers 429 with Retry-After there, even with the
    right password; the agent still signs in from an address that has not failed (no one can lock them out)."""
    email, password = OTHER_ADMIN
    guesser = {"X-Forwarded-For": next(_addresses)}
    for _ in range(5):
        answer = http.post(f"{server.url}/auth/sign_in", json={"email": email, "password": "wrong"}, headers=guesser)
        assert_refused_credentials(answer)
    throttled = http.post(f"{server.url}/auth/sign_in", json={"email": email, "password": password}, headers=guesser)
    body = error_body(throttled, 429)
    assert body["error"] and "access_token" not in throttled.text
    assert 1 <= int(throttled.headers["Retry-After"]) <= 900

    assert sign_in(http, server, *OTHER_ADMIN, fake_address=True).status_code == 200


def test_a_few_typos_behind_one_address_do_not_lock_everyone_out(server: RunningServer, http: httpx.Client) -> None:
    """Agents behind one NAT or proxy (a kiosk, an intranet portal) share an address: five typos by
    different people must not refuse the next agent's correct password."""
    shared = {"X-Forwarded-For": next(_addresses)}
    for _ in range(5):
        answer = http.post(
            f"{server.url}/auth/sign_in", json={"email": unique_email("typo"), "password": "x"}, headers=shared
        )
        assert_refused_credentials(answer)
    answer = http.post(f"{server.url}/auth/sign_in", json={"email": AGENT[0], "password": AGENT[1]}, headers=shared)
    assert answer.status_code == 200, answer.text


def test_profile_returns_the_bare_user(server: RunningServer, http: httpx.Client) -> None:
    answer = http.get(f"{server.url}/api/v1/profile", headers=server.other_admin.headers)
    assert answer.status_code == 200, answer.text
    user = answer.json()
    assert "data" not in user
    assert_user(user, "profile")
    assert user["id"] == server.other_admin.user_id
    assert user["email"] == OTHER_ADMIN[0]
    assert user["pubsub_token"] == server.other_admin.pubsub_token
    assert [(a["id"], a["role"]) for a in user["accounts"]] == [(2, "administrator")]


@pytest.mark.parametrize(
    "headers",
    [{}, {"api_access_token": "not-a-token"}, {"api_access_token": ""}],
    ids=["no-token", "bad-token", "empty-token"],
)
def test_profile_without_a_valid_token_is_401(server: RunningServer, http: httpx.Client, headers) -> None:
    answer = http.get(f"{server.url}/api/v1/profile", headers=headers)
    assert error_body(answer, 401) == INVALID_TOKEN


@pytest.mark.parametrize("path", ["/contacts", "/contacts/1", "/labels", "/custom_attribute_definitions"])
def test_account_endpoints_without_a_valid_token_are_401(server: RunningServer, http: httpx.Client, path: str) -> None:
    answer = http.get(f"{server.url}/api/v1/accounts/1{path}", headers={"api_access_token": "forged"})
    assert error_body(answer, 401) == INVALID_TOKEN


def session_headers(answer: httpx.Response) -> dict[str, str]:
    return {name: answer.headers[name] for name in ("access-token", "client", "uid")}


def test_each_sign_in_gets_a_token_of_its_own_that_sign_out_revokes(server: RunningServer, http: httpx.Client) -> None:
    """devise_token_auth's headers, as Chatwoot's dashboard uses them: every sign-in is a client of its own,
    and ending one leaves the others (and the agent's personal token) working."""
    first, second = sign_in(http, server, *AGENT), sign_in(http, server, *AGENT)
    assert first.status_code == second.status_code == 200
    assert first.headers["token-type"] == "Bearer"
    assert first.headers["uid"] == AGENT[0]
    assert int(first.headers["expiry"]) > 0
    mine, theirs = session_headers(first), session_headers(second)
    assert mine["client"] != theirs["client"] and mine["access-token"] != theirs["access-token"]
    for headers in (mine, theirs):
        answer = http.get(f"{server.url}/api/v1/profile", headers=headers)
        assert answer.status_code == 200 and answer.json()["email"] == AGENT[0]
    validated = http.get(f"{server.url}/auth/validate_token", headers=mine)
    assert validated.status_code == 200 and validated.json()["success"] is True
    assert validated.json()["data"]["email"] == AGENT[0]

    assert http.delete(f"{server.url}/auth/sign_out", headers=mine).json() == {"success": True}
    assert error_body(http.get(f"{server.url}/api/v1/profile", headers=mine), 401) == INVALID_TOKEN
    assert http.get(f"{server.url}/api/v1/accounts/1/contacts", headers=mine).status_code == 401
    assert http.get(f"{server.url}/auth/validate_token", headers=mine).status_code == 401
    assert http.delete(f"{server.url}/auth/sign_out", headers=mine).status_code == 404
    assert http.get(f"{server.url}/api/v1/profile", headers=theirs).status_code == 200
    assert http.get(f"{server.url}/api/v1/profile", headers=server.agent.headers).status_code == 200


@pytest.mark.parametrize("wrong", ["access-token", "uid"])
def test_a_session_token_needs_its_own_client_and_uid(server: RunningServer, http: httpx.Client, wrong: str) -> None:
    headers = session_headers(sign_in(http, server, *AGENT))
    headers[wrong] = ADMIN.email if wrong == "uid" else "forged-token"
    assert error_body(http.get(f"{server.url}/api/v1/profile", headers=headers), 401) == INVALID_TOKEN
