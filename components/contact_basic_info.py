"""ContactBasicInfo: avatar (or initials), name, email and phone with copy buttons."""

from __future__ import annotations

from nicegui import ui

from api.validation import format_phone_international, safe_http_url
from components.contact_view import ContactView, aria


def initials(name: str | None, fallback: str = "?") -> str:
    """Up to two capital initials of a name ("Ada Lovelace" -> "AL")."""
    words = [w for w in (name or "").split() if w and w[0].isalnum()]
    letters = "".join(w[0] for w in words[:2]).upper()
    return letters or (fallback[:1].upper() if fallback else "?")


class ContactBasicInfo:
    """Who the customer is, at a glance; re-rendered from the store."""

    def __init__(self, view: ContactView, on_edit: object = None) -> None:
        self.view = view
        self.on_edit = on_edit
        self.avatar_failed = False
        self.container = ui.column().classes("w-full gap-2").props('aria-live="polite"')
        self.render()

    def render(self) -> None:
        view = self.view
        contact = view.contact
        self.container.clear()
        with self.container:
            if contact is None:
                with ui.row().classes("items-center gap-4 w-full"):
                    ui.skeleton("QAvatar", size="64px")
                    with ui.column().classes("grow"):
                        ui.skeleton("text").classes("w-1/2")
                        ui.skeleton("text").classes("w-3/4")
                return
            name = contact.name or contact.email or contact.phone_number or ""
            with ui.row().classes("items-center gap-4 w-full no-wrap"):
                self._avatar(name, contact.thumbnail or "", contact.email or "")
                with ui.column().classes("gap-0 grow min-w-0"):
                    ui.label(name or view.t("CONTACT.TITLE")).classes("text-h6 ellipsis").props(
                        'data-testid="contact-name"'
                    )
                    company = contact.additional_attributes.get("company_name")
                    if isinstance(company, str) and company:
                        ui.label(company).classes("text-caption text-grey-7")
                    if contact.blocked:
                        ui.badge(view.t("CONTACT.BLOCKED"), color="negative").props('data-testid="blocked-badge"')
                if view.editable and callable(self.on_edit):
                    edit = ui.button(icon="edit", on_click=self.on_edit).props('flat round data-testid="edit-contact"')
                    aria(edit, view.t("CONTACT.EDIT")).tooltip(view.t("CONTACT.EDIT"))
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
        alt = self.view.t("CONTACT.AVATAR_ALT", name=name)
        if url and not self.avatar_failed:
            image = ui.image(url).classes("rounded-full w-16 h-16").props('no-spinner data-testid="contact-avatar"')
            image.props["alt"] = alt
            image.on("error", self._avatar_failed)
            return
        avatar = ui.avatar(color="primary", text_color="white", size="64px").props(
            'role="img" data-testid="contact-initials"'
        )
        with aria(avatar, alt):
            ui.label(initials(name, email))

    def _avatar_failed(self) -> None:
        self.avatar_failed = True
        self.render()

    def _detail(
        self, icon: str, value: str | None, empty: str, copy_label: str, kind: str, copy_value: str | None = None
    ) -> None:
        with ui.row().classes("items-center gap-2 w-full no-wrap"):
            ui.icon(icon, size="sm").classes("text-grey-7").props('aria-hidden="true"')
            if value:
                ui.label(value).classes("ellipsis grow").props(f'data-testid="contact-{kind}" dir="ltr"')
                text = copy_value or value
                copy = ui.button(icon="content_copy", on_click=lambda: self._copy(text)).props('flat round dense size="sm"')
                aria(copy, copy_label).tooltip(copy_label)
            else:
                ui.label(empty).classes("text-grey-6 italic grow").props(f'data-testid="contact-{kind}-empty"')

    def _copy(self, text: str) -> None:
        ui.clipboard.write(text)
        ui.notify(self.view.t("CONTACT.COPIED"), type="positive", timeout=1500)

