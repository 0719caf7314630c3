"""Compile the Tailwind classes the app uses into assets/tailwind.css with Tailwind's CLI: `make css`.

tools/tailwind/input.css says what to scan. Its `nicegui/...` sources are the installed NiceGUI package, which
lives wherever the virtual environment put it: `tools/tailwind/nicegui` is made a link to it first.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nicegui

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
INPUT = HERE / "input.css"
OUTPUT = ROOT / "assets" / "tailwind.css"
CLI = HERE / "node_modules" / ".bin" / "tailwindcss"
NICEGUI_LINK = HERE / "nicegui"
HEADER = "/* Made by `make css` from tools/tailwind/input.css (CONTRIBUTING.md): do not edit. */\n"


def link_nicegui() -> None:
    """Point `tools/tailwind/nicegui` at the installed package (replaced at once, never missing for a moment)."""
    package = Path(nicegui.__file__).resolve().parent
    if NICEGUI_LINK.is_symlink() and NICEGUI_LINK.resolve() == package:
        return
    fresh = NICEGUI_LINK.with_name(f".nicegui-{os.getpid()}")
    fresh.symlink_to(package, target_is_directory=True)
    os.replace(fresh, NICEGUI_LINK)


def compiled_css() -> str:
    """What assets/tailwind.css should hold for the sources as they are now."""
    if not CLI.exists():
        raise SystemExit(f"Tailwind's CLI is missing ({CLI}): npm ci --prefix tools/tailwind, or make css")
    link_nicegui()
    done = subprocess.run(
        [str(CLI), "--input", str(INPUT)], cwd=ROOT, capture_output=True, text=True, encoding="utf-8", check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"Tailwind's CLI failed:\n{done.stderr}")
    return HEADER + done.stdout


def main() -> None:
    OUTPUT.write_text(compiled_css(), encoding="utf-8")
    print(f"{OUTPUT.relative_to(ROOT)}: {OUTPUT.stat().st_size:,} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
