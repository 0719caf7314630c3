"""Validation rules for contact fields, the same on the server and in the UI.

Each rule yields a `FieldProblem` with a stable code; the server turns codes into
Chatwoot's English messages, the UI into translated ones (`ERRORS.<code>`).
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
import regex
from email_validator import EmailNotValidError, validate_email

from api.error_codes import ErrorCode

MAX_STRING = 255
MAX_ATTRIBUTE_KEYS = 100  # per attribute object, as stored
MAX_ATTRIBUTE_BYTES = 64 * 1024  # both attribute objects of a contact together, as compact UTF-8 JSON
# The largest integer a JSON client (a browser's JSON.parse, a double) holds exactly.
MAX_SAFE_INTEGER = 2**53 - 1
MAX_DEPTH = 4  # attribute objects hold values, lists or one more level (social profiles)
ATTRIBUTE_FIELDS = ("additional_attributes", "custom_attributes")
E164 = re.compile(r"^\+[1-9]\d{1,14}$")
# Ruby's \d is ASCII: other scripts' digits are not a phone number to Chatwoot.
CHATWOOT_PHONE = re.compile(r"\+[1-9][0-9]{1,14}")
CONTACT_FIELDS = (
    "name",
    "email",
    "phone_number",
    "identifier",
    "blocked",
    "additional_attributes",
    "custom_attributes",
)
SOCIAL_NETWORKS = ("facebook", "github", "instagram", "linkedin", "telegram", "tiktok", "twitter")
# A contact's picture as uploaded. 10 MB holds a phone camera's photo (3-8 MB for 12-50 megapixels as JPEG) or a
# screenshot; Chatwoot takes 15 MB, but the picture is kept shrunk to 256 px, so more bytes buy nothing and only
# hold memory and the connection longer while the server reads and decodes them.
AVATAR_MAX_BYTES = 10 * 1024 * 1024
AVATAR_MAX_MEGAPIXELS = 40  # decoding more than this is refused, not attempted
# What the server decodes; the browser's file chooser offers these, and anything else is refused by its bytes.
AVATAR_CONTENT_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")

# code -> (field label, message) for Chatwoot-style full messages.
_MESSAGES: dict[ErrorCode, str] = {
    ErrorCode.INVALID_EMAIL: "is invalid",
    ErrorCode.INVALID_PHONE: "should be in e164 format",
    ErrorCode.TOO_LONG: f"is too long (maximum is {MAX_STRING} characters)",
    ErrorCode.TAKEN: "has already been taken",
    ErrorCode.NOT_TEXT: "must be text",
    ErrorCode.NOT_BOOLEAN: "must be true or false",
    ErrorCode.NOT_OBJECT: "must be an object",
    ErrorCode.TOO_MANY_KEYS: f"has too many keys (maximum is {MAX_ATTRIBUTE_KEYS})",
    ErrorCode.TOO_LARGE: (
        f"is too large (maximum is {MAX_ATTRIBUTE_BYTES // 1024} KB for a contact's attributes together)"
    ),
    ErrorCode.NUMBER_OUT_OF_RANGE: f"must be a number between -{MAX_SAFE_INTEGER} and {MAX_SAFE_INTEGER}",
    ErrorCode.INVISIBLE_TEXT: "must contain visible characters",
    ErrorCode.INVALID_NUMBER: "must be a number",
    ErrorCode.INVALID_DATE: "must be a date (YYYY-MM-DD)",
    ErrorCode.INVALID_LINK: "must be an http(s) link",
    ErrorCode.INVALID_LIST_VALUE: "must be one of the listed values",
    ErrorCode.INVALID_CHECKBOX: "must be checked or unchecked",
    ErrorCode.INVALID_CHARACTERS: "contains characters that are not allowed",
    ErrorCode.TOO_NESTED: "is nested too deeply",
    ErrorCode.PATTERN_MISMATCH: "does not match the expected format",
    ErrorCode.PATTERN_TOO_SLOW: "could not be checked against its format in time (the attribute's pattern is too slow)",
    ErrorCode.AVATAR_NOT_IMAGE: "filetype not supported (JPEG/PNG/GIF/WebP)",  # no ", ": it splits messages
    ErrorCode.AVATAR_TOO_BIG: f"is too big (maximum is {AVATAR_MAX_BYTES // (1024 * 1024)} MB)",
    ErrorCode.AVATAR_TOO_MANY_PIXELS: f"has too many pixels (maximum is {AVATAR_MAX_MEGAPIXELS} megapixels)",
}
# How long one value may take to match an attribute's pattern. Python's `re` has no limit, and an
# administrator's pattern such as `(a+)+$` backtracks for minutes on a value it almost matches, holding the
# server's event loop; `regex` (mrab-regex, the same syntax) stops at a timeout.
PATTERN_SECONDS = 0.05


@dataclass(frozen=True, kw_only=True, slots=True)
class FieldProblem:
    """One rule broken by one field; `code` is also the i18n key under `ERRORS.`."""

    field: str
    code: ErrorCode

    @property
    def message(self) -> str:
        """Chatwoot's English full message, e.g. "Email is invalid"."""
        label = self.field.split(".")[-1].replace("_", " ").capitalize()
        return f"{label} {_MESSAGES.get(self.code, 'is invalid')}"


class RuleBroken(ValueError):
    """One value broke the rule `code` names."""

    def __init__(self, code: ErrorCode) -> None:
        super().__init__(code.value)
        self.code = code


class ContactInvalid(ValueError):
    """Raised with every problem found; nothing may be written."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__(", ".join(p.message for p in problems))
        self.problems = problems

    @property
    def attributes(self) -> list[str]:
        """Names of the top-level fields at fault, in order, without repeats."""
        return list(dict.fromkeys(p.field.split(".")[0] for p in self.problems))


_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")
# Characters that show nothing by themselves: controls, format characters (zero-width, bidi controls, BOM,
# soft hyphen), separators; plus blank letters, variation selectors and the combining grapheme joiner.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
_BLANK_CHARACTERS = frozenset("\u034f\u115f\u1160\u2800\u3164\uffa0")
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")


def has_forbidden_characters(text: str) -> bool:
    """NUL and lone surrogates cannot be stored or sent as UTF-8, so no field may hold them."""
    return _FORBIDDEN.search(text) is not None


def is_invisible(text: str) -> bool:
    """True for non-empty text that shows nothing: only whitespace, zero-width or bidi controls and other blanks."""
    return bool(text) and all(
        unicodedata.category(ch) in _INVISIBLE_CATEGORIES
        or ch in _BLANK_CHARACTERS
        or _VARIATION_SELECTORS.match(ch) is not None
        for ch in text
    )


def without_forbidden_characters(text: str) -> str:
    """The text with NUL and lone surrogates removed (for search terms and sign-in emails)."""
    return _FORBIDDEN.sub("", text)


def problem_code(message: str, field: str) -> ErrorCode | None:
    """The rule code behind one of Chatwoot's full messages, e.g. "Email is invalid" -> INVALID_EMAIL."""
    text = message.lower()
    if text.endswith("is invalid"):
        return {"email": ErrorCode.INVALID_EMAIL, "phone_number": ErrorCode.INVALID_PHONE}.get(field)
    for code, tail in _MESSAGES.items():
        if text.endswith(tail.lower()):
            return code
    return None


def normalize_email(value: str) -> str:
    """Lower-case, syntactically valid address; raises RuleBroken otherwise."""
    candidate = value.strip()
    if len(candidate) > MAX_STRING:
        raise RuleBroken(ErrorCode.TOO_LONG)
    try:
        checked = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as error:
        raise RuleBroken(ErrorCode.INVALID_EMAIL) from error
    return checked.normalized.lower()


def normalize_phone(value: str) -> str:
    """E.164 form of a valid phone number; raises RuleBroken otherwise."""
    candidate = value.strip()
    if not E164.match(candidate):
        raise RuleBroken(ErrorCode.INVALID_PHONE)
    try:
        parsed = phonenumbers.parse(candidate, None)
    except phonenumbers.NumberParseException as error:
        raise RuleBroken(ErrorCode.INVALID_PHONE) from error
    if not phonenumbers.is_valid_number(parsed):
        raise RuleBroken(ErrorCode.INVALID_PHONE)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def chatwoot_phone(value: str) -> str:
    r"""The number when it has E.164's form (Chatwoot's own rule, `+` then 2 to 15 digits); raises RuleBroken otherwise.

    What the server enforces, so it stores whatever Chatwoot stores; the UI checks with `normalize_phone`, which
    also asks libphonenumber whether the number can exist. Chatwoot's pattern is anchored only at its end
    (`/\+[1-9]\d{1,14}\z/`, so it takes "tel:+4420"); this one is anchored at both.
    """
    candidate = value.strip()
    if not CHATWOOT_PHONE.fullmatch(candidate):
        raise RuleBroken(ErrorCode.INVALID_PHONE)
    return candidate


# What people type around the digits of a phone number: spaces (also non-breaking), dashes, dots, brackets.
_PHONE_PUNCTUATION = re.compile(r"[\s\-\u2010-\u2015\u2212.()]")
_TYPED_PHONE = re.compile(r"\+?[\d\s\-\u2010-\u2015\u2212.()]+")


def typed_phone(value: str) -> str:
    """The E.164 form of a number as people type it ("+44 20 7946 0999", "0044 (20) 7946-0999"), else the stripped text.

    Only punctuation is dropped and a leading 00 read as +; letters, extensions or a number without its
    country code stay as typed, so the rules refuse them rather than a guess being saved.
    """
    text = value.strip()
    if not _TYPED_PHONE.fullmatch(text):
        return text
    compact = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in _PHONE_PUNCTUATION.sub("", text))
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    try:
        return normalize_phone(compact)
    except ValueError:
        return text


def format_phone_international(value: str | None) -> str:
    """`+44 20 7183 8750` for display; the raw value when it does not parse."""
    if not value:
        return ""
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def safe_http_url(value: object) -> str | None:
    """The URL when it is an absolute http(s) link with a valid host, else None (never `javascript:`).

    Whitespace and invisible characters are refused anywhere, not only at the ends: a browser drops or
    reinterprets them, so the link it follows would not be the one shown.
    """
    if not isinstance(value, str):
        return None
    candidate = value.strip()
    if any(ch.isspace() or unicodedata.category(ch) in _INVISIBLE_CATEGORIES for ch in candidate):
        return None
    try:
        parts = urlsplit(candidate)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or "\\" in parts.netloc or not _valid_host(parts.hostname):
        return None
    return candidate


# A path on the API's own server: only the characters of a URL path, never `//` (another host) or `..`.
_SERVER_PATH = re.compile(r"(/[A-Za-z0-9_\-.~]+)+")


def image_source(value: object, origin: str = "") -> str | None:
    """Where a browser loads a contact's picture from, else None.

    An absolute http(s) link as it is (`safe_http_url`); a path on the API's server (the embedded server keeps
    uploaded avatars at `/api/v1/accounts/{id}/contact_avatars/{key}`) under `origin`, which is "" when that
    server is the app's own origin.
    """
    link = safe_http_url(value)
    if link is not None or not isinstance(value, str) or not _SERVER_PATH.fullmatch(value):
        return link
    if ".." in value.split("/"):
        return None
    return origin.rstrip("/") + value


_HOST_LABEL = re.compile(r"[^\W_](?:[\w-]{0,61}[^\W_])?")


def _valid_host(host: str | None) -> bool:
    """A domain name (letters of any script, digits, inner hyphens), an IPv4 address or a bracketed IPv6 one."""
    if not host or len(host) > 253:
        return False
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return True
    return all(_HOST_LABEL.fullmatch(label) for label in host.removesuffix(".").split("."))


def social_profile_url(network: str, handle: str) -> str | None:
    """A link for a social profile handle (or a full http(s) URL given as the handle)."""
    handle = handle.strip()
    if not handle:
        return None
    if "://" in handle:
        return safe_http_url(handle)
    if not re.fullmatch(r"[A-Za-z0-9_.\-@]{1,100}", handle):
        return None
    handle = handle.lstrip("@")
    bases = {
        "facebook": "https://facebook.com/",
        "github": "https://github.com/",
        "instagram": "https://instagram.com/",
        "linkedin": "https://linkedin.com/in/",
        "telegram": "https://t.me/",
        "tiktok": "https://tiktok.com/@",
        "twitter": "https://twitter.com/",
    }
    base = bases.get(network)
    return base + handle if base else None


def is_safe_number(value: object) -> bool:
    """False for an integer a JSON client cannot hold exactly (beyond +-(2**53 - 1)); true for anything else.

    Booleans are not numbers here, and floats are doubles already, so only integers can be out of range.
    """
    return not (isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SAFE_INTEGER)


def _check_value(field: str, value: object, problems: list[FieldProblem], depth: int = 0) -> None:
    """Strings within limits and storable, numbers finite and exact for JSON clients, nesting shallow, all the way."""
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            problems.append(FieldProblem(field=field, code=ErrorCode.TOO_LONG))
        elif has_forbidden_characters(value):
            problems.append(FieldProblem(field=field, code=ErrorCode.INVALID_CHARACTERS))
    elif isinstance(value, float) and not math.isfinite(value):
        problems.append(FieldProblem(field=field, code=ErrorCode.INVALID_NUMBER))
    elif not is_safe_number(value):
        problems.append(FieldProblem(field=field, code=ErrorCode.NUMBER_OUT_OF_RANGE))
    elif isinstance(value, Mapping | list):
        if depth >= MAX_DEPTH:
            problems.append(FieldProblem(field=field, code=ErrorCode.TOO_NESTED))
            return
        items = value.items() if isinstance(value, Mapping) else enumerate(value)
        for key, item in items:
            if isinstance(key, str) and len(key) > MAX_STRING:
                problems.append(FieldProblem(field=field, code=ErrorCode.TOO_LONG))
                continue
            if isinstance(key, str) and has_forbidden_characters(key):
                problems.append(FieldProblem(field=field, code=ErrorCode.INVALID_CHARACTERS))
                continue
            _check_value(f"{field}.{key}", item, problems, depth + 1)


def _check_attribute_object(field: str, value: object, problems: list[FieldProblem]) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        problems.append(FieldProblem(field=field, code=ErrorCode.NOT_OBJECT))
        return {}
    if len(value) > MAX_ATTRIBUTE_KEYS:
        problems.append(FieldProblem(field=field, code=ErrorCode.TOO_MANY_KEYS))
    _check_value(field, value, problems)
    return dict(value)


# YYYY-MM-DD, optionally with a time as a date picker or Chatwoot's date attributes send it.
_DATE_OR_DATETIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?", re.ASCII
)


def whole_date(value: object) -> str | None:
    """The date as YYYY-MM-DD when `value` is a whole date or ISO datetime (its date part, as written), else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _DATE_OR_DATETIME.fullmatch(text)
    if match is None:
        return None
    try:
        day = date.fromisoformat(match.group(1))
        if len(text) > len(match.group(1)):
            # Python reads at most 6 fractional digits; the time is checked, not kept.
            datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", text))
    except ValueError:
        return None
    return day.isoformat()


def check_attribute_value(definition: Mapping[str, Any], value: object) -> tuple[Any, ErrorCode | None]:
    """Check one custom attribute value against its definition; returns (normalized, problem code)."""
    kind = definition.get("attribute_display_type", "text")
    if value is None or value == "":
        return None, None
    if kind in {"number", "currency", "percent"}:
        if isinstance(value, bool):
            return value, ErrorCode.INVALID_NUMBER
        number: int | float
        if isinstance(value, int | float):
            number = value
        else:
            try:
                number = float(str(value).strip())
            except ValueError:
                return value, ErrorCode.INVALID_NUMBER
            if number.is_integer() and "." not in str(value):
                number = int(number)
        if isinstance(number, float) and not math.isfinite(number):
            return value, ErrorCode.INVALID_NUMBER
        if not is_safe_number(number):
            return value, ErrorCode.NUMBER_OUT_OF_RANGE
        return number, None
    if kind == "date":
        day = whole_date(value)
        return (day, None) if day else (value, ErrorCode.INVALID_DATE)
    if kind == "link":
        url = safe_http_url(value)
        return (url, None) if url else (value, ErrorCode.INVALID_LINK)
    if kind == "checkbox":
        if isinstance(value, bool):
            return value, None
        return value, ErrorCode.INVALID_CHECKBOX
    if kind == "list":
        allowed = [str(v) for v in definition.get("attribute_values") or []]
        return (value, None) if str(value) in allowed else (value, ErrorCode.INVALID_LIST_VALUE)
    if not isinstance(value, str):
        return value, ErrorCode.NOT_TEXT
    if len(value) > MAX_STRING:
        return value, ErrorCode.TOO_LONG
    pattern = definition.get("regex_pattern")
    if pattern:
        try:
            matched = regex.fullmatch(pattern, value, timeout=PATTERN_SECONDS)
        except regex.error:
            return value, None
        except TimeoutError:
            return value, ErrorCode.PATTERN_TOO_SLOW
        if not matched:
            return value, ErrorCode.PATTERN_MISMATCH
    return value, None


def check_contact_changes(
    changes: Mapping[str, Any],
    definitions: Mapping[str, Mapping[str, Any]] | None = None,
    phone_rule: Callable[[str], str] = normalize_phone,
) -> dict[str, Any]:
    """Validate and normalize a partial contact update.

    Unknown fields are dropped, as Chatwoot ignores unpermitted parameters.
    `definitions` maps custom attribute keys to their definitions; attributes
    without one are only checked for length. `phone_rule` normalizes a phone number or raises RuleBroken:
    the UI's strict `normalize_phone` by default, Chatwoot's `chatwoot_phone` on the server.
    Raises `ContactInvalid`.
    """
    problems: list[FieldProblem] = []
    clean: dict[str, Any] = {}
    for field in CONTACT_FIELDS:
        if field not in changes:
            continue
        value = changes[field]
        if field in {"email", "phone_number"}:
            if value is None or (isinstance(value, str) and not value.strip()):
                clean[field] = None
                continue
            if not isinstance(value, str):
                problems.append(FieldProblem(field=field, code=ErrorCode.NOT_TEXT))
                continue
            if has_forbidden_characters(value):
                problems.append(FieldProblem(field=field, code=ErrorCode.INVALID_CHARACTERS))
                continue
            try:
                clean[field] = normalize_email(value) if field == "email" else phone_rule(value)
            except RuleBroken as error:
                problems.append(FieldProblem(field=field, code=error.code))
        elif field in {"name", "identifier"}:
            if value is None:
                clean[field] = "" if field == "name" else None
                continue
            if not isinstance(value, str):
                problems.append(FieldProblem(field=field, code=ErrorCode.NOT_TEXT))
                continue
            text = value.strip()
            if len(text) > MAX_STRING:
                problems.append(FieldProblem(field=field, code=ErrorCode.TOO_LONG))
                continue
            if has_forbidden_characters(text):
                problems.append(FieldProblem(field=field, code=ErrorCode.INVALID_CHARACTERS))
                continue
            if is_invisible(text):
                problems.append(FieldProblem(field=field, code=ErrorCode.INVISIBLE_TEXT))
                continue
            clean[field] = text if (text or field == "name") else None
        elif field == "blocked":
            if not isinstance(value, bool):
                problems.append(FieldProblem(field=field, code=ErrorCode.NOT_BOOLEAN))
                continue
            clean[field] = value
        else:
            attributes = _check_attribute_object(field, value, problems)
            if field == "custom_attributes" and definitions:
                found = {problem.field for problem in problems}
                for key, item in list(attributes.items()):
                    definition = definitions.get(key)
                    if definition is None or f"{field}.{key}" in found:  # one problem per value is enough
                        continue
                    normalized, code = check_attribute_value(definition, item)
                    if code:
                        problems.append(FieldProblem(field=f"{field}.{key}", code=code))
                    else:
                        attributes[key] = normalized
            clean[field] = attributes
    if problems:
        raise ContactInvalid(problems)
    return clean


def attribute_bytes(objects: Mapping[str, Mapping[str, Any] | None]) -> int:
    """The size of attribute objects together, as compact UTF-8 JSON."""
    return sum(
        len(json.dumps(value or {}, ensure_ascii=False, separators=(",", ":")).encode()) for value in objects.values()
    )


def stored_attribute_problems(
    after: Mapping[str, Mapping[str, Any]], before: Mapping[str, Mapping[str, Any]] | None = None
) -> list[FieldProblem]:
    """What breaks the limits on the attribute objects a contact would keep: keys per object, bytes together.

    `after` maps the attribute fields to the objects the contact would keep, `before` to what it keeps now
    (nothing for a new contact). A contact stored over a limit before the limits applied to stored results
    is refused only what makes it worse, so it can still be edited and shrunk.
    """
    before = before or {}
    problems = []
    for field in ATTRIBUTE_FIELDS:
        keys = len(after.get(field) or {})
        if keys > MAX_ATTRIBUTE_KEYS and keys > len(before.get(field) or {}):
            problems.append(FieldProblem(field=field, code=ErrorCode.TOO_MANY_KEYS))
    size = attribute_bytes(after)
    if size > MAX_ATTRIBUTE_BYTES and size > attribute_bytes(before):
        problems += [
            FieldProblem(field=field, code=ErrorCode.TOO_LARGE)
            for field in ATTRIBUTE_FIELDS
            if attribute_bytes({field: after.get(field)}) > attribute_bytes({field: before.get(field)})
        ]
    return problems


def check_stored_attributes(
    after: Mapping[str, Mapping[str, Any]], before: Mapping[str, Mapping[str, Any]] | None = None
) -> None:
    """Raises `ContactInvalid` when `stored_attribute_problems` finds any."""
    problems = stored_attribute_problems(after, before)
    if problems:
        raise ContactInvalid(problems)
