"""AvatarUpload: the contact's picture changed from the panel, picked with the button on the avatar or dropped on it.

The file goes from the browser to this app (NiceGUI's upload), which sends it on to the API as Chatwoot's
dashboard does (the multipart `avatar` of an update); the server checks it by its bytes and keeps it shrunk. The
file chooser offers pictures only, and the browser refuses a file over the limit before sending anything; what
it lets through (a file renamed .png) the server refuses, and the agent is told why, in their language.
"""

from __future__ import annotations

from nicegui import events, ui

from api.error_codes import ErrorCode
from api.validation import AVATAR_CONTENT_TYPES, AVATAR_MAX_BYTES
from components.contact_view import ContactView, hinted, mark_id, tell_outcome
from components.on_demand import OnDemand
from components.stylesheet import shared_css
from state import actions
from state.actions import SaveOutcome

AVATAR_CSS = shared_css("""
.avatar-box { position: relative; border-radius: 50%; }
.avatar-box .avatar-change { position: absolute; inset-block-end: -6px; inset-inline-end: -6px; }
.avatar-box.avatar-drop-target { outline: 3px dashed var(--q-primary); outline-offset: 3px; }
.avatar-box .avatar-busy {
  position: absolute; inset: 0; display: flex; align-items: center; justify-content: center;
  border-radius: 50%; background: rgba(0, 0, 0, 0.55);
}
""")
# Why the browser refused a file (Quasar's names) -> what the agent is told.
REFUSALS = {"accept": ErrorCode.AVATAR_NOT_IMAGE, "max-file-size": ErrorCode.AVATAR_TOO_BIG}
REFUSED_JS = "(refused) => emit(refused.map((file) => file.failedPropValidation))"
# A file dragged over the avatar shows where it may go (when the picture may be changed); a drop hands it to the
# uploader, which checks it as one picked in the file chooser.
DRAG_JS = """(event) => {
  if (event.currentTarget.dataset.droppable !== "true") return;
  event.preventDefault();
  event.currentTarget.classList.add("avatar-drop-target");
}"""
LEAVE_JS = """(event) => {
  if (!event.currentTarget.contains(event.relatedTarget)) event.currentTarget.classList.remove("avatar-drop-target");
}"""
DROP_JS = """(event) => {{
  if (event.currentTarget.dataset.droppable !== "true") return;
  event.preventDefault();
  event.currentTarget.classList.remove("avatar-drop-target");
  const files = event.dataTransfer ? event.dataTransfer.files : [];
  if (files.length) runMethod({uploader}, "addFiles", [files]);
}}"""


class AvatarUpload:
    """The button on the avatar that opens the file chooser, the avatar as a place to drop a picture, and the
    progress over it while the picture is sent or removed."""

    def __init__(self, view: ContactView, box: ui.element) -> None:
        self.view = view
        self.box = box
        self.receiving = False  # the browser is sending a file to this app
        self.droppable: bool | None = None
        with box:
            # Hidden by its style, not `visible`: NiceGUI refuses uploads to an invisible upload element.
            uploader = ui.upload(auto_upload=True, max_file_size=AVATAR_MAX_BYTES, on_upload=self._uploaded)
            self.uploader = uploader.on_begin_upload(self._begin).style("display: none")
            self.uploader.props["accept"] = ",".join(AVATAR_CONTENT_TYPES)
            self.uploader.props["no-thumbnails"] = True  # a preview would be a blob: URL, which the app's CSP refuses
            self.uploader.on("rejected", self._rejected, js_handler=REFUSED_JS)
            self.uploader.on("failed", self._failed, args=[])
            button = ui.button(icon="photo_camera").props("round dense size=sm color=primary").classes("avatar-change")
            self.button = mark_id(hinted(button, view.t("CONTACT.CHANGE_AVATAR")), "change-avatar")
            # Opened in the click itself: a browser shows a file chooser only for what the person just did.
            self.button.on("click", js_handler=f'() => runMethod({self.uploader.id}, "pickFiles", [])')
        self.busy = OnDemand(None, self._busy_overlay, inside=box)
        box.on("dragover", js_handler=DRAG_JS).on("dragleave", js_handler=LEAVE_JS)
        box.on("drop", js_handler=DROP_JS.format(uploader=self.uploader.id))

    def _busy_overlay(self) -> ui.element:
        with mark_id(ui.element("div"), "avatar-busy").classes("avatar-busy").props('role="status"') as overlay:
            ui.spinner(color="white", size="32px").props('aria-hidden="true"')
            self.busy_text = ui.label().classes("sr-only")
        return overlay

    def render(self, editable: bool) -> None:
        """Show the controls while the picture may be changed, and the progress while it is."""
        change = self.view.entry.avatar_change
        busy = self.receiving or change is not None
        self.button.set_visibility(editable)
        self.button.set_enabled(not busy)
        self.uploader.set_enabled(editable and not busy)
        if self.droppable != editable:
            self.droppable = editable
            self.box.props["data-droppable"] = "true" if editable else "false"
            self.box.update()
        if self.busy.show(busy) is not None and busy:
            key = "CONTACT.AVATAR_REMOVING" if change == "removing" else "CONTACT.AVATAR_UPLOADING"
            self.busy_text.set_text(self.view.t(key))

    def _begin(self) -> None:
        self.receiving = True
        self.render(self.view.editable)

    def _failed(self) -> None:
        """The browser could not send the file to this app (the connection dropped)."""
        self._received()
        tell_outcome(self.view, SaveOutcome(status="failed", message=ErrorCode.NETWORK), **MESSAGES)

    def _rejected(self, event: events.GenericEventArguments) -> None:
        reasons = event.args if isinstance(event.args, list) else []
        problem = next((REFUSALS[reason] for reason in reasons if reason in REFUSALS), ErrorCode.AVATAR_NOT_IMAGE)
        tell_outcome(self.view, SaveOutcome(status="invalid", message=problem), **MESSAGES)

    async def _uploaded(self, event: events.UploadEventArguments) -> None:
        view = self.view
        file = event.file
        try:
            if file.size() > AVATAR_MAX_BYTES:  # a browser that did not keep the chooser's limit
                outcome = SaveOutcome(status="invalid", message=ErrorCode.AVATAR_TOO_BIG)
            else:
                picture = await file.read()
                content_type = file.content_type or "application/octet-stream"
                outcome = await actions.upload_avatar(
                    view.store, view.session.client, view.contact_id, picture, file.name or "avatar", content_type
                )
        finally:
            self._received()
        tell_outcome(view, outcome, **MESSAGES)

    def _received(self) -> None:
        self.receiving = False
        self.uploader.reset()  # the next picture is a new upload, not one more in the queue
        self.render(self.view.editable)


MESSAGES = {"saved": "CONTACT.AVATAR_UPDATED", "failed": "CONTACT.AVATAR_FAILED"}
