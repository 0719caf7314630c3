"""`main.py` with uvicorn's access log on, so a test can count the requests the server answered.

NiceGUI's `ui.run` sets uvicorn's log level to "warning", which hides the access log; this
runs the app unchanged except for that level, so the production code has no test switch.
"""

from __future__ import annotations

import runpy
from typing import Any

from nicegui import ui

run = ui.run


def run_with_access_log(*args: Any, **kwargs: Any) -> None:
    kwargs["uvicorn_logging_level"] = "info"
    run(*args, **kwargs)


ui.run = run_with_access_log  # type: ignore[assignment]
runpy.run_module("main", run_name="__main__")
