"""Contact avatars: an uploaded picture checked, resized and kept by the server; or a link kept as it is.

Chatwoot (its Avatarable concern) takes JPEG, PNG and GIF and stores the file; its dashboard shows the contact's
`thumbnail`. Here the picture is decoded (never trusting the declared type), turned upright as its camera took
it, made at most `AVATAR_SIZE` pixels a side without any of its metadata, and kept in the database, served at an
unguessable URL an <img> can load without a token.
"""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from typing import cast

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import Table, delete, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from api.error_codes import ErrorCode
from api.validation import (
    AVATAR_MAX_BYTES,
    AVATAR_MAX_MEGAPIXELS,
    FieldProblem,
    has_forbidden_characters,
    safe_http_url,
)
from server import models
from server.errors import ApiProblem
from server.models import now

# Pixels a side, at most: the panel shows 64 CSS px, so this is sharp on a screen of 4 device pixels per CSS
# pixel; Chatwoot's own representation is 250x250.
AVATAR_SIZE = 256
# The rest of a multipart body (boundaries, headers, the contact's other fields) that must fit besides the file.
FORM_ALLOWANCE = 16 * 1024
# The largest body of a create or update that carries a picture (`server.app.ApiBodyLimit`); other bodies keep
# MAX_BODY_BYTES.
UPLOAD_MAX_BODY_BYTES = AVATAR_MAX_BYTES + FORM_ALLOWANCE
MAX_PIXELS = AVATAR_MAX_MEGAPIXELS * 1_000_000
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "GIF", "WEBP"})
MAX_THUMBNAIL_URL = 1024  # the `thumbnail` column
AVATARS = cast(Table, models.ContactAvatar.__table__)


@dataclass(kw_only=True, slots=True, frozen=True)
class ResizedAvatar:
    """A picture ready to keep and serve."""

    content_type: str
    data: bytes


@dataclass(kw_only=True, slots=True, frozen=True)
class AvatarChange:
    """What a write does to a contact's picture: `thumbnail` is the contact's new one ("" for none).

    `image` and `key`: the uploaded picture to keep, served at the key; both None when no picture is kept
    (removed, or a link given instead).
    """

    thumbnail: str
    image: ResizedAvatar | None = None
    key: str | None = None


AVATAR_REMOVED = AvatarChange(thumbnail="")


def avatar_path(account_id: int, key: str) -> str:
    """Where the server serves a kept picture (relative: the same origin as the API that named it)."""
    return f"/api/v1/accounts/{account_id}/contact_avatars/{key}"


def avatar_problem(code: ErrorCode) -> ApiProblem:
    """422 naming `avatar`, worded as Chatwoot words a model error ("Avatar is too big (maximum is 10 MB)")."""
    return ApiProblem.invalid(FieldProblem(field="avatar", code=code).message, ["avatar"])


def resize_avatar(raw: bytes) -> ResizedAvatar:
    """Decode, check and shrink an uploaded picture (blocking: run it in a thread).

    Raises ApiProblem 422 for anything that is not a picture of an accepted format. A picture with
    transparency stays PNG, any other becomes JPEG; an animated GIF keeps its first frame. A photo turned by its
    EXIF orientation is kept upright; nothing of the file's metadata (EXIF with its place and camera, comments,
    colour profiles) is kept.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
            if image.format not in ACCEPTED_FORMATS:
                raise avatar_problem(ErrorCode.AVATAR_NOT_IMAGE)
            if image.width * image.height > MAX_PIXELS:
                raise avatar_problem(ErrorCode.AVATAR_TOO_MANY_PIXELS)
            # A JPEG is decoded at 1/2, 1/4 or 1/8 of its size when that still covers AVATAR_SIZE: a phone photo
            # costs a fraction of the memory and time. Other formats ignore it.
            image.draft(image.mode, (AVATAR_SIZE, AVATAR_SIZE))
            image.load()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise avatar_problem(ErrorCode.AVATAR_NOT_IMAGE) from error
    except Image.DecompressionBombWarning as error:
        raise avatar_problem(ErrorCode.AVATAR_TOO_MANY_PIXELS) from error
    upright = _upright(image)
    transparent = upright.mode in {"RGBA", "LA", "PA"} or (upright.mode == "P" and "transparency" in upright.info)
    small = upright.convert("RGBA" if transparent else "RGB")
    small.thumbnail((AVATAR_SIZE, AVATAR_SIZE), Image.Resampling.LANCZOS)
    small.info = {}  # what `save` would otherwise write back: EXIF, comments, the ICC profile
    out = io.BytesIO()
    if transparent:
        small.save(out, "PNG", optimize=True)
        return ResizedAvatar(content_type="image/png", data=out.getvalue())
    small.save(out, "JPEG", quality=85, optimize=True)
    return ResizedAvatar(content_type="image/jpeg", data=out.getvalue())


def _upright(image: Image.Image) -> Image.Image:
    """The picture turned as its EXIF orientation says; as decoded when its EXIF block is broken (the picture
    itself is fine, and a broken block has raised most kinds of errors in Pillow's parser)."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:
        return image


def uploaded_avatar(account_id: int, image: ResizedAvatar) -> AvatarChange:
    """The change an upload makes: a new key each time, so a cached old picture is never shown for the new one."""
    key = secrets.token_urlsafe(24)
    return AvatarChange(thumbnail=avatar_path(account_id, key), image=image, key=key)


def linked_avatar(url: object) -> AvatarChange | None:
    """The change an `avatar_url` makes: None when blank (Chatwoot ignores it), 422 unless an http(s) link.

    Chatwoot downloads the link in a background job and keeps the file; the embedded server fetches nothing
    (it may have no network, and a server fetching any URL it is given is an SSRF hole), so the link itself
    becomes the thumbnail and the agent's browser loads it.
    """
    if url is None or (isinstance(url, str) and not url.strip()):
        return None
    link = safe_http_url(url) if isinstance(url, str) and not has_forbidden_characters(url) else None
    if link is None:
        raise ApiProblem.invalid("Avatar url must be an http(s) link", ["avatar_url"])
    if len(link) > MAX_THUMBNAIL_URL:
        raise ApiProblem.invalid(f"Avatar url is too long (maximum is {MAX_THUMBNAIL_URL} characters)", ["avatar_url"])
    return AvatarChange(thumbnail=link)


async def keep_avatar(
    database: AsyncSession | AsyncConnection, contact_id: int, account_id: int, change: AvatarChange
) -> None:
    """Replace the contact's kept picture by the change's (or by none), in the caller's transaction."""
    await database.execute(delete(AVATARS).where(AVATARS.c.contact_id == contact_id))
    if change.image is not None and change.key is not None:
        await database.execute(
            insert(AVATARS).values(
                contact_id=contact_id,
                account_id=account_id,
                key=change.key,
                content_type=change.image.content_type,
                data=change.image.data,
                created_at=now(),
            )
        )
