"""ContactBasicInfo: avatar (or initials), name, email and phone with copy buttons."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nicegui import ui

from api.validation import format_phone_international, safe_http_url
from components.contact_view import MUTED_TEXT, PUSHED_TO_END, ContactView, aria, mark_id
from components.on_demand import OnDemand


def initials(name: str | None, fallback: str = "?") -> str:
    """Up to two capital initials of a name ("Ada Lovelace" -> "AL")."""
    words = [w for w in (name or "").split() if w and w[0].isalnum()]
    letters = "".join(w[0] for w in words[:2]).upper()
    return letters or (fallback[:1].upper() if fallback else "?")


@dataclass(kw_only=True, slots=True)
class DetailRow:
    """One email or phone line: the value with its copy button, or a muted "none" when empty."""

    value: ui.label
    copy: ui.button
    empty: OnDemand[ui.label]
    copy_text: str = ""


class ContactBasicInfo:
    """Who the customer is, at a glance; built once, then updated in place from the store."""

    def __init__(self, view: ContactView, on_edit: Callable[[], Any] | None = None) -> None:
        self.view = view
        self.on_edit = on_edit
        self.failed_thumbnail: str | None = None
        # The phone number last shown, raw and formatted.
        self.phone_shown: tuple[str | None, str] = (None, "")
        self.container = mark_id(ui.column(), "basic-info").classes("w-full gap-2")
        with self.container:
            self.skeleton: ui.row | None = mark_id(ui.row(), "basic-info-loading").classes("items-center gap-4 w-full")
            with self.skeleton:
                ui.skeleton("QAvatar", size="64px")
                with ui.column().classes("grow"):
                    ui.skeleton("text").classes("w-1/2")
                    ui.skeleton("text").classes("w-3/4")
        self.built = False
        self.render()

    def _build(self) -> None:
        """The real rows, once the contact is known (the skeleton goes)."""
        view = self.view
        if self.skeleton is not None:
            self.skeleton.delete()
            self.skeleton = None
        with self.container:
            with ui.row().classes("items-center gap-4 w-full no-wrap"):
                self.avatar_slot = ui.element("div").classes("shrink-0")
                self.avatar: ui.image | ui.avatar | None = None
                self.initials: ui.label | None = None
                with ui.column().classes("gap-0 grow min-w-0") as names:
                    self.name = mark_id(ui.label().classes("text-h6 ellipsis max-w-full"), "contact-name")
                    self.name.props('role="heading" aria-level="2" dir="auto"')
                    self.company = ui.label().classes(f"text-caption ellipsis max-w-full {MUTED_TEXT}")
                    mark_id(self.company, "contact-company").props('dir="auto"')
                self.blocked = OnDemand(None, self._blocked_badge, inside=names)
                self.edit = ui.button(icon="edit", on_click=self._edit).props("flat round")
                mark_id(aria(self.edit, view.t("CONTACT.EDIT")), "edit-contact").tooltip(view.t("CONTACT.EDIT"))
            self.email = self._detail("mail", view.t("CONTACT.NO_EMAIL"), view.t("CONTACT.COPY_EMAIL"), "email")
            self.phone = self._detail("phone", view.t("CONTACT.NO_PHONE"), view.t("CONTACT.COPY_PHONE"), "phone")
        self.built = True

    def render(self) -> None:
        """Show the contact as the store has it now; cheap when nothing shown here changed."""
        view = self.view
        contact = view.contact
        if contact is None:
            return  # the skeleton (or what was shown last) stays
        if not self.built:
            self._build()
        name = contact.name or ""
        self._show_avatar(name or contact.email or "", contact.thumbnail or "", contact.email or "")
        self.name.set_text(name or view.t("CONTACT.UNNAMED"))
        company = contact.additional_attributes.get("company_name")
        has_company = isinstance(company, str) and bool(company)
        self.company.set_text(company if isinstance(company, str) and has_company else "")
        self.company.set_visibility(has_company)
        self.blocked.show(contact.blocked is True)
        self.edit.set_visibility(view.editable and self.on_edit is not None)
        self.edit.set_enabled(not view.entry.saving)
        self._show_detail(self.email, contact.email, contact.email)
        if self.phone_shown[0] != contact.phone_number:  # formatting a number costs more than the rest together
            self.phone_shown = (contact.phone_number, format_phone_international(contact.phone_number))
        self._show_detail(self.phone, self.phone_shown[1], contact.phone_number)

    def _edit(self) -> None:
        if self.on_edit is not None:
            self.on_edit()

    def _show_avatar(self, name: str, thumbnail: str, email: str) -> None:
        """The photo, or the initials when there is none (or it failed); only switching between them rebuilds."""
        url = safe_http_url(thumbnail) if thumbnail else None
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

    def _detail(self, icon: str, empty: str, copy_label: str, kind: str) -> DetailRow:
        with ui.row().classes("items-center gap-2 w-full no-wrap") as line:
            ui.icon(icon, size="sm").classes(MUTED_TEXT).props('aria-hidden="true"')
            # Left to right, but only as wide as the text, so in Arabic it stays next to its icon.
            value = mark_id(ui.label(), f"contact-{kind}").classes("ellipsis min-w-0").props('dir="ltr"')
            copy = ui.button(icon="content_copy").props('flat round dense size="sm"').style(PUSHED_TO_END)
            mark_id(aria(copy, copy_label), f"copy-{kind}").tooltip(copy_label)

        def empty_label() -> ui.label:
            return mark_id(ui.label(empty), f"contact-{kind}-empty").classes(f"{MUTED_TEXT} italic grow")

        row = DetailRow(value=value, copy=copy, empty=OnDemand(None, empty_label, inside=line))
        copy.on_click(lambda: self._copy(row.copy_text))
        return row

    def _show_detail(self, row: DetailRow, text: str | None, copy_text: str | None) -> None:
        row.value.set_text(text or "")
        row.copy_text = copy_text or text or ""
        row.value.set_visibility(bool(text))
        row.copy.set_visibility(bool(text))
        row.empty.show(not text)

    def _copy(self, text: str) -> None:
        ui.clipboard.write(text)
        ui.notify(self.view.t("CONTACT.COPIED"), type="positive", timeout=1500)
