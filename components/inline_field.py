"""InlineField: a contact value edited where it is shown; a click (or Enter) turns it into an input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from nicegui import ui

from api.validation import typed_phone
from components.contact_view import ContactView, aria, mark_id
from components.on_demand import OnDemand
from state import actions

Kind = Literal["text", "email", "tel"]
# Quasar styles a focused QBtn only; the value is a `div` acting as a button and needs its own ring.
FOCUS_RING = "focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 rounded"
# Evaluated in the browser once the element is back on screen; only a NiceGUI element id is put into it.
FOCUS_JS = "setTimeout(() => document.getElementById({id})?.focus(), 50)"
ENTER_JS = "(event) => emit(event.target.value)"


def candidate(path: str, typed: str | None) -> str | None:
    """What the agent typed as it is checked and sent (as the edit form does): a phone in E.164, blank as none."""
    text = typed or ""
    if path == "phone_number":
        return typed_phone(text) or None
    if path == "email":
        return text.strip() or None
    return text


class InlineField:
    """One value of the contact as a button-like text ("Edit email: ada@example.com"), and its input on demand.

    Enter (or the check button) saves, Escape (or the close button) cancels. The input is built when the agent
    starts editing and dropped when done: most values are never edited in a page's life. A live change only
    updates the text behind the input: what the agent types, the focus and the caret stay as they are.
    `holder` is what the input replaces on screen (the value itself, or an element around it).
    """

    def __init__(
        self,
        view: ContactView,
        value: ui.label,
        *,
        path: str,
        label_key: str,
        name_key: str,
        on_save: Callable[[InlineField, str | None, Any], Any],
        kind: Kind = "text",
        holder: ui.element | None = None,
    ) -> None:
        self.view = view
        self.value = value
        self.path = path
        self.label_key = label_key
        self.name_key = name_key
        self.on_save = on_save
        self.kind = kind
        self.holder = holder or value
        self.stored: Any = None  # the field's value as the contact holds it now
        self.seen: Any = None  # ... and when the agent began editing
        self.editable: bool | None = None
        self.kept_draft = False  # the input was opened again after a refused save: Escape drops that value
        self.input: ui.input | None = None
        self.editor = OnDemand(self.holder, self._build_editor, drop_when_hidden=True)
        value.classes(FOCUS_RING)
        value.on("click", self.open)
        value.on("keydown.enter.prevent", self.open)
        value.on("keydown.space.prevent", self.open)

    @property
    def editing(self) -> bool:
        return self.input is not None

    def show(self, text: str, stored: Any, *, editable: bool) -> None:
        """Show `text` (the value as read, `stored` as the contact holds it); in place, the input untouched."""
        self.stored = stored
        if self.value.text != text:
            self.value.set_text(text)
        props = self.value.props
        name = self.view.t(self.name_key, value=text) if editable else None
        if editable != self.editable or props.get("aria-label") != name:
            self.editable = editable
            if editable:
                props.update({"role": "button", "tabindex": "0", "aria-label": name})
                self.value.classes(add="cursor-pointer")
            else:
                for prop in ("role", "tabindex", "aria-label"):
                    props.pop(prop, None)
                self.value.classes(remove="cursor-pointer")
            self.value.update()
        if not editable and self.editing:
            self.close(refocus=False)

    def open(self) -> None:
        """Turn the value into an input holding it."""
        self._open("" if self.stored is None else str(self.stored))

    def reopen(self, typed: str | None, error: str) -> None:
        """The input again, after the server refused what was typed: the typing and the server's reason."""
        self._open(typed or "", error)
        self.kept_draft = self.editing

    def _open(self, typed: str, error: str | None = None) -> None:
        if not self.editable or self.editing or self.view.entry.saving:
            return
        self.seen = self.stored
        self.kept_draft = False
        self.holder.visible = False
        self.editor.show(True)
        assert self.input is not None
        self.input.value = typed
        if error:
            self.input.error = error

    def close(self, *, refocus: bool = True) -> None:
        """Back to the value (the input is dropped); the keyboard focus returns to it."""
        if not self.editing:
            return
        self.editor.show(False)
        self.input = None
        self.holder.visible = True
        if refocus:
            # The client, not `ui.run_javascript`: the input whose handler this may run in is gone now.
            self.value.client.run_javascript(FOCUS_JS.format(id=f'"{self.value.html_id}"'))

    def cancel(self) -> None:
        if self.kept_draft and self.path in self.view.entry.draft:
            actions.discard_draft(self.view.store, self.view.contact_id, [self.path])
        self.close()

    def save(self, typed: str | None = None) -> None:
        """Check as the edit form does; an invalid value stays in the input with its error, and nothing is sent.
        `typed`: the input's text as the browser had it when Enter was pressed."""
        if self.input is None:
            return
        if typed is not None and typed != self.input.value:
            self.input.value = typed
        if not self.input.validate():
            return
        value = candidate(self.path, self.input.value)
        seen = self.seen
        self.close()
        self.on_save(self, value, seen)

    def _problem(self, typed: str | None) -> str | None:
        problems = actions.validate_changes(self.view.store, {self.path: candidate(self.path, typed)})
        problem = problems.get(self.path) or next(iter(problems.values()), None)
        return self.view.error(problem) if problem else None

    def _build_editor(self) -> ui.row:
        view = self.view
        label = view.t(self.label_key)
        slug = self.path.replace("_", "-")
        with ui.row().classes("items-start gap-1 w-full no-wrap") as row:
            field = ui.input(validation=self._problem).classes("grow min-w-0")
            # Quasar focuses an `autofocus` input when it is drawn.
            field.props("outlined dense hide-bottom-space autofocus")
            field.props["hint"] = view.t("CONTACT.INLINE_HINT")
            if self.kind != "text":
                field.props(f"type={self.kind} dir=ltr")
            mark_id(aria(field, label), f"inline-{slug}")
            # Enter saves what the input holds at that moment, sent with the key: the typed value's own update
            # may still be on its way (a fast typist, a script) and would otherwise be checked too late.
            field.on("keydown.enter", lambda event: self.save(event.args), js_handler=ENTER_JS)
            field.on("keydown.escape", self.cancel)
            save = ui.button(icon="check", on_click=lambda: self.save()).props("flat round dense")
            mark_id(aria(save, view.t("CONTACT.SAVE")), f"inline-save-{slug}")
            cancel = ui.button(icon="close", on_click=self.cancel).props("flat round dense")
            mark_id(aria(cancel, view.t("CONTACT.CANCEL")), f"inline-cancel-{slug}")
        self.input = field
        return row
