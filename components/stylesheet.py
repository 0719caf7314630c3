"""Stylesheets: the app's CSS and the Tailwind classes it uses, each one file every page links, served once and
then cached by the browser.

`ui.add_css` on each page kept the CSS (~8 KiB) in every open page's client for as long as it was open, and
sent it inline with every page. Components name their CSS here when they are imported (`shared_css`);
`install` serves it after `assets/app.css` at an address made of its digest, so a browser keeps it until
the CSS changes, and links it from the head of every page.

Tailwind's classes are compiled at development time (`make css`: assets/tailwind.css) instead of by NiceGUI's
browser build of Tailwind, which scanned every page's DOM, watched its changes and injected its CSS on every
load (main.py runs with `tailwind=False`). Its link comes after the app's, where the browser build put its CSS.
"""

from __future__ import annotations

import hashlib

from fastapi import Response
from nicegui import app
from nicegui.client import HEADWIND_CONTENT, Client

from api.settings import PROJECT_ROOT

BASE_STYLESHEET = PROJECT_ROOT / "assets" / "app.css"
TAILWIND_STYLESHEET = PROJECT_ROOT / "assets" / "tailwind.css"
# NiceGUI's page template adds these rules (Quasar's `rotate-*` classes without Tailwind's `rotate`) only with
# its browser build of Tailwind, in its `overrides` layer.
TAILWIND_OVERRIDES = "@layer overrides {\n" + HEADWIND_CONTENT + "\n}\n"
CACHE_FOREVER = "public, max-age=31536000, immutable"
_component_css: list[str] = []


def shared_css(css: str) -> str:
    """Add a component's CSS to the stylesheet (at import: `install` serves what is known by then)."""
    if css not in _component_css:
        _component_css.append(css)
    return css


def stylesheet() -> str:
    return BASE_STYLESHEET.read_text(encoding="utf-8") + "".join(_component_css)


def tailwind_stylesheet() -> str:
    return TAILWIND_STYLESHEET.read_text(encoding="utf-8") + TAILWIND_OVERRIDES


def install() -> list[str]:
    """Serve the stylesheets and link them from every page; their addresses. Calling it again adds nothing."""
    return [_serve_and_link(stylesheet()), _serve_and_link(tailwind_stylesheet())]


def address(content: str) -> str:
    """Where a stylesheet is served: named by its digest, so that a browser may keep it until it changes."""
    return f"/styles/{hashlib.sha256(content.encode()).hexdigest()[:16]}.css"


def _serve_and_link(content: str) -> str:
    path = address(content)
    if not any(getattr(route, "path", None) == path for route in app.routes):

        def serve() -> Response:
            return Response(content, media_type="text/css", headers={"Cache-Control": CACHE_FOREVER})

        app.add_api_route(path, serve, methods=["GET"], include_in_schema=False)
    link = f'<link rel="stylesheet" href="{path}">'
    if link not in Client.shared_head_html:
        Client.shared_head_html += link + "\n"
    return path
