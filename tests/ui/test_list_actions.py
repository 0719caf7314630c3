"""The contacts list's New contact, Import and Export: the dialogs' logic against the real server (NiceGUI's User)."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from typing import Any

from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User

from tests.support.processes import RunningServer
from tests.ui.interaction import HTTP, act, eventually, landed_on, resume_session, shown, text_of, wait_for


def unique_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def found_by_email(server: RunningServer, email: str) -> list[dict[str, Any]]:
    answer = HTTP.get(
        f"{server.url}/api/v1/accounts/1/contacts/search", params={"q": email}, headers=server.admin.headers
    )
    return [contact for contact in answer.raise_for_status().json()["payload"] if contact["email"] == email]


async def open_new_contact(user: User) -> None:
    await user.open("/contacts")
    act(user, await wait_for(user, "new-contact")).click()
    await wait_for(user, "new-contact-form")


def typed(user: User, marker: str, text: str) -> None:
    act(user, shown(user, marker)[0]).type(text)


async def test_a_new_contact_is_created_and_opened(agent: User, ui_env: RunningServer) -> None:
    email = unique_email("ui-new")
    await open_new_contact(agent)
    typed(agent, "new-contact-name", "Nadia New")
    typed(agent, "new-contact-email", email)
    typed(agent, "new-contact-phone-number", "+44 20 7946 0321")
    typed(agent, "new-contact-additional-attributes-company-name", "Acme")
    act(agent, shown(agent, "new-contact-save")[0]).click()
    [made] = await eventually(lambda: found_by_email(ui_env, email))
    assert (made["name"], made["phone_number"]) == ("Nadia New", "+442079460321")  # typed as people type it
    assert made["additional_attributes"] == {"company_name": "Acme"}
    await eventually(lambda: landed_on(agent).startswith(f"/contacts/{made['id']}"))


async def test_an_invalid_value_keeps_save_disabled_and_sends_nothing(agent: User, ui_env: RunningServer) -> None:
    await open_new_contact(agent)
    typed(agent, "new-contact-name", "Ivan Invalid")
    typed(agent, "new-contact-email", "not-an-email")
    email_input = shown(agent, "new-contact-email", kind=ui.input)[0]
    await eventually(lambda: email_input.error == "Enter a valid email address")
    assert not shown(agent, "new-contact-save")[0].enabled
    act(agent, email_input).trigger("keydown.enter")
    assert shown(agent, "new-contact-form")  # still open, nothing sent
    answer = HTTP.get(
        f"{ui_env.url}/api/v1/accounts/1/contacts/search", params={"q": "Ivan Invalid"}, headers=ui_env.admin.headers
    )
    assert answer.json()["payload"] == []


async def existing_contact_is_offered(user: User, server: RunningServer, make: Callable[..., dict[str, Any]]) -> None:
    existing = make(name="Already There")
    await open_new_contact(user)
    typed(user, "new-contact-name", "Second Copy")
    typed(user, "new-contact-email", existing["email"].upper())
    act(user, shown(user, "new-contact-save")[0]).click()
    link = await wait_for(user, f"existing-contact-{existing['id']}", kind=ui.link)
    assert link.props["href"] == f"/contacts/{existing['id']}?source=contacts_list"
    assert shown(user, content="Already There already has this email address", kind=ui.label)
    email_input = shown(user, "new-contact-email", kind=ui.input)[0]
    assert email_input.error == "Already used by another contact"
    assert [c["name"] for c in found_by_email(server, existing["email"])] == ["Already There"]


async def test_a_taken_email_links_to_the_contact_that_has_it(
    agent: User, ui_env: RunningServer, make_contact: Callable[..., dict[str, Any]]
) -> None:
    """The embedded server names the contact (extension)."""
    await existing_contact_is_offered(agent, ui_env, make_contact)


async def test_against_plain_chatwoot_the_taken_email_is_looked_up(plain_agent: User, plain_env: RunningServer) -> None:
    """Chatwoot's 422 names no contact: the app finds it by its email."""

    def make(**fields: Any) -> dict[str, Any]:
        fields.setdefault("email", unique_email("plain"))
        answer = HTTP.post(f"{plain_env.url}/api/v1/accounts/1/contacts", json=fields, headers=plain_env.admin.headers)
        contact: dict[str, Any] = answer.raise_for_status().json()["payload"]["contact"]
        return contact

    await existing_contact_is_offered(plain_agent, plain_env, make)


async def test_an_agent_may_create_but_not_import_or_export(visitor: User, ui_env: RunningServer) -> None:
    await resume_session(visitor, ui_env.agent.token)
    await visitor.open("/contacts")
    await wait_for(visitor, "new-contact")
    assert not shown(visitor, "import-contacts") and not shown(visitor, "export-contacts")


def csv_file(rows: list[list[str]]) -> SmallFileUpload:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return SmallFileUpload("contacts.csv", "text/csv", buffer.getvalue().encode())


async def upload(user: User, file: SmallFileUpload) -> None:
    await user.open("/contacts")
    act(user, await wait_for(user, "import-contacts")).click()
    element = await wait_for(user, "import-upload", kind=ui.upload)
    await element.handle_uploads([file])


async def test_an_import_reports_what_it_added_and_each_row_it_did_not(agent: User, ui_env: RunningServer) -> None:
    good, taken = unique_email("ui-import"), ui_env.create_contact(name="Taken Here")
    await upload(
        agent,
        csv_file(
            [
                ["name", "email", "phone_number"],
                ["Imported Person", good, ""],
                ["Bad Email", "nope", ""],
                ["Copy", taken["email"], ""],
                ["Again", good, ""],
            ]
        ),
    )
    status = "1 contact imported. Rows not imported: 3"
    await eventually(lambda: text_of(agent, "import-status") == status, message=text_of(agent, "import-status"))
    bar = shown(agent, "import-progress", kind=ui.linear_progress)[0]
    assert bar.value == 1.0
    report = shown(agent, "import-report", kind=ui.table)[0]
    assert [(row["line"], row["field"], row["reason"]) for row in report.rows] == [
        ("3", "Email", "Enter a valid email address"),
        ("4", "Email", "Already used by another contact"),
        ("5", "Email", "Line 2 of the file has this value too"),
    ]
    assert report.rows[1]["contact_id"] == taken["id"]
    assert [c["name"] for c in found_by_email(ui_env, good)] == ["Imported Person"]


async def test_a_file_that_cannot_be_read_is_refused_with_its_line(agent: User) -> None:
    await upload(agent, SmallFileUpload("broken.csv", "text/csv", b'name,email\n"Open quote,a@example.com\n'))
    expected = "The file was not imported: The file cannot be read as CSV (perhaps a quotation mark is not closed)"
    await eventually(
        lambda: text_of(agent, "import-status").startswith(expected), message=text_of(agent, "import-status")
    )
    assert text_of(agent, "import-status").endswith("(line 2)")  # where the reader stopped


async def test_against_plain_chatwoot_the_import_is_left_to_run_in_the_background(
    plain_agent: User, plain_env: RunningServer
) -> None:
    email = unique_email("ui-plain-import")
    await upload(plain_agent, csv_file([["name", "email"], ["Plain Import", email]]))
    await eventually(lambda: "in the background" in text_of(plain_agent, "import-status"))
    assert not shown(plain_agent, "import-report")


async def test_the_export_downloads_through_the_app_and_counts_its_rows(agent: User, ui_env: RunningServer) -> None:
    made = ui_env.create_contact(name="Exported Via UI")
    await agent.open("/contacts")
    act(agent, await wait_for(agent, "export-contacts")).click()
    response = await agent.download.next(timeout=20)
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert any(row["email"] == made["email"] and row["name"] == "Exported Via UI" for row in rows)
    done = f"Exported {len(rows):,} contacts"
    await eventually(lambda: text_of(agent, "export-status") == done, message=text_of(agent, "export-status"))
    assert shown(agent, "export-bar", kind=ui.linear_progress)[0].value == 1.0
    again = await agent.http_client.get(response.request.url)
    assert again.status_code == 404  # a ticket works once


async def test_against_plain_chatwoot_the_export_is_mailed(plain_agent: User) -> None:
    await plain_agent.open("/contacts")
    act(plain_agent, await wait_for(plain_agent, "export-contacts")).click()
    await wait_for(plain_agent, "export-status")
    await eventually(lambda: "email you a link" in text_of(plain_agent, "export-status"))
    assert not shown(plain_agent, "export-bar")
