"""DocumentSettings: the language and direction of the page's `<html>`, and its light or dark theme, as one element.

These were two elements on every page (`ui.query("html")` and `ui.dark_mode`), each with a component module for
the browser to load; the page sets them once, when it is built (a change of language or theme reloads it).
"""

from __future__ import annotations

from typing import Any

from nicegui import ui


class DocumentSettings(ui.element, component="document_settings.js"):
    def __init__(self, *, lang: str, rtl: bool, dark: bool) -> None:
        super().__init__()
        self._props.update(lang=lang, dir="rtl" if rtl else "ltr", dark=dark)

    @property
    def document(self) -> dict[str, Any]:
        """What the page sets on `<html>`: its `lang` and `dir`."""
        return {"lang": self._props["lang"], "dir": self._props["dir"]}

    @property
    def dark(self) -> bool:
        dark: bool = self._props["dark"]
        return dark
