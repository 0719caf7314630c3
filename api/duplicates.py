"""What makes two contacts of an account possible duplicates, the same for both sides: the embedded server's lookup
(server/duplicates.py) and the client's fallback on a plain Chatwoot (`ChatwootClient.duplicate_suggestions`).

- `email`: the same address, case-insensitively.
- `phone_number`: the same number once libphonenumber has read it. A stored number only has E.164's shape
  (Chatwoot's rule, `+` and digits): "+44 (0)20 7946 0999" typed as "+4402079460999" is the number
  "+442079460999", and a unique index on the text does not see it.
- `name`: a very similar name (`name_similarity`: typos, words in another order, case, punctuation, accents) in
  the same company (`additional_attributes.company_name`, case-insensitively).
"""

from __future__ import annotations

import unicodedata
from typing import Literal

import phonenumbers
from phonenumbers import PhoneMetadata
from rapidfuzz import fuzz, utils

DuplicateReason = Literal["email", "phone_number", "name"]
REASONS: tuple[DuplicateReason, ...] = ("email", "phone_number", "name")
# Out of 100. Beside "John Smith": "Jon Smith" 95, "Jonh Smith" 90, "Smith, John" and "JOHN SMITH" 100; "Jane Smith"
# (80) is someone else, and so is "Bob Smith" beside "Rob Smith" (89).
NAME_SIMILARITY = 90
# At most this many suggestions for a contact: an agent reads a few, and a merge takes them one at a time.
MAX_SUGGESTIONS = 10


def same_email(one: str | None, other: str | None) -> bool:
    """Whether both are the same address, case-insensitively (neither missing)."""
    return bool(one) and bool(other) and (one or "").strip().casefold() == (other or "").strip().casefold()


def phone_key(value: str) -> str:
    """The number libphonenumber reads in `value`, in E.164 ("+4402079460999" -> "+442079460999"); the stripped
    text itself when it reads none. Two numbers are the same when their keys are."""
    text = value.strip()
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return text
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_forms(value: str) -> set[str]:
    """The texts, in E.164's shape, a stored number with `value`'s key has: as given, the key, and the key with the
    country's national prefix after the country code ("+44" "0" "2079460999"), the form libphonenumber reads
    back to the key. Few, so the lookup asks the (account, phone number) index for each rather than keeping a
    normalized copy of every number."""
    text = value.strip()
    forms = {text, phone_key(text)}
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return forms
    code = parsed.country_code or 0
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(code, phonenumbers.region_code_for_country_code(code))
    prefix = metadata.national_prefix if metadata is not None else None
    if prefix:
        forms.add(f"+{code}{prefix}{phonenumbers.national_significant_number(parsed)}")
    return forms


def _folded(name: str) -> str:
    """The name lower-cased, without punctuation or accents ("Zoë Müller" -> "zoe muller")."""
    decomposed = unicodedata.normalize("NFKD", name)
    return utils.default_process("".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def name_similarity(one: str, other: str) -> float:
    """How alike two names are, 0 to 100: as written, or with their words in order (RapidFuzz's ratio and token
    sort ratio, the higher), case, punctuation and accents aside."""
    a, b = _folded(one), _folded(other)
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))


def similar_names(one: str | None, other: str | None) -> bool:
    """Whether two names are very similar (`NAME_SIMILARITY`); a blank name is like no other."""
    if not (one and one.strip() and other and other.strip()):
        return False
    return name_similarity(one, other) >= NAME_SIMILARITY


def company_key(additional_attributes: object) -> str:
    """A contact's company as compared: `company_name` lower-cased, "" for none."""
    if not isinstance(additional_attributes, dict):
        return ""
    company = additional_attributes.get("company_name")
    return company.strip().lower() if isinstance(company, str) else ""
