"""The app exactly as `main.py` runs it, plus one benchmark-only page, `/bench/empty`.

The empty page is the baseline of the contact page benchmark: the same process, the
same NiceGUI, nothing of the app on it. Run as a script (`python bench/app_with_empty_page.py`).
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from nicegui import ui

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@ui.page("/bench/empty")
def empty_page() -> None:
    ui.label("empty").props('data-testid="bench-empty"')


if __name__ in {"__main__", "__mp_main__"}:
    runpy.run_path(str(ROOT / "main.py"), run_name="__main__")
