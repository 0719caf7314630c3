"""ContactBasicInfo: avatar (or initials), name, email and phone with copy buttons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

from api.validation import format_phone_international, safe_http_url
from components.contact_view import MUTED_TEXT, ContactView, aria, mark_id


def initials(name: str | None, fallback: str = "?") -> str:
    """Up to two capital initials of a name ("Ada Lovelace" -> "AL")."""
    words = [w for w in (name or "").split() if w and w[0].isalnum()]
    letters = "".join(w[0] for w in words[:2]).upper()
    return letters or (fallback[:1].upper() if fallback else "?")


class ContactBasicInfo:
    """Who the customer is, at a glance; re-rendered from the store."""

    def __init__(self, view: ContactView, on_edit: Callable[[], Any] | None = None) -> None:
        self.view = view
        self.on_edit = on_edit
        self.failed_thumbnail: str | None = None
        self.rendered: object = None
        self.container = ui.column().classes("w-full gap-2")
        self.render()

    def render(self) -> None:
        view = self.view
        contact = view.contact
        state = (contact, view.editable, view.entry.saving, self.failed_thumbnail)
        if state == self.rendered:
            return  # the store changed something this section does not show
        self.rendered = state
        self.container.clear()
        with self.container:
            if contact is None:
                with mark_id(ui.row(), "basic-info-loading").classes("items-center gap-4 w-full"):
                    ui.skeleton("QAvatar", size="64px")
                    with ui.column().classes("grow"):
                        ui.skeleton("text").classes("w-1/2")
                        ui.skeleton("text").classes("w-3/4")
                return
            name = contact.name or ""
            with ui.row().classes("items-center gap-4 w-full no-wrap"):
                self._avatar(name or contact.email or "", contact.thumbnail or "", contact.email or "")
                with ui.column().classes("gap-0 grow min-w-0"):
                    title = ui.label(name or view.t("CONTACT.UNNAMED")).classes("text-h6 ellipsis max-w-full")
                    mark_id(title, "contact-name").props('role="heading" aria-level="2" dir="auto"')
                    company = contact.additional_attributes.get("company_name")
                    if isinstance(company, str) and company:
                        company_label = ui.label(company).classes(f"text-caption ellipsis max-w-full {MUTED_TEXT}")
                        mark_id(company_label, "contact-company").props('dir="auto"')
                    if contact.blocked:
                        mark_id(ui.badge(view.t("CONTACT.BLOCKED"), color="negative"), "blocked-badge")
                if view.editable and self.on_edit is not None:
                    edit = ui.button(icon="edit", on_click=self.on_edit).props("flat round")
                    edit.set_enabled(not view.entry.saving)
                    mark_id(aria(edit, view.t("CONTACT.EDIT")), "edit-contact").tooltip(view.t("CONTACT.EDIT"))
            self._detail("mail", contact.email, view.t("CONTACT.NO_EMAIL"), view.t("CONTACT.COPY_EMAIL"), "email")
            self._detail(
                "phone",
                format_phone_international(contact.phone_number),
                view.t("CONTACT.NO_PHONE"),
                view.t("CONTACT.COPY_PHONE"),
                "phone",
                copy_value=contact.phone_number,
            )

    def _avatar(self, name: str, thumbnail: str, email: str) -> None:
        url = safe_http_url(thumbnail) if thumbnail else None
        alt = self.view.t("CONTACT.AVATAR_ALT", name=name or self.view.t("CONTACT.UNNAMED"))
        if url and url != self.failed_thumbnail:
            image = ui.image(url).classes("rounded-full w-16 h-16").props("no-spinner")
            image.props["alt"] = alt
            image.on("error", lambda: self._avatar_failed(url))
            mark_id(image, "contact-avatar")
            return
        avatar = ui.avatar(color="primary", text_color="white", size="64px").props('role="img"')
        with mark_id(aria(avatar, alt), "contact-initials"):
            ui.label(initials(name, email)).props('aria-hidden="true"')

    def _avatar_failed(self, url: str) -> None:
        self.failed_thumbnail = url
        self.render()

    def _detail(
        self, icon: str, value: str | None, empty: str, copy_label: str, kind: str, copy_value: str | None = None
    ) -> None:
        with ui.row().classes("items-center gap-2 w-full no-wrap"):
            ui.icon(icon, size="sm").classes(MUTED_TEXT).props('aria-hidden="true"')
            if value:
                # Left to right, but only as wide as the text, so in Arabic it stays next to its icon.
                mark_id(ui.label(value), f"contact-{kind}").classes("ellipsis min-w-0").props('dir="ltr"')
                ui.space()
                text = copy_value or value
                copy = ui.button(icon="content_copy", on_click=lambda: self._copy(text))
                copy.props('flat round dense size="sm"')
                mark_id(aria(copy, copy_label), f"copy-{kind}").tooltip(copy_label)
            else:
                mark_id(ui.label(empty), f"contact-{kind}-empty").classes(f"{MUTED_TEXT} italic grow")

    def _copy(self, text: str) -> None:
        ui.clipboard.write(text)
        ui.notify(self.view.t("CONTACT.COPIED"), type="positive", timeout=1500)
