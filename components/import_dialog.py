"""ImportDialog: import contacts from a CSV file, with a real progress bar and the rows that were not imported.

The browser's upload to the app is Quasar's uploader, which shows its own progress. Then the bar follows the file
to the API (bytes sent) and the server's work (rows read, from its progress lines). At the end: how many contacts
were added, and each rejected row with its line and why (a link to the contact that already has a value).
Chatwoot answers before it reads the file and mails the administrators when done: then the dialog says so.
"""

from __future__ import annotations

import html
import json
from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import context, events, ui

from api.contact_transfer import ImportBrokeOff, ImportProgress, ImportRefused, ImportReport, import_contacts
from api.error_codes import ErrorCode
from api.errors import ApiError
from api.settings import get_settings
from components.contact_view import FIELD_KEYS, MUTED_TEXT, aria, mark_id
from state.contact_transfer import import_fraction
from state.i18n import format_number, format_percent, t
from state.problems import describe, problem_of
from state.session import AgentSession

CHUNK_BYTES = 64 * 1024
# Quasar's uploader drew icon-only buttons without names and a file input without a label, one inside another:
# its header and file list are drawn here instead, a named button that opens the file chooser (the input it
# clicks is hidden) and each file's progress as a named bar. File names render as text ({{ }}).
UPLOAD_HEADER = r"""<div class="q-uploader__header-content row items-center no-wrap q-pa-sm q-gutter-sm">
  <q-btn unelevated no-caps color="primary" icon="upload_file" label="{choose}" data-testid="import-choose"
    :disable="!props.canAddFiles" @click="props.pickFiles" />
  <div v-if="props.files.length" class="col q-uploader__subtitle ellipsis">
    {{{{ props.uploadSizeLabel }}}} / {{{{ props.uploadProgressLabel }}}}</div>
  <input class="q-uploader__input" type="file" hidden tabindex="-1" aria-hidden="true" accept=".csv,text/csv"
    @change="props.addFiles($event.target.files)">
</div>"""
UPLOAD_LIST = r"""<div v-for="file in props.files" :key="file.__key" class="q-pa-sm column gap-1">
  <div class="row no-wrap items-center q-gutter-sm">
    <span class="col ellipsis text-body2">{{{{ file.name }}}}</span>
    <span class="text-caption">{{{{ file.__sizeLabel }}}} / {{{{ file.__progressLabel }}}}</span>
  </div>
  <q-linear-progress :value="file.__progress" rounded size="6px" aria-label="{sending}" />
</div>"""
# Rejected rows as the report lists them; the contact link is a plain anchor drawn from data (text, never HTML).
REASON_SLOT = r"""<q-td :props="props"><span>{{ props.value }}</span>
  <a v-if="props.row.contact_id" :href="'/contacts/' + props.row.contact_id + '?source=contacts_list'"
    class="text-primary q-ml-sm" :data-testid="'report-contact-' + props.row.contact_id">{{ props.row.open }}</a>
</q-td>"""


class ImportDialog:
    """The dialog, built the first time it opens; `await on_finished()` after an import wrote anything."""

    def __init__(self, session: AgentSession, locale: str, on_finished: Callable[[], Awaitable[Any]]) -> None:
        self.session = session
        self.locale = locale
        self.on_finished = on_finished
        self.host = context.slot.parent
        self.dialog: ui.dialog | None = None
        self.upload: ui.upload | None = None
        self.bar: ui.linear_progress | None = None
        self.status: ui.label | None = None
        self.table: ui.table | None = None
        self.running = False

    def t(self, key: str, **values: Any) -> str:
        return t(key, locale=self.locale, **values)

    def open(self) -> None:
        if self.dialog is None:
            self._build()
        assert self.dialog is not None
        self.dialog.open()

    def _build(self) -> None:
        with self.host:
            self.dialog = aria(ui.dialog(), self.t("IMPORT.TITLE"))
        with self.dialog, mark_id(ui.card(), "import-dialog").classes("w-full max-w-2xl"):
            ui.label(self.t("IMPORT.TITLE")).classes("text-h6").props('role="heading" aria-level="2"')
            ui.label(self.t("IMPORT.HELP")).classes(f"text-body2 {MUTED_TEXT}")
            limit = get_settings().max_import_bytes
            self.upload = ui.upload(
                auto_upload=True, max_files=1, max_file_size=limit, on_upload=self._uploaded, on_rejected=self._rejected
            )
            self.upload.props('accept=".csv,text/csv" flat bordered').classes("w-full")
            choose, sending = (html.escape(self.t(key), quote=True) for key in ("IMPORT.CHOOSE", "IMPORT.UPLOADING"))
            self.upload.add_slot("header", UPLOAD_HEADER.format(choose=choose))
            self.upload.add_slot("list", UPLOAD_LIST.format(sending=sending))
            mark_id(self.upload, "import-upload")
            # The page's Ajax bar (Quasar's LoadingBar plugin) runs while the browser uploads: it needs a name too.
            label = json.dumps(self.t("IMPORT.UPLOADING"))
            ui.run_javascript(f"Quasar.LoadingBar.setDefaults({{'aria-label': {label}}})")
            self.status = mark_id(ui.label("").props('aria-live="polite"'), "import-status")
            self.bar = ui.linear_progress(value=0, show_value=False).props("rounded size=10px")
            mark_id(aria(self.bar, self.t("IMPORT.PROGRESS")), "import-progress")
            self.bar.visible = False
            columns = [
                {"name": "line", "label": self.t("IMPORT.LINE"), "field": "line", "align": "left"},
                {"name": "field", "label": self.t("IMPORT.FIELD"), "field": "field", "align": "left"},
                {
                    "name": "reason",
                    "label": self.t("IMPORT.REASON"),
                    "field": "reason",
                    "align": "left",
                    "classes": "whitespace-normal",
                },
            ]
            self.table = ui.table(columns=columns, rows=[], row_key="key").classes("w-full")
            self.table.props('flat dense bordered :rows-per-page-options="[10, 50, 0]"')
            self.table.add_slot("body-cell-reason", REASON_SLOT)
            mark_id(aria(self.table, self.t("IMPORT.REJECTED_ROWS")), "import-report")
            self.table.visible = False
            with ui.row().classes("w-full justify-end"):
                close = ui.button(self.t("IMPORT.CLOSE"), on_click=lambda: self.dialog and self.dialog.close())
                mark_id(close.props("flat"), "import-close")

    def _say(self, text: str, fraction: float | None = None) -> None:
        assert self.status is not None and self.bar is not None
        self.status.text = text
        self.bar.visible = fraction is not None
        if fraction is not None:
            self.bar.value = fraction
            self.bar.props["aria-valuetext"] = format_percent(round(fraction * 100), self.locale)

    def _rejected(self) -> None:
        self._say(self.t("IMPORT.TOO_BIG", limit=format_number(get_settings().max_import_bytes // 2**20, self.locale)))

    def _progress(self, progress: ImportProgress) -> None:
        fraction = import_fraction(progress)
        if progress.total_rows is None:
            self._say(self.t("IMPORT.SENDING", percent=format_percent(round(fraction * 100), self.locale)), fraction)
        else:
            rows, total = format_number(progress.rows, self.locale), format_number(progress.total_rows, self.locale)
            self._say(self.t("IMPORT.ROWS", count=progress.total_rows, rows=rows, total=total), fraction)

    async def _uploaded(self, event: events.UploadEventArguments) -> None:
        if self.running:
            return
        self.running = True
        assert self.table is not None and self.upload is not None
        self.table.visible = False
        file = event.file
        self._progress(ImportProgress(size=file.size()))
        try:
            report = await import_contacts(
                self.session.client, file.iterate(chunk_size=CHUNK_BYTES), file.size(), self._progress
            )
        except ImportRefused as refused:
            self._say(self._refusal(refused))
        except ImportBrokeOff as broke_off:
            await self._finished(broke_off.report, broke_off=True)
        except ApiError as error:
            self._say(self.t("IMPORT.FAILED", reason=describe(problem_of(error), self.locale)))
        else:
            await self._finished(report, broke_off=False)
        finally:
            self.running = False
            self.upload.reset()

    def _refusal(self, refused: ImportRefused) -> str:
        reason = describe(refused.code, self.locale) if refused.code else refused.message
        if refused.code is ErrorCode.FILE_TOO_BIG:
            limit = format_number(get_settings().max_import_bytes // 2**20, self.locale)
            reason = self.t("IMPORT.TOO_BIG", limit=limit)
        if refused.line is not None:
            reason = self.t("IMPORT.AT_LINE", reason=reason, line=format_number(refused.line, self.locale))
        return self.t("IMPORT.REFUSED", reason=reason)

    async def _finished(self, report: ImportReport | None, *, broke_off: bool) -> None:
        if report is None:
            self._say(self.t("IMPORT.BROKE_OFF_UNKNOWN" if broke_off else "IMPORT.QUEUED"))
            await self.on_finished()
            return
        summary = self.t(
            "IMPORT.DONE",
            count=report.imported,
            imported=format_number(report.imported, self.locale),
            rejected=format_number(report.rejected, self.locale),
        )
        if broke_off:
            summary = self.t("IMPORT.BROKE_OFF", summary=summary)
        elif report.rejected_rows_truncated:
            listed = format_number(len(report.rejected_rows), self.locale)
            summary = self.t("IMPORT.LISTED", summary=summary, listed=listed)
        self._say(summary, 1.0 if not broke_off else None)
        self._show_report(report)
        if report.imported:
            await self.on_finished()

    def _show_report(self, report: ImportReport) -> None:
        assert self.table is not None
        rows = []
        for rejected in report.rejected_rows:
            for index, error in enumerate(rejected.errors):
                rows.append(
                    {
                        "key": f"{rejected.line}-{index}",
                        "line": format_number(rejected.line, self.locale),
                        "field": self._field(error.field),
                        "reason": self._reason(error.code, error.message, error.line),
                        "contact_id": error.contact_id,
                        "open": self.t("NEW_CONTACT.OPEN_EXISTING"),
                    }
                )
        self.table.rows = rows
        self.table.visible = bool(rows)

    def _field(self, path: str) -> str:
        if path in FIELD_KEYS:
            return self.t(FIELD_KEYS[path])
        return path.split(".")[-1].replace("_", " ") if path else ""

    def _reason(self, code: str, message: str, line: int | None) -> str:
        try:
            known = ErrorCode(code)
        except ValueError:
            return message
        if known is ErrorCode.DUPLICATE_IN_FILE and line is not None:
            return self.t("IMPORT.DUPLICATE_AT", line=format_number(line, self.locale))
        return describe(known, self.locale)
