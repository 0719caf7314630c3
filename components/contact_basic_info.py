"""ContactBasicInfo: avatar (or initials), name, email and phone (edited in place), and what else is known."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from nicegui import ui

from api.validation import format_phone_international, normalize_email, normalize_phone
from components.avatar_upload import AvatarUpload
from components.contact_actions import ContactActions
from components.contact_view import MUTED_TEXT, PUSHED_TO_END, ContactView, hinted, icon_before, mark_id
from components.fact_list import Fact, FactList, Stamp
from components.inline_field import InlineField, Kind
from components.on_demand import OnDemand
from state import actions
from state.i18n import format_datetime, relative_time


def initials(name: str | None, fallback: str = "?") -> str:
    """Up to two capital initials of a name ("Ada Lovelace" -> "AL")."""
    words = [w for w in (name or "").split() if w and w[0].isalnum()]
    letters = "".join(w[0] for w in words[:2]).upper()
    return letters or (fallback[:1].upper() if fallback else "?")


def mailto(email: str | None) -> str | None:
    """A `mailto:` link for a real email address, else None (nothing of the value read as link syntax)."""
    try:
        return "mailto:" + quote(normalize_email(email or ""), safe="@")
    except ValueError:
        return None


def tel(phone: str | None) -> str | None:
    """A `tel:` link for a real phone number (in E.164), else None."""
    try:
        return "tel:" + normalize_phone(phone or "")
    except ValueError:
        return None


# The lines below the name, in their order on the panel; each is built the first time the contact has it.
# The facts and dates follow them (`FactList`).
PARTS = ("email", "phone")
FACTS = {
    "identifier": ("identifier", "CONTACT.IDENTIFIER"),
    "city": ("additional_attributes.city", "CONTACT.CITY"),
    "country": ("additional_attributes.country", "CONTACT.COUNTRY"),
    "description": ("additional_attributes.description", "CONTACT.DESCRIPTION"),
}


@dataclass(kw_only=True, slots=True)
class ContactLine:
    """Email or phone: the value (edited in place), a `mailto:` / `tel:` link for a real one, and a copy button."""

    field: InlineField
    link: ui.button
    copy: ui.button
    copy_text: str = ""
    # The value the link was made for, and the link: checking an address costs more than the rest together.
    linked: tuple[str | None, str | None] = (None, None)


class ContactBasicInfo:
    """Who the customer is, at a glance; built once, then updated in place from the store.

    Name, email and phone are edited in place (`InlineField`); the edit dialog stays for the rest. A field
    with no value is not shown at all: its part is built the first time the contact has it.
    """

    def __init__(
        self, view: ContactView, on_edit: Callable[[], Any] | None = None, *, leave_after_delete: bool = True
    ) -> None:
        """`leave_after_delete`: a deletion from the menu goes to the contacts list (not in a portal's frame)."""
        self.view = view
        self.leave_after_delete = leave_after_delete
        self.on_edit = on_edit
        self.failed_thumbnail: str | None = None
        # The phone number last shown, raw and formatted.
        self.phone_shown: tuple[str | None, str] = (None, "")
        self.lines: dict[str, ContactLine] = {}
        self.container = mark_id(ui.column(), "basic-info").classes("w-full gap-2")
        self.parts: dict[str, OnDemand[ui.element]] = {
            "email": OnDemand(None, lambda: self._line("email"), inside=self.container),
            "phone": OnDemand(None, lambda: self._line("phone"), inside=self.container),
        }
        # While the contact is on its way (a page held for its data never shows it): deleted once it is there.
        self.skeleton = OnDemand(None, self._build_skeleton, inside=self.container, drop_when_hidden=True)
        self.built = False

    def _build_skeleton(self) -> ui.row:
        with mark_id(ui.row(), "basic-info-loading").classes("items-center gap-4 w-full") as skeleton:
            ui.skeleton("QAvatar", size="64px")
            with ui.column().classes("grow"):
                ui.skeleton("text").classes("w-1/2")
                ui.skeleton("text").classes("w-3/4")
        return skeleton

    def _build(self) -> None:
        """The header (avatar, name, company, edit), once the contact is known (the skeleton goes)."""
        view = self.view
        with self.container, ui.row().classes("items-center gap-4 w-full no-wrap"):
            with ui.element("div").classes("shrink-0 avatar-box") as avatar_box:
                self.avatar_slot = ui.element("div")
            self.avatar: ui.image | ui.avatar | None = None
            self.initials: ui.label | None = None
            self.avatar_upload = None if view.read_only else AvatarUpload(view, avatar_box)
            with ui.column().classes("gap-0 grow min-w-0") as names:
                heading = ui.element("div").classes("max-w-full min-w-0").props('role="heading" aria-level="2"')
                with heading:
                    name = ui.label().classes("text-h6 inline-block align-top ellipsis max-w-full")
                    mark_id(name, "contact-name").props('dir="auto"')
                self.name = InlineField(
                    view,
                    name,
                    path="name",
                    label_key="CONTACT.NAME",
                    name_key="CONTACT.EDIT_NAME",
                    on_save=self._save,
                    holder=heading,
                )
            self.company = OnDemand(None, self._company, inside=names)
            self.blocked = OnDemand(None, self._blocked_badge, inside=names)
            self.edit = ui.button(icon="edit", on_click=self._edit).props("flat round")
            mark_id(hinted(self.edit, view.t("CONTACT.EDIT")), "edit-contact")
            self.actions = (
                None
                if view.read_only
                else ContactActions(view, dialogs=self.container, leave_after_delete=self.leave_after_delete)
            )
        with self.container:
            self.fact_list = mark_id(FactList(muted=MUTED_TEXT), "contact-facts")
        self.built = True

    def render(self) -> None:
        """Show the contact as the store has it now; cheap when nothing shown here changed."""
        view = self.view
        contact = view.contact
        if contact is None:
            self.skeleton.show(not self.built)
            return  # what was shown last stays
        if not self.built:
            self.skeleton.show(False)
            self._build()
        editable = view.editable
        name = contact.name or ""
        self._show_avatar(name or contact.email or "", contact.thumbnail or "", contact.email or "")
        self.name.show(name or view.t("CONTACT.UNNAMED"), contact.name, editable=editable)
        attributes = contact.additional_attributes
        company = self._text(attributes.get("company_name"))
        # The company and the badge go under the name in this order, however late each is built.
        label = self.company.show(bool(company))
        if label is not None:
            label.set_text(company)
        badge = self.blocked.show(contact.blocked is True)
        if badge is not None and label is not None and badge.parent_slot is label.parent_slot:
            children = label.parent_slot.children if label.parent_slot else []
            if children.index(badge) < children.index(label):
                label.move(target_index=children.index(badge))
        self.edit.set_visibility(editable and self.on_edit is not None)
        self.edit.set_enabled(not view.entry.saving)
        if self.avatar_upload is not None and self.actions is not None:
            self.avatar_upload.render(editable)
            self.actions.render()
        if self.phone_shown[0] != contact.phone_number:  # formatting a number costs more than the rest together
            self.phone_shown = (contact.phone_number, format_phone_international(contact.phone_number))
        self._show_line("email", contact.email, contact.email or "", editable)
        self._show_line("phone", contact.phone_number, self.phone_shown[1], editable)
        facts: list[Fact] = []
        for key, (path, label_key) in FACTS.items():
            value = contact.identifier if path == "identifier" else attributes.get(path.split(".")[-1])
            if text := self._text(value):
                facts.append(Fact(key=key, label=view.t(label_key), text=text, block=key == "description"))
        self.fact_list.show(facts, self._stamps(contact.created_at, contact.last_activity_at))

    @staticmethod
    def _text(value: Any) -> str:
        """A field's value as text; what is not text (a number, a list) shows as written, never as markup."""
        if value is None or isinstance(value, dict | list):
            return ""
        return str(value).strip()

    def _show_part(self, name: str, visible: bool) -> ui.element | None:
        """Show or hide a part below the name; one built now goes to its place in `PARTS`."""
        part = self.parts[name]
        new = visible and part.element is None
        element = part.show(visible)
        if new and element is not None:
            earlier = PARTS[: PARTS.index(name)]
            element.move(target_index=1 + sum(self.parts[p].element is not None for p in earlier))
        return element

    def _edit(self) -> None:
        if self.on_edit is not None:
            self.on_edit()

    def _show_avatar(self, name: str, thumbnail: str, email: str) -> None:
        """The photo, or the initials when there is none (or it failed); only switching between them rebuilds."""
        url = self.view.session.image_source(thumbnail)
        alt = self.view.t("CONTACT.AVATAR_ALT", name=name or self.view.t("CONTACT.UNNAMED"))
        photo = url if url and url != self.failed_thumbnail else None
        if photo is not None:
            if not isinstance(self.avatar, ui.image):
                self._clear_avatar()
                with self.avatar_slot:
                    image = ui.image(photo).classes("rounded-full w-16 h-16").props("no-spinner")
                    image.on("error", lambda: self._avatar_failed(image.source))
                    self.avatar = mark_id(image, "contact-avatar")
            if self.avatar.source != photo:
                self.avatar.set_source(photo)
        else:
            if not isinstance(self.avatar, ui.avatar):
                self._clear_avatar()
                with self.avatar_slot:
                    self.avatar = ui.avatar(color="primary", text_color="white", size="64px").props('role="img"')
                    mark_id(self.avatar, "contact-initials")
                    with self.avatar:
                        self.initials = ui.label().props('aria-hidden="true"')
            if self.initials is not None:
                self.initials.set_text(initials(name, email))
        if self.avatar.props.get("alt" if photo else "aria-label") != alt:
            self.avatar.props["alt" if photo else "aria-label"] = alt
            self.avatar.update()

    def _clear_avatar(self) -> None:
        self.avatar_slot.clear()
        self.avatar = None
        self.initials = None

    def _blocked_badge(self) -> ui.badge:
        return mark_id(ui.badge(self.view.t("CONTACT.BLOCKED"), color="negative"), "blocked-badge")

    def _avatar_failed(self, url: str) -> None:
        self.failed_thumbnail = url
        self.render()

    # --- email and phone ---

    def _line(self, kind: str) -> ui.row:
        view = self.view
        field_kind: Kind = "email" if kind == "email" else "tel"
        path = "email" if kind == "email" else "phone_number"
        upper = "EMAIL" if kind == "email" else "PHONE"
        line_row = icon_before(ui.row(), "mail" if kind == "email" else "phone", size="sm")
        with line_row.classes("items-center gap-2 w-full no-wrap") as row:
            # Left to right, but only as wide as the text, so in Arabic it stays next to its icon.
            value = mark_id(ui.label(), f"contact-{kind}").classes("ellipsis min-w-0").props('dir="ltr"')
            field = InlineField(
                view,
                value,
                path=path,
                label_key=f"CONTACT.{upper}",
                name_key=f"CONTACT.EDIT_{upper}",
                on_save=self._save,
                kind=field_kind,
            )
            link_label = view.t("CONTACT.SEND_EMAIL" if kind == "email" else "CONTACT.CALL")
            link = ui.button(icon="send" if kind == "email" else "call").props('flat round dense size="sm"')
            mark_id(hinted(link.style(PUSHED_TO_END), link_label), f"{kind}-link")
            copy_label = view.t(f"CONTACT.COPY_{upper}")
            copy = ui.button(icon="content_copy").props('flat round dense size="sm"')
            mark_id(hinted(copy, copy_label), f"copy-{kind}")
        line = self.lines[kind] = ContactLine(field=field, link=link, copy=copy)
        copy.on_click(lambda: self._copy(line.copy_text))
        return row

    def _show_line(self, kind: str, stored: str | None, text: str, editable: bool) -> None:
        line = self.lines.get(kind)
        # Kept while the agent edits it, even if someone else cleared it meanwhile.
        self._show_part(kind, bool(text) or (line is not None and line.field.editing))
        line = self.lines.get(kind)
        if line is None:
            return
        line.field.show(text, stored, editable=editable)
        line.copy_text = stored or text
        if line.linked[0] != stored:
            line.linked = (stored, mailto(stored) if kind == "email" else tel(stored))
            href = line.linked[1]
            line.link.set_visibility(href is not None)
            if href is not None:
                line.link.props["href"] = href
                line.link.update()

    def _copy(self, text: str) -> None:
        ui.clipboard.write(text)
        ui.notify(self.view.t("CONTACT.COPIED"), type="positive", timeout=1500)

    # --- saving in place ---

    def _save(self, field: InlineField, value: str | None, seen: Any) -> None:
        """Save like the edit dialog: optimistic, a conflict asked in the conflict dialog, the outcome told."""
        view = self.view

        async def save() -> None:
            outcome = await actions.save_field(
                view.store, view.session.client, view.contact_id, field.path, value, seen=seen
            )
            if outcome.status == "saved":
                ui.notify(view.t("CONTACT.UPDATE_SUCCESS"), type="positive")
            elif outcome.status == "invalid":
                problem = outcome.field_errors.get(field.path) or outcome.message
                field.reopen(value, view.error(problem))
            elif outcome.status == "failed":
                ui.notify(f"{view.t('CONTACT.UPDATE_FAILED')}: {view.error(outcome.message)}", type="negative")
            elif outcome.status == "deleted":
                ui.notify(view.t("CONTACT.DELETED_TITLE"), type="warning")

        # The section's own slot, which lives as long as the page: the input that was typed in is gone.
        with self.container:
            view.run(save)

    # --- what else is known ---

    def _company(self) -> ui.label:
        label = ui.label().classes(f"text-caption ellipsis max-w-full {MUTED_TEXT}")
        return mark_id(label, "contact-company").props('dir="auto"')

    def _stamps(self, created: int | None, active: int | None) -> list[Stamp]:
        """Relative times ("Created 3 months ago"), the exact time on hover."""
        view = self.view
        now = int(time.time())
        return [
            Stamp(
                key=key,
                text=view.t(text_key, time=relative_time(stamp, now=now, locale=view.locale)),
                exact=format_datetime(stamp, view.locale),
            )
            for key, text_key, stamp in (
                ("created", "CONTACT.CREATED_AT", created),
                ("last-activity", "CONTACT.LAST_ACTIVITY", active),
            )
            if stamp
        ]
