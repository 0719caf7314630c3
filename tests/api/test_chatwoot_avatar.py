"""Contact avatars as Chatwoot takes them: multipart `avatar` on create and update, `DELETE /contacts/{id}/avatar`,
`avatar_url` in JSON; the picture is shown through the contact's `thumbnail`.

Chatwoot (Avatarable) accepts JPEG, PNG and GIF and refuses other files with 422; the embedded server resizes
what it keeps and serves it itself.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PIL import Image

from api.validation import AVATAR_MAX_BYTES
from server.avatars import AVATAR_SIZE, UPLOAD_MAX_BODY_BYTES
from tests.api.account_api import AccountApi
from tests.api.account_events import account_events
from tests.api.sample_data import unique_email
from tests.api.shapes import assert_contact, error_body, invalid_fields
from tests.support.processes import RunningServer

BODY_LIMIT = 256 * 1024  # MAX_BODY_BYTES: any other body
TOO_BIG = {"message": "Avatar is too big (maximum is 10 MB)", "attributes": ["avatar"]}


def picture(kind: str = "PNG", size: tuple[int, int] = (640, 480), color: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, kind)
    return out.getvalue()


def served_image(http: httpx.Client, server: RunningServer, thumbnail: str) -> Image.Image:
    """The picture behind a thumbnail URL, fetched without any credentials (as an <img> tag does)."""
    url = thumbnail if thumbnail.startswith("http") else server.url + thumbnail
    answer = http.get(url)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("image/")
    return Image.open(io.BytesIO(answer.content))


def test_upload_on_update_sets_a_resized_thumbnail(
    server: RunningServer, admin_api: AccountApi, http: httpx.Client
) -> None:
    contact = server.create_contact()
    path = f"/contacts/{contact['id']}"
    answer = admin_api.put(path, data={"name": "Pictured"}, files={"avatar": ("me.png", picture(), "image/png")})
    assert answer.status_code == 200, answer.text
    updated = answer.json()["payload"]
    assert_contact(updated)
    assert updated["name"] == "Pictured" and updated["thumbnail"]
    assert max(served_image(http, server, updated["thumbnail"]).size) <= AVATAR_SIZE
    assert admin_api.contact(contact["id"])["thumbnail"] == updated["thumbnail"]


def test_upload_on_create_with_form_fields(server: RunningServer, admin_api: AccountApi, http: httpx.Client) -> None:
    email = unique_email("avatar")
    answer = admin_api.post(
        "/contacts",
        data={
            "name": "Form Made",
            "email": email,
            "custom_attributes[plan]": "pro",
            "additional_attributes[city]": "Oslo",
        },
        files={"avatar": ("me.jpg", picture("JPEG"), "image/jpeg")},
    )
    assert answer.status_code == 200, answer.text
    created = answer.json()["payload"]["contact"]
    assert (created["email"], created["custom_attributes"], created["additional_attributes"]) == (
        email,
        {"plan": "pro"},
        {"city": "Oslo"},
    )
    served_image(http, server, created["thumbnail"])


@pytest.mark.parametrize(
    "upload",
    [
        ("notes.txt", b"just text", "text/plain"),
        ("fake.png", b"\x89PNG not really", "image/png"),
        ("vector.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
    ],
    ids=["text", "broken-png", "svg"],
)
def test_a_file_that_is_not_an_image_is_422_and_changes_nothing(
    server: RunningServer, admin_api: AccountApi, upload: tuple[str, bytes, str]
) -> None:
    contact = server.create_contact()
    answer = admin_api.put(f"/contacts/{contact['id']}", data={"name": "Changed"}, files={"avatar": upload})
    assert invalid_fields(answer)["attributes"] == ["avatar"]
    assert admin_api.contact(contact["id"]) == contact


def test_an_image_over_the_limit_is_422_with_the_limit(server: RunningServer, admin_api: AccountApi) -> None:
    """A file one byte over 10 MB in a body the server reads whole: the route refuses it."""
    contact = server.create_contact()
    small = picture("BMP", (100, 100))
    big = small + b"\0" * (AVATAR_MAX_BYTES + 1 - len(small))
    answer = admin_api.put(f"/contacts/{contact['id']}", files={"avatar": ("big.bmp", big, "image/bmp")})
    assert error_body(answer, 422) == TOO_BIG
    assert admin_api.contact(contact["id"]) == contact


def test_a_20_mb_photo_is_refused_before_its_body_is_read(server: RunningServer, admin_api: AccountApi) -> None:
    """A real picture of 20 MB: its declared length alone gets the same 422, and nothing changes."""
    contact = server.create_contact()
    photo = picture("BMP", (2600, 2600))
    assert len(photo) > 20_000_000
    answer = admin_api.put(
        f"/contacts/{contact['id']}", data={"name": "Not saved"}, files={"avatar": ("big.bmp", photo, "image/bmp")}
    )
    assert error_body(answer, 422) == TOO_BIG
    created = admin_api.post("/contacts", data={"name": "Not made"}, files={"avatar": ("big.bmp", photo, "image/bmp")})
    assert error_body(created, 422) == TOO_BIG
    assert admin_api.contact(contact["id"]) == contact


def test_a_streamed_upload_over_the_limit_is_refused(server: RunningServer, admin_api: AccountApi) -> None:
    """Without a Content-Length (chunked) the limit holds while the body streams in."""
    contact = server.create_contact()
    boundary = "avatar-boundary"

    def chunks() -> Iterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="avatar"; filename="big.bmp"\r\n'
            "Content-Type: image/bmp\r\n\r\n"
        ).encode()
        for _ in range(UPLOAD_MAX_BODY_BYTES // 65536 + 2):
            yield b"\0" * 65536
        yield f"\r\n--{boundary}--\r\n".encode()

    answer = admin_api.put(
        f"/contacts/{contact['id']}",
        content=chunks(),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert error_body(answer, 422) == TOO_BIG
    assert admin_api.contact(contact["id"]) == contact


def test_a_phone_sized_photo_fits(server: RunningServer, admin_api: AccountApi, http: httpx.Client) -> None:
    """A photo of several MB (far over the 256 KB of other bodies) is taken and shrunk."""
    contact = server.create_contact()
    noise = Image.frombytes("RGB", (1600, 1200), bytes(range(256)) * (1600 * 1200 * 3 // 256))
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=100)
    assert BODY_LIMIT * 4 < len(out.getvalue()) < AVATAR_MAX_BYTES
    answer = admin_api.put(f"/contacts/{contact['id']}", files={"avatar": ("photo.jpg", out.getvalue(), "image/jpeg")})
    assert answer.status_code == 200, answer.text
    assert served_image(http, server, answer.json()["payload"]["thumbnail"]).size == (AVATAR_SIZE, 192)


def test_only_contact_writes_take_a_big_form(server: RunningServer, admin_api: AccountApi) -> None:
    """Other bodies keep their limit, as forms too: a note is no way around it."""
    contact = server.create_contact()
    answer = admin_api.post(
        f"/contacts/{contact['id']}/notes", data={"content": "x"}, files={"file": ("a.bin", b"x" * BODY_LIMIT)}
    )
    assert error_body(answer, 413) == {"error": "Request body too large"}
    big_json = {"name": "x" * BODY_LIMIT}
    assert error_body(admin_api.put(f"/contacts/{contact['id']}", json=big_json), 413)
    assert admin_api.contact(contact["id"]) == contact


def test_the_kept_picture_is_upright_and_without_metadata(
    server: RunningServer, admin_api: AccountApi, http: httpx.Client
) -> None:
    """A photo the camera took sideways (EXIF orientation 6) is kept turned; its place, camera, comment and colour
    profile are not kept."""
    contact = server.create_contact()
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: turn 90 degrees clockwise to show
    exif[0x010F] = "Camera Maker"
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPSInfo: GPSLatitude
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "teal").save(
        out, "JPEG", exif=exif.tobytes(), comment=b"at home", icc_profile=b"\0" * 128
    )
    answer = admin_api.put(f"/contacts/{contact['id']}", files={"avatar": ("side.jpg", out.getvalue(), "image/jpeg")})
    assert answer.status_code == 200, answer.text
    kept = served_image(http, server, answer.json()["payload"]["thumbnail"])
    assert kept.size == (192, AVATAR_SIZE)  # upright: taller than wide
    assert not dict(kept.getexif())
    assert not {"exif", "comment", "icc_profile"} & set(kept.info)


def test_delete_avatar_clears_the_thumbnail(server: RunningServer, admin_api: AccountApi, http: httpx.Client) -> None:
    contact = server.create_contact()
    path = f"/contacts/{contact['id']}"
    thumbnail = admin_api.put(path, files={"avatar": ("a.gif", picture("GIF"), "image/gif")}).json()["payload"][
        "thumbnail"
    ]
    answer = admin_api.delete(f"{path}/avatar")
    assert answer.status_code == 200, answer.text
    assert set(answer.json()) == {"payload"}
    assert answer.json()["payload"]["thumbnail"] == ""
    assert "contact_inboxes" not in answer.json()["payload"]  # avatar.json.jbuilder: with_contact_inboxes false
    assert admin_api.contact(contact["id"])["thumbnail"] == ""
    url = thumbnail if thumbnail.startswith("http") else server.url + thumbnail
    assert http.get(url).status_code == 404


def test_avatar_url_is_kept_as_the_thumbnail_when_http(server: RunningServer, admin_api: AccountApi) -> None:
    contact = server.create_contact()
    path = f"/contacts/{contact['id']}"
    url = "https://images.example.com/ada.png"
    assert admin_api.put(path, json={"avatar_url": url}).json()["payload"]["thumbnail"] == url
    assert admin_api.put(path, json={"avatar_url": ""}).json()["payload"]["thumbnail"] == url  # blank: ignored
    refused = admin_api.put(path, json={"avatar_url": "javascript:alert(1)", "name": "Not saved"})
    assert invalid_fields(refused)["attributes"] == ["avatar_url"]
    assert admin_api.contact(contact["id"])["name"] == contact["name"]
    created = admin_api.post("/contacts", json={"name": "Linked", "avatar_url": url}).json()["payload"]["contact"]
    assert created["thumbnail"] == url


def test_avatar_change_is_announced_and_versioned(server: RunningServer, admin_api: AccountApi) -> None:
    contact = server.create_contact()
    path = f"/contacts/{contact['id']}"
    etag = admin_api.get(path).headers["ETag"]
    with account_events(server) as events:
        changed = admin_api.put(path, files={"avatar": ("a.png", picture(), "image/png")}, headers={"If-Match": etag})
        assert changed.status_code == 200, changed.text
        event = events.next_for(contact["id"], "contact.updated")
    assert event["thumbnail"] == changed.json()["payload"]["thumbnail"]
    assert [entry["field"] for entry in event["activity"]] == ["thumbnail"]
    stale = admin_api.delete(f"{path}/avatar", headers={"If-Match": etag})
    assert stale.status_code == 409
    assert admin_api.contact(contact["id"])["thumbnail"] == changed.json()["payload"]["thumbnail"]


def test_avatars_of_another_account_are_404(
    server: RunningServer, admin_api: AccountApi, other_admin_api: AccountApi
) -> None:
    contact = server.create_contact()
    answer = other_admin_api.put(f"/contacts/{contact['id']}", files={"avatar": ("a.png", picture(), "image/png")})
    assert error_body(answer, 404) == {"error": "Resource could not be found"}
    assert error_body(other_admin_api.delete(f"/contacts/{contact['id']}/avatar"), 404)
    assert admin_api.contact(contact["id"])["thumbnail"] == ""


def test_avatar_upload_in_plain_mode(plain_api_server: RunningServer, http: httpx.Client) -> None:
    api = AccountApi.of(http, plain_api_server, "admin")
    contact = plain_api_server.create_contact()
    answer = api.put(f"/contacts/{contact['id']}", files={"avatar": ("a.png", picture(), "image/png")})
    assert answer.status_code == 200, answer.text
    served_image(http, plain_api_server, answer.json()["payload"]["thumbnail"])
    assert api.delete(f"/contacts/{contact['id']}/avatar").json()["payload"]["thumbnail"] == ""


def test_json_bodies_still_behave(server: RunningServer, admin_api: AccountApi) -> None:
    contact: dict[str, Any] = server.create_contact()
    path = f"/contacts/{contact['id']}"
    assert error_body(admin_api.put(path, content=b"{bad", headers={"content-type": "application/json"}), 400)
    assert admin_api.put(path, json={"name": "Still JSON"}).json()["payload"]["name"] == "Still JSON"
    # Rails reads a plain form too (no picture in it).
    formed = admin_api.put(path, data={"name": "Formed", "custom_attributes[plan]": "pro", "blocked": "true"})
    assert formed.status_code == 200, formed.text
    assert formed.json()["payload"]["name"] == "Formed" and formed.json()["payload"]["blocked"] is True
