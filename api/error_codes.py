"""The app's codes for what went wrong: stable names both sides share, told to the agent as `ERRORS.<code>`."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """One thing that went wrong; its value is its key under `ERRORS.` in the locale files."""

    # A field broke a rule (api.validation); the server words each as Chatwoot does.
    REQUIRED = "REQUIRED"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_PHONE = "INVALID_PHONE"
    TOO_LONG = "TOO_LONG"
    TAKEN = "TAKEN"
    NOT_TEXT = "NOT_TEXT"
    NOT_BOOLEAN = "NOT_BOOLEAN"
    NOT_OBJECT = "NOT_OBJECT"
    TOO_MANY_KEYS = "TOO_MANY_KEYS"
    TOO_LARGE = "TOO_LARGE"
    NUMBER_OUT_OF_RANGE = "NUMBER_OUT_OF_RANGE"
    INVISIBLE_TEXT = "INVISIBLE_TEXT"
    INVALID_NUMBER = "INVALID_NUMBER"
    INVALID_DATE = "INVALID_DATE"
    INVALID_LINK = "INVALID_LINK"
    INVALID_LIST_VALUE = "INVALID_LIST_VALUE"
    INVALID_CHARACTERS = "INVALID_CHARACTERS"
    TOO_NESTED = "TOO_NESTED"
    INVALID_CHECKBOX = "INVALID_CHECKBOX"
    PATTERN_MISMATCH = "PATTERN_MISMATCH"
    PATTERN_TOO_SLOW = "PATTERN_TOO_SLOW"
    AVATAR_NOT_IMAGE = "AVATAR_NOT_IMAGE"
    AVATAR_TOO_BIG = "AVATAR_TOO_BIG"
    AVATAR_TOO_MANY_PIXELS = "AVATAR_TOO_MANY_PIXELS"
    # A row of an imported CSV file broke a rule of its own (server.contact_import).
    DUPLICATE_IN_FILE = "DUPLICATE_IN_FILE"
    EXTRA_VALUES = "EXTRA_VALUES"
    EMPTY_ROW = "EMPTY_ROW"
    # An imported file refused whole, before anything was written.
    FILE_BLANK = "FILE_BLANK"
    FILE_TOO_BIG = "FILE_TOO_BIG"
    FILE_NOT_UTF8 = "FILE_NOT_UTF8"
    FILE_UNREADABLE = "FILE_UNREADABLE"
    FILE_NO_HEADER = "FILE_NO_HEADER"
    FILE_DUPLICATE_COLUMN = "FILE_DUPLICATE_COLUMN"
    FILE_TOO_MANY_COLUMNS = "FILE_TOO_MANY_COLUMNS"
    FILE_TOO_MANY_ROWS = "FILE_TOO_MANY_ROWS"
    # A request failed, or its outcome is not what was asked.
    CONFLICT = "CONFLICT"
    CONFLICT_RETRY = "CONFLICT_RETRY"
    NOT_LOADED = "NOT_LOADED"
    NETWORK = "NETWORK"
    NOT_SAVED = "NOT_SAVED"
    TIMEOUT = "TIMEOUT"
    UNAUTHORIZED = "UNAUTHORIZED"
    FORBIDDEN = "FORBIDDEN"
    UPLOAD_TOO_LARGE = "UPLOAD_TOO_LARGE"
    NOT_FOUND = "NOT_FOUND"
    RATE_LIMITED = "RATE_LIMITED"
    SERVER = "SERVER"
    UNKNOWN = "UNKNOWN"
