"""Schemathesis against the standalone server's own OpenAPI: no input gets a 5xx, every 4xx has a contract shape,
and every answer has the status and the body the document declares for it (its response models: server/contract.py).

The fuzzer deletes and merges contacts, so it gets a server of its own: nothing it does can reach the
session servers other suites share. Cases come from `operation.as_strategy()` in plain Hypothesis tests,
one per operation and generation mode, since the schema is read from the running process.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import content_type_conformance, response_schema_conformance, status_code_conformance

from api.demo import AGENT
from api.protocol import HEALTH_PATH
from tests.support.processes import RunningServer

# Examples per operation and mode: the whole schema takes about 30-60 s. By default every run replays the same
# derandomized examples, so a failure reproduces and `make test` cannot flake on a rare find; for a longer,
# random hunt set FUZZ_EXAMPLES (e.g. `FUZZ_EXAMPLES=500 pytest tests/fuzz/test_schemathesis.py`).
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 30)
DERANDOMIZE = "FUZZ_EXAMPLES" not in os.environ
ACCOUNT = 1
SIGN_IN = "/auth/sign_in"
MOSTLY = st.sampled_from([True, True, True, False])
A = "/api/v1/accounts/{account_id}"
OPERATIONS = [
    ("GET", HEALTH_PATH),
    ("POST", SIGN_IN),
    ("DELETE", "/auth/sign_out"),
    ("GET", "/auth/validate_token"),
    ("GET", "/api/v1/profile"),
    ("GET", f"{A}/contacts"),
    ("POST", f"{A}/contacts"),
    ("GET", f"{A}/contacts/search"),
    ("GET", f"{A}/contacts/{{contact_id}}"),
    ("PUT", f"{A}/contacts/{{contact_id}}"),
    ("PATCH", f"{A}/contacts/{{contact_id}}"),
    ("DELETE", f"{A}/contacts/{{contact_id}}"),
    ("POST", f"{A}/contacts/{{contact_id}}/destroy_custom_attributes"),
    ("POST", f"{A}/actions/contact_merge"),
    ("POST", f"{A}/actions/contact_merge/{{merge_id}}/undo"),
    ("GET", f"{A}/contacts/{{contact_id}}/conversations"),
    ("GET", f"{A}/conversations"),
    ("GET", f"{A}/conversations/{{display_id}}"),
    ("GET", f"{A}/conversations/{{display_id}}/messages"),
    ("GET", f"{A}/labels"),
    ("GET", f"{A}/contacts/{{contact_id}}/labels"),
    ("POST", f"{A}/contacts/{{contact_id}}/labels"),
    ("GET", f"{A}/contacts/{{contact_id}}/notes"),
    ("POST", f"{A}/contacts/{{contact_id}}/notes"),
    ("DELETE", f"{A}/contacts/{{contact_id}}/notes/{{note_id}}"),
    ("GET", f"{A}/contacts/{{contact_id}}/events"),
    ("GET", f"{A}/contacts/{{contact_id}}/duplicates"),
    ("GET", f"{A}/contacts/active"),
    ("POST", f"{A}/contacts/filter"),
    ("DELETE", f"{A}/contacts/{{contact_id}}/avatar"),
    ("GET", f"{A}/contacts/{{contact_id}}/contactable_inboxes"),
    ("GET", f"{A}/contacts/{{contact_id}}/notes/{{note_id}}"),
    ("PATCH", f"{A}/contacts/{{contact_id}}/notes/{{note_id}}"),
    ("PUT", f"{A}/contacts/{{contact_id}}/notes/{{note_id}}"),
    ("POST", f"{A}/contacts/import"),
    ("GET", f"{A}/contacts/export"),
    ("POST", f"{A}/contacts/export"),
    # Definitions last: they change what contacts' custom attributes must be, for every case that follows.
    ("GET", f"{A}/custom_attribute_definitions"),
    ("POST", f"{A}/custom_attribute_definitions"),
    ("GET", f"{A}/custom_attribute_definitions/{{definition_id}}"),
    ("PATCH", f"{A}/custom_attribute_definitions/{{definition_id}}"),
    ("PUT", f"{A}/custom_attribute_definitions/{{definition_id}}"),
    ("DELETE", f"{A}/custom_attribute_definitions/{{definition_id}}"),
]

# These take only token headers, strings either way: there is no invalid form to generate.
# Their only input is headers (none at all for the health check): nothing for a negative case to break.
HEADERS_ONLY = {
    ("GET", HEALTH_PATH),
    ("GET", "/api/v1/profile"),
    ("DELETE", "/auth/sign_out"),
    ("GET", "/auth/validate_token"),
}
FUZZ_CASES = [
    pytest.param(method, path, mode, id=f"{method} {path.removeprefix(A)} {mode.value}")
    for method, path in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if not ((method, path) in HEADERS_ONLY and mode == GenerationMode.NEGATIVE)
]


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    tmp = tmp_path_factory.mktemp("fuzz-server")
    server = RunningServer.in_directory(tmp, module="server")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def known_ids(fuzz_server: RunningServer) -> dict[str, list[int]]:
    """Fresh contact attribute definitions, and contacts holding values of them with a note and a label each,
    so fuzzed ids often name something that exists (earlier operations delete and merge contacts, and change or
    delete definitions: the seed's too, so the contacts' attributes are under keys made here)."""
    suffix = uuid.uuid4().hex[:8]
    plan, seats = f"fuzz_plan_{suffix}", f"fuzz_seats_{suffix}"
    base = f"{fuzz_server.url}/api/v1/accounts/{ACCOUNT}"
    with httpx.Client(base_url=base, headers=fuzz_server.admin.headers, timeout=10) as http:
        definitions = []
        for key, display_type, values in ((plan, "list", ["free", "pro"]), (seats, "number", [])):
            answer = http.post(
                "/custom_attribute_definitions",
                json={
                    "attribute_display_name": key,
                    "attribute_key": key,
                    "attribute_display_type": display_type,
                    "attribute_model": "contact_attribute",
                    "attribute_values": values,
                },
            )
            answer.raise_for_status()
            definitions.append(answer.json()["id"])
        contacts = [
            fuzz_server.create_contact(name=f"Fuzz {n}", custom_attributes={plan: "pro", seats: n})["id"]
            for n in range(3)
        ]
        notes = []
        for contact_id in contacts:
            answer = http.post(f"/contacts/{contact_id}/notes", json={"content": "fuzz note"})
            answer.raise_for_status()
            notes.append(answer.json()["id"])
            http.post(f"/contacts/{contact_id}/labels", json={"labels": ["vip"]}).raise_for_status()
    return {"contact_id": [*contacts, 1], "note_id": notes, "display_id": [1, 2, 3], "definition_id": definitions}


@pytest.fixture(scope="module")
def api_schema(fuzz_server: RunningServer) -> Any:
    """The OpenAPI document the running `python -m server` process serves."""
    schema = schemathesis.openapi.from_url(f"{fuzz_server.url}/openapi.json")
    schema.config.update(base_url=fuzz_server.url, request_timeout=30)
    return schema


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    with requests.Session() as http:
        yield http


def assert_contract_error(path: str, status: int, body: Any) -> None:
    """`{error}`, `{message, attributes}`, devise's shape for a refused sign-in, sign-out or token check,
    the extension's 409."""
    assert isinstance(body, dict), body
    keys = set(body)
    if path.startswith("/auth/") and status in {401, 404}:
        assert keys == {"success", "errors"} and body["success"] is False, body
        assert body["errors"] and all(isinstance(e, str) for e in body["errors"]), body
    elif status == 409:
        assert keys == {"error", "message", "payload"} and body["error"] == "CONFLICT", body
        assert isinstance(body["payload"], dict) and isinstance(body["message"], str), body
    elif keys == {"error"}:
        assert isinstance(body["error"], str) and body["error"], body
    else:
        assert keys == {"message", "attributes"}, body
        assert isinstance(body["message"], str) and body["message"], body
        assert isinstance(body["attributes"], list) and body["attributes"], body
        assert all(isinstance(a, str) for a in body["attributes"]), body


def test_the_schema_lists_exactly_the_fuzzed_operations(api_schema: Any) -> None:
    """A new route fails here until it is added to OPERATIONS, so nothing escapes the fuzzer."""
    served = {(method.upper(), path) for path, item in api_schema.raw_schema["paths"].items() for method in item}
    assert served == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path", "mode"), FUZZ_CASES)
def test_no_input_gets_a_5xx_and_every_4xx_has_a_contract_shape(
    api_schema: Any,
    fuzz_server: RunningServer,
    known_ids: dict[str, list[int]],
    session: requests.Session,
    method: str,
    path: str,
    mode: GenerationMode,
) -> None:
    operation = api_schema[path][method]

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=DERANDOMIZE,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def exchange(case: Any, data: st.DataObject) -> None:
        # Mostly the admin's own account and ids that exist, so requests get past auth and lookup;
        # sometimes the generated values stay, so odd ids and other accounts are fuzzed too.
        # (Hypothesis leans to the first choice, so `True` comes first.)
        parameters = case.path_parameters or {}
        if "account_id" in parameters and data.draw(MOSTLY, label="own account"):
            parameters["account_id"] = ACCOUNT
        pick = data.draw(st.integers(0, len(known_ids["note_id"]) - 1), label="target")
        for name, ids in known_ids.items():
            if name in parameters and data.draw(MOSTLY, label=f"existing {name}"):
                parameters[name] = ids[pick % len(ids)]
        if isinstance(case.body, dict) and "base_contact_id" in case.body and data.draw(MOSTLY, label="merge"):
            contacts = known_ids["contact_id"]
            case.body = {**case.body, "base_contact_id": contacts[pick], "mergee_contact_id": contacts[pick - 1]}
        headers = dict(case.headers or {})
        if path != SIGN_IN and data.draw(MOSTLY, label="admin token"):
            headers["api_access_token"] = fuzz_server.admin.token
        # Failed sign-ins are throttled per address too; a fresh forwarded address (trusted from
        # loopback) per case keeps the fuzzer reaching the credential check, not only the throttle.
        headers["X-Forwarded-For"] = f"10.{data.draw(st.integers(0, 255))}.{data.draw(st.integers(1, 254))}.1"
        case.headers = headers

        response = case.call(session=session)

        where = f"{case.method} {case.formatted_path} -> {response.status_code} {response.text[:500]}"
        assert response.status_code < 500, where
        case.validate_response(
            response, checks=[status_code_conformance, content_type_conformance, response_schema_conformance]
        )
        if response.status_code >= 400:
            content_type = {k.lower(): v for k, v in response.headers.items()}.get("content-type", [""])
            assert content_type[0].startswith("application/json"), where
            assert_contract_error(path, response.status_code, json.loads(response.text))

    exchange()


def test_the_fuzzed_server_is_still_healthy(fuzz_server: RunningServer) -> None:
    """After the fuzzing, sign-in and reads still work and the server logged no traceback."""
    answer = httpx.get(f"{fuzz_server.url}/api/v1/profile", headers=fuzz_server.agent.headers, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json()["email"] == AGENT.email
    log = Path(fuzz_server.log_path or "").read_text(errors="replace")
    assert "Traceback" not in log, log[-4000:]
