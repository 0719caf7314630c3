"""text_field: a contact form's text input, as the edit form and the new contact dialog both draw it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui


def text_field(
    kind: str,
    label: str,
    *,
    value: str,
    placeholder: str | None,
    hint: str | None,
    validation: Callable[[Any], str | None],
) -> ui.input | ui.textarea:
    """An outlined input (a growing textarea for `textarea`; `email` and `tel` typed and left to right).

    The hint or error goes in the flow below the input (`hide-bottom-space`), one at a time and as tall as it
    wraps, instead of a fixed 20 px strip it outgrows onto the next field, with the leaving and the arriving
    message drawn over each other while they swap.
    """
    factory = ui.textarea if kind == "textarea" else ui.input
    element = factory(label=label, value=value, placeholder=placeholder, validation=validation)
    element.classes("w-full").props("outlined dense hide-bottom-space" + (" autogrow" if kind == "textarea" else ""))
    if kind in {"email", "tel"}:
        element.props(f"type={kind} dir=ltr")
    if hint:
        element.props["hint"] = hint
    return element
