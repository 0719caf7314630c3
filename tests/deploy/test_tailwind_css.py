"""assets/tailwind.css, which every page links, is what Tailwind's CLI makes of the sources as they are now
(`make css`), with the version of the browser build NiceGUI ships. `make test` installs the CLI
(`npm ci --prefix tools/tailwind`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nicegui
from nicegui.client import HEADWIND_CONTENT

from components.stylesheet import TAILWIND_STYLESHEET, tailwind_stylesheet
from tools.tailwind.build import HERE, compiled_css

BROWSER_BUILD = Path(nicegui.__file__).parent / "static" / "tailwindcss.min.js"


def test_the_compiled_tailwind_css_is_current() -> None:
    assert TAILWIND_STYLESHEET.read_text(encoding="utf-8") == compiled_css(), (
        "assets/tailwind.css is stale: run `make css` and commit it"
    )


def test_the_cli_is_the_version_of_nicegui_s_browser_build() -> None:
    found = re.search(r'"(\d+\.\d+\.\d+)"', BROWSER_BUILD.read_text(encoding="utf-8")[:200])
    assert found is not None, f"no version at the start of {BROWSER_BUILD}"
    version = found.group(1)
    pinned = json.loads((HERE / "package.json").read_text(encoding="utf-8"))["dependencies"]
    assert pinned == {"@tailwindcss/cli": version, "tailwindcss": version}
    assert f"tailwindcss v{version} " in TAILWIND_STYLESHEET.read_text(encoding="utf-8")


def test_the_tailwind_stylesheet_keeps_nicegui_s_rules_for_quasar_s_rotations() -> None:
    assert HEADWIND_CONTENT in tailwind_stylesheet()
