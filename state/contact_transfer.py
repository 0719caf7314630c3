"""Import and export as the UI follows them: how far each has come, and the export's way to the browser.

An export is downloaded by the browser from the app's own address (pages/contact_export.py), which reads it from
the API as it streams and passes it on. The page that asked for it holds an `ExportTicket`: only the agent session
that made it can redeem it, once, within `TICKET_SECONDS`; what passes through is counted on it for the page's
progress bar.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from api.contact_transfer import ImportProgress
from state.problems import Problem

TICKET_SECONDS = 300.0
TELL_EVERY = 0.25  # seconds between telling a page how many rows an export has sent
EXPORT_DOWNLOAD_PATH = "/contacts/export.csv"
ExportPhase = Literal["waiting", "running", "done", "failed"]


def import_fraction(progress: ImportProgress) -> float:
    """How far an import is, 0 to 1: its rows once the server counts them, until then the file's bytes sent."""
    if progress.total_rows is not None:
        return progress.rows / progress.total_rows if progress.total_rows else 1.0
    return progress.sent / progress.size if progress.size else 0.0


class CsvRecords:
    """Counts the records of a CSV stream as it passes: a line break ends one unless it is inside quotes (a quote
    inside a quoted field is written twice, so the parity of the quotes seen says whether one is open)."""

    def __init__(self) -> None:
        self.lines = 0
        self._quoted = False

    def feed(self, chunk: bytes) -> None:
        if not self._quoted and b'"' not in chunk:
            self.lines += chunk.count(b"\n")
            return
        for part in chunk.split(b'"'):
            if not self._quoted:
                self.lines += part.count(b"\n")
            self._quoted = not self._quoted
        self._quoted = not self._quoted  # n parts are separated by n - 1 quotes


@dataclass(kw_only=True)
class ExportTicket:
    """One export a page asked for: who may fetch it, how far it has come, who to tell."""

    token: str
    owner: Any
    created: float
    phase: ExportPhase = "waiting"
    rows: int = 0
    total: int | None = None
    problem: Problem | None = None
    listeners: list[Callable[[ExportTicket], Any]] = field(default_factory=list)
    told: float = 0.0

    @property
    def fraction(self) -> float:
        if self.phase == "done":
            return 1.0
        return min(1.0, self.rows / self.total) if self.total else 0.0

    def update(self, **changes: Any) -> None:
        """Change the ticket and tell its listeners."""
        for name, value in changes.items():
            setattr(self, name, value)
        self.told = time.monotonic()
        for listener in list(self.listeners):
            listener(self)

    def count(self, rows: int) -> None:
        """The rows sent so far; listeners hear of it at most every TELL_EVERY seconds."""
        self.rows = rows
        if time.monotonic() - self.told >= TELL_EVERY:
            self.update()


_tickets: dict[str, ExportTicket] = {}


def new_ticket(owner: Any) -> ExportTicket:
    """A ticket for an export by `owner` (an agent session), good once within TICKET_SECONDS."""
    now = time.monotonic()
    for token, ticket in list(_tickets.items()):
        if now - ticket.created > TICKET_SECONDS:
            del _tickets[token]
    ticket = ExportTicket(token=secrets.token_urlsafe(24), owner=owner, created=now)
    _tickets[ticket.token] = ticket
    return ticket


def redeem(token: str, owner: Any) -> ExportTicket | None:
    """The ticket, taken (it works once), if `owner` made it and it is not too old; else None."""
    ticket = _tickets.get(token)
    if ticket is None or ticket.owner is not owner or time.monotonic() - ticket.created > TICKET_SECONDS:
        return None
    del _tickets[token]
    return ticket
