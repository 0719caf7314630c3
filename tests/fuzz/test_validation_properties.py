"""Properties of the shared validation rules (api/validation.py), searched with Hypothesis."""

from __future__ import annotations

import json
import math
import re
import string
from datetime import date
from typing import Any

import phonenumbers
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from api.validation import (
    ATTRIBUTE_FIELDS,
    CONTACT_FIELDS,
    MAX_ATTRIBUTE_BYTES,
    MAX_ATTRIBUTE_KEYS,
    MAX_SAFE_INTEGER,
    MAX_STRING,
    ContactInvalid,
    attribute_bytes,
    check_attribute_value,
    check_contact_changes,
    is_invisible,
    normalize_email,
    normalize_phone,
    safe_http_url,
    stored_attribute_problems,
)

# The contract's E.164 as the rule states it, and the ASCII form every accepted number must come out in.
E164 = re.compile(r"\+[1-9]\d{1,14}")
E164_ASCII = re.compile(r"\+[1-9][0-9]{1,14}")
DISPLAY_TYPES = ("text", "number", "currency", "percent", "link", "date", "list", "checkbox")
PLANS = ["free", "starter", "pro", "enterprise"]
# Definitions as the database holds them (the seed's, plus a few more patterns); only `changes` is hostile.
DEFINITIONS: dict[str, dict[str, Any]] = {
    "account_manager": {"attribute_display_type": "text", "attribute_values": [], "regex_pattern": None},
    "seats": {"attribute_display_type": "number", "attribute_values": [], "regex_pattern": None},
    "mrr": {"attribute_display_type": "currency", "attribute_values": [], "regex_pattern": None},
    "discount": {"attribute_display_type": "percent", "attribute_values": [], "regex_pattern": None},
    "crm_url": {"attribute_display_type": "link", "attribute_values": [], "regex_pattern": None},
    "signed_up": {"attribute_display_type": "date", "attribute_values": [], "regex_pattern": None},
    "plan": {"attribute_display_type": "list", "attribute_values": PLANS, "regex_pattern": None},
    "newsletter": {"attribute_display_type": "checkbox", "attribute_values": [], "regex_pattern": None},
    "vat_id": {"attribute_display_type": "text", "attribute_values": [], "regex_pattern": r"^[A-Z]{2}[0-9A-Z]{2,12}$"},
    "broken_pattern": {"attribute_display_type": "text", "attribute_values": [], "regex_pattern": "(["},
}

# JSON values as a request body can carry them: Python's json module also reads NaN and Infinity.
json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=300)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=20), inner, max_size=4),
    max_leaves=12,
)
attribute_keys = st.sampled_from(sorted(DEFINITIONS)) | st.text(max_size=260)
attribute_objects = st.dictionaries(attribute_keys, json_values, max_size=6) | json_values
field_values = {
    "name": st.text(max_size=300) | json_values,
    "email": st.emails() | st.text(max_size=300) | json_values,
    "phone_number": st.from_regex(E164_ASCII, fullmatch=True) | st.text(max_size=20) | json_values,
    "identifier": st.text(max_size=300) | json_values,
    "blocked": st.booleans() | json_values,
    "additional_attributes": attribute_objects,
    "custom_attributes": attribute_objects,
}
changes_strategy = st.fixed_dictionaries(
    {}, optional={field: values for field, values in field_values.items()}
) | st.dictionaries(st.sampled_from([*CONTACT_FIELDS, "id", "account_id", ""]) | st.text(max_size=10), json_values)


def servable(value: Any, depth: int = 0) -> bool:
    """True when the value survives strict JSON (no NaN/Infinity, no integer a double cannot hold exactly) and
    UTF-8 (no lone surrogates), nested no deeper than any real contact needs."""
    if depth > 32:
        return False
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return not any(0xD800 <= ord(ch) <= 0xDFFF for ch in value)
    if isinstance(value, list):
        return all(servable(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return all(servable(k, depth + 1) and servable(v, depth + 1) for k, v in value.items())
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value) <= MAX_SAFE_INTEGER
    return value is None or isinstance(value, bool)


def text_column_values(clean: dict[str, Any]) -> list[str]:
    """What lands in text columns: the plain fields, and attribute keys (they name fields in the activity trail)."""
    texts = [clean[f] for f in ("name", "identifier", "email", "phone_number") if isinstance(clean.get(f), str)]
    for field in ("additional_attributes", "custom_attributes"):
        texts += [str(key) for key in clean.get(field, {})]
    return texts


def nested(levels: int) -> Any:
    value: Any = []
    for _ in range(levels):
        value = [value]
    return value


# --- email -----------------------------------------------------------------------------------------------


@given(st.emails() | st.text(max_size=300))
@example("Ada.Lovelace@Example.COM")
@example("İ@example.com")
@example("  padded@example.com  ")
def test_normalize_email_is_lower_case_and_idempotent(value: str) -> None:
    try:
        normalized = normalize_email(value)
    except ValueError as error:
        assert str(error) in {"INVALID_EMAIL", "TOO_LONG"}
        return
    assert normalized == normalized.lower()
    assert normalize_email(normalized) == normalized
    assert len(normalized) <= MAX_STRING
    assert normalized.count("@") >= 1 and normalized == normalized.strip()


@given(st.emails(domains=st.from_regex(r"[a-z]{1,20}\.(com|org|net|io)", fullmatch=True)).filter(str.isascii))
def test_email_case_variants_normalize_to_one_address(value: str) -> None:
    """Uniqueness is case-insensitive because the stored form is: every case variant normalizes the same."""
    assert normalize_email(value.upper()) == normalize_email(value.lower()) == normalize_email(value)


def test_an_email_over_255_characters_is_too_long() -> None:
    too_long = "a" * 64 + "@" + "b" * (MAX_STRING - 64) + ".com"
    with pytest.raises(ValueError, match="TOO_LONG"):
        normalize_email(too_long)


# --- phone -----------------------------------------------------------------------------------------------

valid_numbers = st.builds(
    lambda region, kind: phonenumbers.example_number_for_type(region, kind),
    st.sampled_from(sorted(phonenumbers.SUPPORTED_REGIONS)),
    st.sampled_from(
        [
            phonenumbers.PhoneNumberType.FIXED_LINE,
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.TOLL_FREE,
            phonenumbers.PhoneNumberType.VOIP,
        ]
    ),
).filter(lambda number: number is not None and phonenumbers.is_valid_number(number))


@given(valid_numbers)
def test_every_number_phonenumbers_finds_valid_is_accepted_in_e164(number: phonenumbers.PhoneNumber) -> None:
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    assert normalize_phone(e164) == e164
    assert normalize_phone(f"  {e164}\t") == e164


@given(st.from_regex(E164_ASCII, fullmatch=True))
def test_an_e164_string_is_accepted_exactly_when_phonenumbers_finds_it_valid(value: str) -> None:
    try:
        parsed: phonenumbers.PhoneNumber | None = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and phonenumbers.is_valid_number(parsed):
        assert normalize_phone(value) == phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    else:
        with pytest.raises(ValueError, match="INVALID_PHONE"):
            normalize_phone(value)


@given(
    st.text(max_size=25)
    | st.from_regex(r"\+?0?[0-9 ()\-.]{1,22}", fullmatch=True)
    | st.from_regex(E164_ASCII, fullmatch=True).map(lambda v: v + "0")
)
@example("+44 20 7183 8750")
@example("0044 20 7183 8750")
@example("+04420718387")
@example("+1234567890123456")
@example("+1")
@example("442071838750")
@example("+44-20-7183-8750")
@example("+442071838750\n0")
def test_strings_not_in_e164_form_are_refused(value: str) -> None:
    if E164.fullmatch(value.strip()):
        return
    with pytest.raises(ValueError, match="INVALID_PHONE"):
        normalize_phone(value)


@given(st.text(max_size=30) | st.from_regex(E164_ASCII, fullmatch=True))
def test_an_accepted_number_always_comes_out_as_ascii_e164(value: str) -> None:
    try:
        normalized = normalize_phone(value)
    except ValueError as error:
        assert str(error) == "INVALID_PHONE"
        return
    assert E164_ASCII.fullmatch(normalized)
    assert normalize_phone(normalized) == normalized


# --- check_contact_changes ---------------------------------------------------------------------------------


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(changes_strategy, st.booleans())
def test_check_contact_changes_raises_nothing_but_contact_invalid(
    changes: dict[str, Any], with_definitions: bool
) -> None:
    try:
        clean = check_contact_changes(changes, DEFINITIONS if with_definitions else None)
    except ContactInvalid as invalid:
        assert invalid.problems
        assert set(invalid.attributes) <= set(CONTACT_FIELDS)
        assert str(invalid)
        return
    assert set(clean) <= set(CONTACT_FIELDS) & set(changes)
    for field in ("name", "identifier"):
        if clean.get(field) is not None:
            assert isinstance(clean[field], str) and len(clean[field]) <= MAX_STRING
    if clean.get("email") is not None:
        assert clean["email"] == normalize_email(clean["email"])
    if clean.get("phone_number") is not None:
        assert E164_ASCII.fullmatch(clean["phone_number"])
    if "blocked" in clean:
        assert isinstance(clean["blocked"], bool)
    for field in ("additional_attributes", "custom_attributes"):
        if field in clean:
            assert isinstance(clean[field], dict)
            assert all(len(str(key)) <= MAX_STRING for key in clean[field])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(changes_strategy)
@example({"custom_attributes": {"score": float("inf")}})
@example({"custom_attributes": {"seats": "1e999"}})
@example({"additional_attributes": {"city": "\ud800"}})
@example({"name": "Ada\x00Lovelace"})
@example({"custom_attributes": {"deep": nested(300)}})
@example({"custom_attributes": {"x": 1180591620717411303424}})
@example({"additional_attributes": {"x": [-(2**63)]}})
@example({"custom_attributes": {"seats": "9007199254740993"}})
def test_whatever_is_accepted_can_be_stored_and_served(changes: dict[str, Any]) -> None:
    """Accepted values must be strict JSON (no NaN/Infinity), UTF-8 (no lone surrogates), shallow enough to
    serialize, with no U+0000 where PostgreSQL keeps text: anything else is a 500 later, on write or on every read."""
    try:
        clean = check_contact_changes(changes, DEFINITIONS)
    except ContactInvalid:
        return
    assert servable(clean), clean
    assert not any("\x00" in text for text in text_column_values(clean)), clean
    json.dumps(clean, allow_nan=False).encode("utf-8")


# --- the 255-character limit --------------------------------------------------------------------------------

# Characters that show something: a name of invisible ones only is refused (the next section).
text_characters = st.characters(blacklist_categories=["Cs", "Zs", "Zl", "Zp", "Cc"]).filter(
    lambda ch: not is_invisible(ch)
)


@given(st.sampled_from(["name", "identifier"]), text_characters, st.integers(1, 3))
def test_name_and_identifier_take_255_characters_and_refuse_256(field: str, char: str, padding: int) -> None:
    exact = char * MAX_STRING
    assert check_contact_changes({field: exact})[field] == exact
    # Surrounding whitespace is trimmed before the length is counted.
    assert check_contact_changes({field: " " * padding + exact + " " * padding})[field] == exact
    with pytest.raises(ContactInvalid) as refused:
        check_contact_changes({field: exact + char})
    assert refused.value.attributes == [field]
    assert refused.value.problems[0].code == "TOO_LONG"


@given(st.sampled_from(["additional_attributes", "custom_attributes"]), text_characters)
def test_attribute_keys_and_values_take_255_characters_and_refuse_256(field: str, char: str) -> None:
    exact = char * MAX_STRING
    accepted = check_contact_changes({field: {exact: exact, "nested": {"inner": exact}}})[field]
    assert accepted == {exact: exact, "nested": {"inner": exact}}
    for too_long in ({exact + char: "v"}, {"k": exact + char}, {"nested": {"inner": exact + char}}):
        with pytest.raises(ContactInvalid) as refused:
            check_contact_changes({field: too_long})
        assert refused.value.attributes == [field]
        assert {p.code for p in refused.value.problems} == {"TOO_LONG"}


def test_text_attribute_with_a_definition_takes_255_and_refuses_256() -> None:
    text = {"attribute_display_type": "text"}
    assert check_attribute_value(text, "x" * MAX_STRING) == ("x" * MAX_STRING, None)
    assert check_attribute_value(text, "x" * (MAX_STRING + 1))[1] == "TOO_LONG"


# --- safe_http_url ------------------------------------------------------------------------------------------

SCHEMES = [
    "javascript:",
    "JaVaScRiPt:",
    " javascript:",
    "java\tscript:",
    "java\nscript:",
    "\x00javascript:",
    "\x01javascript:",
    "\ufeffjavascript:",
    "data:",
    "DATA:text/html,",
    "vbscript:",
    "file://",
    "ftp://",
    "//",
    "http:",
    "http:/",
    "https:",
    "http://",
    "https://",
    "HTTP://",
    "HtTpS://",
    " https://",
    "\u00a0https://",
    "http\x00://",
    "https\t://",
]


def browser_scheme(url: str) -> str | None:
    """The scheme a browser's URL parser (WHATWG) would see: C0 controls and spaces trimmed, tabs and
    newlines removed anywhere, then letters, digits, `+-.` up to the first colon."""
    cleaned = url.strip("".join(chr(c) for c in range(0x21)))
    cleaned = re.sub(r"[\t\n\r]", "", cleaned)
    match = re.match(r"([A-Za-z][A-Za-z0-9+\-.]*):", cleaned)
    return match.group(1).lower() if match else None


@given(
    st.sampled_from(SCHEMES).flatmap(lambda scheme: st.text(max_size=40).map(lambda rest: scheme + rest))
    | st.sampled_from(SCHEMES).map(lambda scheme: scheme + "example.com/path?q=1")
    | st.text(max_size=60)
    | st.from_regex(r"[a-zA-Z][a-zA-Z0-9+.\-]{0,10}:[^\n]{0,30}", fullmatch=True)
)
@example("javascript:alert(1)//http://example.com")
@example("javascript://example.com/%0aalert(1)")
@example("https://example.com\x00javascript:alert(1)")
@example("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==")
@example(" \x0bhttps://example.com")
@example("http:// 0")
@example("https://exa mple.com")
@example("https://example.com/\u200bpath")
@example("http://example.com:99999")
@example("http://good.example\\@evil.example")
def test_safe_http_url_never_returns_anything_but_an_http_link(value: str) -> None:
    url = safe_http_url(value)
    if url is None:
        return
    assert url == value.strip()
    assert not any(ord(ch) < 32 or ch.isspace() or is_invisible(ch) for ch in url), url
    assert browser_scheme(url) in {"http", "https"}, url
    assert re.match(r"(?i)https?://[^/?#\s]", url), url


@given(
    st.sampled_from(["http", "https", "HTTP", "Https"]), st.from_regex(r"[a-z0-9]{1,20}\.[a-z]{2,6}", fullmatch=True)
)
def test_safe_http_url_keeps_real_links(scheme: str, host: str) -> None:
    url = f"{scheme}://{host}/path?q=1#top"
    assert safe_http_url(url) == url
    assert safe_http_url(f"  {url} ") == url


@given(json_values.filter(lambda v: not isinstance(v, str)))
def test_safe_http_url_refuses_what_is_not_a_string(value: Any) -> None:
    assert safe_http_url(value) is None


# --- check_attribute_value, type by type ---------------------------------------------------------------------


@given(st.sampled_from(DISPLAY_TYPES), st.sampled_from([None, ""]))
def test_an_empty_value_clears_any_type(kind: str, value: Any) -> None:
    assert check_attribute_value({"attribute_display_type": kind, "attribute_values": PLANS}, value) == (None, None)


@given(
    st.sampled_from(["number", "currency", "percent"]),
    st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER) | st.floats(allow_nan=False, allow_infinity=False),
)
def test_numbers_are_taken_as_they_are(kind: str, value: float) -> None:
    assert check_attribute_value({"attribute_display_type": kind}, value) == (value, None)


@given(
    st.sampled_from(["number", "currency", "percent"]),
    st.integers(min_value=MAX_SAFE_INTEGER + 1) | st.integers(max_value=-MAX_SAFE_INTEGER - 1),
    st.booleans(),
)
@example("number", 2**70, False)
@example("number", MAX_SAFE_INTEGER + 2, True)
def test_integers_a_json_client_cannot_hold_are_refused(kind: str, value: int, as_text: bool) -> None:
    sent: Any = str(value) if as_text else value
    assert check_attribute_value({"attribute_display_type": kind}, sent)[1] == "NUMBER_OUT_OF_RANGE"
    with pytest.raises(ContactInvalid) as refused:
        check_contact_changes({"additional_attributes": {"nested": {"list": [sent if not as_text else value]}}})
    assert [p.code for p in refused.value.problems] == ["NUMBER_OUT_OF_RANGE"]


@given(st.sampled_from(["number", "currency", "percent"]), st.integers(-(10**12), 10**12))
def test_numeric_strings_become_numbers(kind: str, value: int) -> None:
    assert check_attribute_value({"attribute_display_type": kind}, f" {value} ") == (value, None)
    normalized, problem = check_attribute_value({"attribute_display_type": kind}, f"{value}.5")
    assert problem is None and normalized == float(f"{value}.5")


@given(
    st.sampled_from(["number", "currency", "percent"]),
    st.booleans() | st.text(alphabet=string.ascii_letters + " ,;$€", min_size=1).filter(lambda t: t.strip()),
)
def test_non_numbers_are_refused(kind: str, value: Any) -> None:
    # "nan", "inf" and "infinity" spelled in letters are the next test's (a known bug).
    assume(not isinstance(value, str) or value.strip().lower() not in {"inf", "infinity", "nan"})
    assert check_attribute_value({"attribute_display_type": kind}, value)[1] == "INVALID_NUMBER"


@given(st.sampled_from(["number", "currency", "percent"]), st.sampled_from(["nan", "inf", "-Infinity", "1e999"]))
def test_non_finite_numbers_are_refused(kind: str, value: str) -> None:
    assert check_attribute_value({"attribute_display_type": kind}, value)[1] == "INVALID_NUMBER"
    assert check_attribute_value({"attribute_display_type": kind}, float(value))[1] == "INVALID_NUMBER"


@given(st.dates())
def test_iso_dates_are_accepted(day: date) -> None:
    assert check_attribute_value({"attribute_display_type": "date"}, day.isoformat()) == (day.isoformat(), None)


@given(st.dates(), st.sampled_from(["T00:00:00Z", "T10:00:00.000+02:00", "T23:59:59.123456789-05:00", "T08:30"]))
def test_a_datetime_keeps_its_date_part(day: date, time: str) -> None:
    assert check_attribute_value({"attribute_display_type": "date"}, day.isoformat() + time) == (day.isoformat(), None)


@given(st.dates(), st.text(min_size=1, max_size=12).filter(lambda t: t.strip() and not t.startswith("T")))
@example(date(2024, 1, 1), "garbage")
@example(date(2024, 1, 1), " 00:00")
def test_a_date_with_anything_else_after_it_is_refused(day: date, rest: str) -> None:
    assert check_attribute_value({"attribute_display_type": "date"}, day.isoformat() + rest)[1] == "INVALID_DATE"


@given(st.text(max_size=12).filter(lambda t: t.strip()) | st.integers() | st.booleans())
def test_accepted_dates_come_out_as_iso_dates(value: Any) -> None:
    normalized, problem = check_attribute_value({"attribute_display_type": "date"}, value)
    if problem is None:
        assert date.fromisoformat(normalized).isoformat() == normalized
    else:
        assert problem == "INVALID_DATE"


@given(st.text(max_size=60) | json_values)
def test_links_are_exactly_what_safe_http_url_accepts(value: Any) -> None:
    normalized, problem = check_attribute_value({"attribute_display_type": "link"}, value)
    if value in (None, ""):
        return
    if safe_http_url(value) is None:
        assert problem == "INVALID_LINK"
    else:
        assert (normalized, problem) == (safe_http_url(value), None)


@given(json_values.filter(lambda v: v not in (None, "")))
def test_checkbox_takes_only_booleans(value: Any) -> None:
    problem = check_attribute_value({"attribute_display_type": "checkbox"}, value)[1]
    assert (problem is None) == isinstance(value, bool)


@given(json_values.filter(lambda v: v not in (None, "")) | st.sampled_from(PLANS))
def test_list_takes_only_its_values(value: Any) -> None:
    normalized, problem = check_attribute_value({"attribute_display_type": "list", "attribute_values": PLANS}, value)
    if str(value) in PLANS:
        assert (normalized, problem) == (value, None)
    else:
        assert problem == "INVALID_LIST_VALUE"


@given(json_values.filter(lambda v: v not in (None, "")))
def test_text_takes_only_strings(value: Any) -> None:
    problem = check_attribute_value({"attribute_display_type": "text"}, value)[1]
    if not isinstance(value, str):
        assert problem == "NOT_TEXT"
    else:
        assert problem == ("TOO_LONG" if len(value) > MAX_STRING else None)


@given(st.from_regex(r"[A-Z]{2}[0-9A-Z]{2,12}", fullmatch=True), st.text(max_size=20))
def test_text_with_a_pattern_takes_only_matches(good: str, other: str) -> None:
    vat = DEFINITIONS["vat_id"]
    assert check_attribute_value(vat, good) == (good, None)
    matches = re.fullmatch(vat["regex_pattern"], other) is not None
    assert check_attribute_value(vat, other)[1] == (None if matches or other == "" else "PATTERN_MISMATCH")


@given(st.text(min_size=1, max_size=20))
def test_a_broken_pattern_does_not_refuse_text(value: str) -> None:
    assert check_attribute_value(DEFINITIONS["broken_pattern"], value) == (value, None)


# --- invisible names -------------------------------------------------------------------------------------------

# Zero-width and bidi controls, BOM, soft hyphen, word joiner, Hangul and Braille blanks, a variation selector, spaces.
INVISIBLE = (
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202e\u2066\u2069\ufeff\u00ad\u2060\u3164\u115f\u2800\ufe0f \t\u00a0\u3000"
)
invisible_characters = st.sampled_from(list(INVISIBLE))


@given(st.sampled_from(["name", "identifier"]), st.lists(invisible_characters, min_size=1, max_size=20))
@example("name", list("\u200b\u200d\u202e"))
def test_a_name_of_invisible_characters_only_is_refused(field: str, characters: list[str]) -> None:
    value = "".join(characters)
    if not value.strip():
        assert check_contact_changes({field: value})[field] == ("" if field == "name" else None)
        return
    with pytest.raises(ContactInvalid) as refused:
        check_contact_changes({field: value})
    assert [(p.field, p.code) for p in refused.value.problems] == [(field, "INVISIBLE_TEXT")]


@given(st.sampled_from(["name", "identifier"]), text_characters, st.lists(invisible_characters, max_size=5))
def test_a_name_with_one_visible_character_is_kept(field: str, char: str, characters: list[str]) -> None:
    value = "".join(characters) + char + "".join(characters)
    assert check_contact_changes({field: value})[field] == value.strip()


# --- limits on the stored attribute objects --------------------------------------------------------------------

attribute_sets = st.dictionaries(st.text(max_size=8), st.text(max_size=2000) | st.integers(0, 9), max_size=120)


@given(st.fixed_dictionaries({field: attribute_sets for field in ATTRIBUTE_FIELDS}))
@example({"additional_attributes": {f"k{n}": n for n in range(MAX_ATTRIBUTE_KEYS + 1)}, "custom_attributes": {}})
@example({"additional_attributes": {"a": "x" * 40_000}, "custom_attributes": {"b": "y" * 30_000}})
@example({"additional_attributes": {"a": "\u00e9" * 20_000}, "custom_attributes": {"b": "\u00e9" * 12_000}})
def test_a_new_contacts_attributes_are_refused_exactly_when_over_a_limit(after: dict[str, Any]) -> None:
    problems = stored_attribute_problems(after)
    too_many = {field for field in ATTRIBUTE_FIELDS if len(after[field]) > MAX_ATTRIBUTE_KEYS}
    assert {p.field for p in problems if p.code == "TOO_MANY_KEYS"} == too_many
    assert any(p.code == "TOO_LARGE" for p in problems) == (attribute_bytes(after) > MAX_ATTRIBUTE_BYTES)


@given(
    st.fixed_dictionaries({field: attribute_sets for field in ATTRIBUTE_FIELDS}),
    st.fixed_dictionaries({field: attribute_sets for field in ATTRIBUTE_FIELDS}),
)
def test_a_change_is_refused_only_for_what_it_adds_beyond_a_limit(
    before: dict[str, Any], change: dict[str, Any]
) -> None:
    after = {field: {**before[field], **change[field]} for field in ATTRIBUTE_FIELDS}
    problems = stored_attribute_problems(after, before)
    for problem in problems:
        if problem.code == "TOO_MANY_KEYS":
            assert len(after[problem.field]) > max(MAX_ATTRIBUTE_KEYS, len(before[problem.field]))
        else:
            assert attribute_bytes(after) > max(MAX_ATTRIBUTE_BYTES, attribute_bytes(before))
    within = all(len(after[f]) <= MAX_ATTRIBUTE_KEYS for f in ATTRIBUTE_FIELDS)
    if within and attribute_bytes(after) <= MAX_ATTRIBUTE_BYTES:
        assert problems == []
