"""Who may call what: every endpoint of the embedded server against every kind of caller.

No token, a wrong or empty token: 401 "Invalid Access Token". An account the caller is not in:
401 "You are not authorized to access this account". Another account's contact or attribute definition
through one's own account: 404. Deleting a contact, and creating, changing or deleting an attribute
definition: administrators only (an agent gets 401 "You are not authorized to do this action", Chatwoot's
ContactPolicy and CustomAttributeDefinitionPolicy). Every refused call must also leave the data exactly as it was.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from api.demo import ADMIN
from tests.support.processes import RunningServer

INVALID_TOKEN = {"error": "Invalid Access Token"}
NOT_IN_ACCOUNT = {"error": "You are not authorized to access this account"}
NOT_ALLOWED = {"error": "You are not authorized to do this action"}
NOT_FOUND = {"error": "Resource could not be found"}
# A conversation of account 1 by its per-account number (the demo data gives account 1 dozens).
CONVERSATION = 1


@dataclass(frozen=True, kw_only=True)
class Endpoint:
    """One route, with ids and bodies filled in from the test's own contacts."""

    name: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    params: dict[str, str] = field(default_factory=dict)
    reads_only: bool = False  # a POST that only reads (the contact filter)
    allowed_status: int = 200

    @property
    def mutates(self) -> bool:
        return self.method != "GET" and not self.reads_only

    @property
    def contact_scoped(self) -> bool:
        return "{contact}" in self.path or self.name == "merge contacts"

    @property
    def definition_scoped(self) -> bool:
        return "{definition}" in self.path


ENDPOINTS = [
    Endpoint(name="list contacts", method="GET", path="/contacts"),
    Endpoint(name="search contacts", method="GET", path="/contacts/search", params={"q": "Matrix"}),
    Endpoint(name="create contact", method="POST", path="/contacts", body={"name": "Matrix created"}),
    Endpoint(name="show contact", method="GET", path="/contacts/{contact}"),
    Endpoint(name="put contact", method="PUT", path="/contacts/{contact}", body={"name": "Changed by the matrix"}),
    Endpoint(name="patch contact", method="PATCH", path="/contacts/{contact}", body={"name": "Patched by the matrix"}),
    Endpoint(name="delete contact", method="DELETE", path="/contacts/{contact}"),
    Endpoint(
        name="destroy custom attributes",
        method="POST",
        path="/contacts/{contact}/destroy_custom_attributes",
        body={"custom_attributes": ["plan"]},
    ),
    Endpoint(
        name="merge contacts",
        method="POST",
        path="/actions/contact_merge",
        body={"base_contact_id": "{contact}", "mergee_contact_id": "{mergee}"},
    ),
    Endpoint(name="contact conversations", method="GET", path="/contacts/{contact}/conversations"),
    Endpoint(name="contact labels", method="GET", path="/contacts/{contact}/labels"),
    Endpoint(name="replace contact labels", method="POST", path="/contacts/{contact}/labels", body={"labels": ["x"]}),
    Endpoint(name="contact notes", method="GET", path="/contacts/{contact}/notes"),
    Endpoint(name="add note", method="POST", path="/contacts/{contact}/notes", body={"content": "matrix note"}),
    Endpoint(name="delete note", method="DELETE", path="/contacts/{contact}/notes/{note}"),
    Endpoint(name="show note", method="GET", path="/contacts/{contact}/notes/{note}"),
    Endpoint(name="patch note", method="PATCH", path="/contacts/{contact}/notes/{note}", body={"content": "patched"}),
    Endpoint(name="put note", method="PUT", path="/contacts/{contact}/notes/{note}", body={"content": "put"}),
    Endpoint(name="contact events", method="GET", path="/contacts/{contact}/events"),
    Endpoint(name="active contacts", method="GET", path="/contacts/active"),
    Endpoint(
        name="filter contacts",
        method="POST",
        path="/contacts/filter",
        body={"payload": [{"attribute_key": "name", "filter_operator": "contains", "values": ["Matrix"]}]},
        reads_only=True,
    ),
    Endpoint(name="delete avatar", method="DELETE", path="/contacts/{contact}/avatar"),
    Endpoint(name="contactable inboxes", method="GET", path="/contacts/{contact}/contactable_inboxes"),
    Endpoint(
        name="attribute definitions",
        method="GET",
        path="/custom_attribute_definitions",
        params={"attribute_model": "1"},
    ),
    Endpoint(
        name="create definition",
        method="POST",
        path="/custom_attribute_definitions",
        body={
            "attribute_display_name": "Matrix created",
            "attribute_key": "matrix_created_{suffix}",
            "attribute_model": "contact_attribute",
        },
    ),
    Endpoint(name="show definition", method="GET", path="/custom_attribute_definitions/{definition}"),
    Endpoint(
        name="patch definition",
        method="PATCH",
        path="/custom_attribute_definitions/{definition}",
        body={"attribute_display_name": "Patched by the matrix"},
    ),
    Endpoint(
        name="put definition",
        method="PUT",
        path="/custom_attribute_definitions/{definition}",
        body={"attribute_display_name": "Put by the matrix"},
    ),
    Endpoint(
        name="delete definition",
        method="DELETE",
        path="/custom_attribute_definitions/{definition}",
        allowed_status=204,  # Chatwoot's `head :no_content`
    ),
    Endpoint(name="account labels", method="GET", path="/labels"),
    Endpoint(name="list conversations", method="GET", path="/conversations"),
    Endpoint(name="show conversation", method="GET", path=f"/conversations/{CONVERSATION}"),
    Endpoint(name="conversation messages", method="GET", path=f"/conversations/{CONVERSATION}/messages"),
]


@dataclass(frozen=True, kw_only=True)
class Caller:
    """Who calls, and into which account's path."""

    name: str
    who: str | None  # "admin", "agent", "other_admin", or None for a made-up token
    token: str | None = None  # when `who` is None: the header's value, or None for no header
    account_id: int = 1

    def headers(self, server: RunningServer) -> dict[str, str]:
        if self.who is not None:
            return dict(getattr(server, self.who).headers)
        return {} if self.token is None else {"api_access_token": self.token}


NO_TOKEN = Caller(name="no token", who=None)
WRONG_TOKEN = Caller(name="wrong token", who=None, token="forged-" + uuid.uuid4().hex)
EMPTY_TOKEN = Caller(name="empty token", who=None, token="")
OTHER_ACCOUNTS_ADMIN = Caller(name="another account's admin", who="other_admin", account_id=1)
AGENT_ELSEWHERE = Caller(name="agent in an account not theirs", who="agent", account_id=2)
ADMIN_IN_NO_ACCOUNT = Caller(name="admin in an account that does not exist", who="admin", account_id=999_999)
AGENT = Caller(name="agent", who="agent")
ADMINISTRATOR = Caller(name="administrator", who="admin")
CALLERS = [
    NO_TOKEN,
    WRONG_TOKEN,
    EMPTY_TOKEN,
    OTHER_ACCOUNTS_ADMIN,
    AGENT_ELSEWHERE,
    ADMIN_IN_NO_ACCOUNT,
    AGENT,
    ADMINISTRATOR,
]


ADMINISTRATORS_ONLY = frozenset(
    {"delete contact", "create definition", "patch definition", "put definition", "delete definition"}
)


def expected(endpoint: Endpoint, caller: Caller) -> tuple[int, dict[str, Any] | None]:
    """The status (and exact error body) the contract gives this caller on this endpoint."""
    if caller.who is None:
        return 401, INVALID_TOKEN
    if caller in (OTHER_ACCOUNTS_ADMIN, AGENT_ELSEWHERE, ADMIN_IN_NO_ACCOUNT):
        return 401, NOT_IN_ACCOUNT
    if endpoint.name in ADMINISTRATORS_ONLY and caller == AGENT:
        return 401, NOT_ALLOWED
    return endpoint.allowed_status, None


@dataclass(kw_only=True)
class Targets:
    """The test's own contacts and contact attribute definition in account 1, and what they hold before the call."""

    contact: int
    mergee: int
    note: int
    definition: int
    suffix: str  # makes the keys of definitions created by the test its own

    def fill(self, text: str) -> str:
        return text.format(
            contact=self.contact, mergee=self.mergee, note=self.note, definition=self.definition, suffix=self.suffix
        )

    def value(self, template: Any) -> Any:
        """A body value: an id for a whole `{name}`, text with `{suffix}` filled in, anything else as it is."""
        if not isinstance(template, str) or "{" not in template:
            return template
        filled = self.fill(template)
        return int(filled) if template.startswith("{") else filled

    def body(self, endpoint: Endpoint) -> dict[str, Any] | None:
        if endpoint.body is None:
            return None
        return {key: self.value(value) for key, value in endpoint.body.items()}


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    """One client for the module: building an httpx client (its TLS context) costs more than a call."""
    with httpx.Client(timeout=30) as client:
        yield client


def new_targets(server: RunningServer, http: httpx.Client) -> Targets:
    base = f"{server.url}/api/v1/accounts/1/contacts"
    headers = server.admin.headers

    def create(**fields: Any) -> int:
        answer = http.post(base, json=fields, headers=headers)
        answer.raise_for_status()
        return int(answer.json()["payload"]["contact"]["id"])

    suffix = uuid.uuid4().hex[:10]
    contact = create(
        name=f"Matrix {suffix[:6]}", custom_attributes={"plan": "pro"}, avatar_url="https://example.com/matrix.png"
    )
    mergee = create(name="Matrix mergee", email=f"m-{suffix}@example.com")
    note = http.post(f"{base}/{contact}/notes", json={"content": "kept"}, headers=headers)
    note.raise_for_status()
    http.post(f"{base}/{contact}/labels", json={"labels": ["vip"]}, headers=headers).raise_for_status()
    definition = http.post(
        f"{server.url}/api/v1/accounts/1/custom_attribute_definitions",
        json={
            "attribute_display_name": "Matrix",
            "attribute_key": f"matrix_{suffix}",
            "attribute_model": "contact_attribute",
        },
        headers=headers,
    )
    definition.raise_for_status()
    return Targets(
        contact=contact, mergee=mergee, note=note.json()["id"], definition=definition.json()["id"], suffix=suffix
    )


@pytest.fixture
def targets(api_server: RunningServer, http: httpx.Client) -> Targets:
    """Contacts of this test alone, for calls that may change them."""
    return new_targets(api_server, http)


@pytest.fixture(scope="module")
def read_only_targets(api_server: RunningServer, http: httpx.Client) -> Targets:
    """Contacts shared by the calls that only read."""
    return new_targets(api_server, http)


def account_state(server: RunningServer, http: httpx.Client, targets: Targets) -> dict[str, Any]:
    """Everything a call could have changed, as the administrator sees it."""
    base = f"{server.url}/api/v1/accounts/1"
    headers = server.admin.headers
    state: dict[str, Any] = {}
    for name, path in {
        "contact": f"/contacts/{targets.contact}",
        "mergee": f"/contacts/{targets.mergee}",
        "labels": f"/contacts/{targets.contact}/labels",
        "notes": f"/contacts/{targets.contact}/notes",
        "created": "/contacts/search?q=Matrix%20created",
        "definitions": "/custom_attribute_definitions?attribute_model=1",
    }.items():
        answer = http.get(base + path, headers=headers)
        state[name] = (answer.status_code, answer.json())
    state["created"] = (state["created"][0], state["created"][1]["meta"]["count"])
    return state


def call(server: RunningServer, http: httpx.Client, endpoint: Endpoint, caller: Caller, targets: Targets):
    url = f"{server.url}/api/v1/accounts/{caller.account_id}{targets.fill(endpoint.path)}"
    return http.request(
        endpoint.method,
        url,
        json=targets.body(endpoint),
        params=endpoint.params,
        headers=caller.headers(server),
    )


@pytest.mark.parametrize("caller", CALLERS, ids=[c.name for c in CALLERS])
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_every_endpoint_answers_every_caller_as_the_contract_says(
    request: pytest.FixtureRequest, api_server: RunningServer, http: httpx.Client, endpoint: Endpoint, caller: Caller
) -> None:
    targets: Targets = request.getfixturevalue("targets" if endpoint.mutates else "read_only_targets")
    before = account_state(api_server, http, targets) if endpoint.mutates else None
    status, error = expected(endpoint, caller)

    answer = call(api_server, http, endpoint, caller, targets)

    assert answer.status_code == status, answer.text
    if error is not None:
        assert answer.json() == error
        assert "payload" not in answer.text
    if endpoint.mutates:
        after = account_state(api_server, http, targets)
        if error is None:
            assert after != before, "an allowed call changed nothing"
        else:
            assert after == before, "a refused call changed something"


CONTACT_SCOPED = [e for e in ENDPOINTS if e.contact_scoped]


@pytest.mark.parametrize("endpoint", CONTACT_SCOPED, ids=[e.name for e in CONTACT_SCOPED])
def test_another_accounts_contact_through_ones_own_account_is_404(
    api_server: RunningServer, http: httpx.Client, targets: Targets, endpoint: Endpoint
) -> None:
    """Account 2's administrator, in account 2's path, naming account 1's contacts: as if they did not exist."""
    before = account_state(api_server, http, targets)
    own = Caller(name="account 2's admin at home", who="other_admin", account_id=2)

    answer = call(api_server, http, endpoint, own, targets)

    assert answer.status_code == 404, answer.text
    assert answer.json() == NOT_FOUND
    assert account_state(api_server, http, targets) == before


DEFINITION_SCOPED = [e for e in ENDPOINTS if e.definition_scoped]


@pytest.mark.parametrize("endpoint", DEFINITION_SCOPED, ids=[e.name for e in DEFINITION_SCOPED])
def test_another_accounts_definition_through_ones_own_account_is_404(
    api_server: RunningServer, http: httpx.Client, targets: Targets, endpoint: Endpoint
) -> None:
    """Account 2's administrator, in account 2's path, naming account 1's attribute definition."""
    before = account_state(api_server, http, targets)
    own = Caller(name="account 2's admin at home", who="other_admin", account_id=2)

    answer = call(api_server, http, endpoint, own, targets)

    assert answer.status_code == 404, answer.text
    assert answer.json() == NOT_FOUND
    assert account_state(api_server, http, targets) == before


def test_a_note_is_not_reachable_through_another_accounts_contact(
    api_server: RunningServer, http: httpx.Client, targets: Targets
) -> None:
    """Account 2's admin deleting account 1's note through one of account 2's own contacts."""
    before = account_state(api_server, http, targets)
    headers = api_server.other_admin.headers
    own = http.post(f"{api_server.url}/api/v1/accounts/2/contacts", json={"name": "Globex own"}, headers=headers)
    own.raise_for_status()
    own_id = own.json()["payload"]["contact"]["id"]

    answer = http.delete(f"{api_server.url}/api/v1/accounts/2/contacts/{own_id}/notes/{targets.note}", headers=headers)

    assert answer.status_code == 404, answer.text
    assert answer.json() == NOT_FOUND
    assert account_state(api_server, http, targets) == before


def test_a_merge_across_accounts_is_404_and_merges_nothing(
    api_server: RunningServer, http: httpx.Client, targets: Targets
) -> None:
    """Account 2's own contact as the base and account 1's as the mergee (and the other way round)."""
    before = account_state(api_server, http, targets)
    headers = api_server.other_admin.headers
    base = f"{api_server.url}/api/v1/accounts/2"
    own = http.post(f"{base}/contacts", json={"name": "Globex base"}, headers=headers)
    own.raise_for_status()
    own_id = own.json()["payload"]["contact"]["id"]

    for pair in ((own_id, targets.contact), (targets.contact, own_id)):
        merge = {"base_contact_id": pair[0], "mergee_contact_id": pair[1]}
        answer = http.post(f"{base}/actions/contact_merge", json=merge, headers=headers)
        assert answer.status_code == 404, answer.text
        assert answer.json() == NOT_FOUND
    assert http.get(f"{base}/contacts/{own_id}", headers=headers).status_code == 200
    assert account_state(api_server, http, targets) == before


@pytest.mark.parametrize("caller", [NO_TOKEN, WRONG_TOKEN, EMPTY_TOKEN], ids=lambda c: c.name)
def test_profile_needs_a_valid_token(api_server: RunningServer, http: httpx.Client, caller: Caller) -> None:
    answer = http.get(f"{api_server.url}/api/v1/profile", headers=caller.headers(api_server))
    assert answer.status_code == 401
    assert answer.json() == INVALID_TOKEN


@pytest.mark.parametrize("who", ["admin", "agent", "other_admin"])
def test_profile_is_the_tokens_own_agent(api_server: RunningServer, http: httpx.Client, who: str) -> None:
    signed_in = getattr(api_server, who)
    answer = http.get(f"{api_server.url}/api/v1/profile", headers=signed_in.headers)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["id"], answer.json()["email"]) == (signed_in.user_id, signed_in.email)


def test_sign_in_needs_no_token_and_ignores_a_forged_one(api_server: RunningServer, http: httpx.Client) -> None:
    email, password = ADMIN
    answer = http.post(
        f"{api_server.url}/auth/sign_in",
        json={"email": email, "password": password},
        headers={"api_access_token": "forged"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["access_token"] == api_server.admin.token


def test_a_token_of_one_agent_never_reads_as_another(api_server: RunningServer, http: httpx.Client) -> None:
    """Tokens differing by case, by a character or by a prefix are not the agent's token."""
    token = api_server.agent.token
    for variant in {token.upper(), token.lower(), token + "x", token[:-1], token[:8]} - {token}:
        answer = http.get(f"{api_server.url}/api/v1/profile", headers={"api_access_token": variant})
        assert answer.status_code == 401, (variant, answer.text)
        assert answer.json() == INVALID_TOKEN
