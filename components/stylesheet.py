"""Stylesheet: the app's CSS as one file every page links, served once and then cached by the browser.

`ui.add_css` on each page kept the CSS (~8 KiB) in every open page's client for as long as it was open, and
sent it inline with every page. Components name their CSS here when they are imported (`shared_css`);
`install` serves it after `assets/app.css` at an address made of its digest, so a browser keeps it until
the CSS changes, and links it from the head of every page.
"""

from __future__ import annotations

import hashlib

from fastapi import Response
from nicegui import app
from nicegui.client import Client

from api.settings import PROJECT_ROOT

BASE_STYLESHEET = PROJECT_ROOT / "assets" / "app.css"
CACHE_FOREVER = "public, max-age=31536000, immutable"
_component_css: list[str] = []


def shared_css(css: str) -> str:
    """Add a component's CSS to the stylesheet (at import: `install` serves what is known by then)."""
    if css not in _component_css:
        _component_css.append(css)
    return css


def stylesheet() -> str:
    return BASE_STYLESHEET.read_text(encoding="utf-8") + "".join(_component_css)


def install() -> str:
    """Serve the stylesheet and link it from every page; its address. Calling it again adds nothing."""
    content = stylesheet()
    path = f"/styles/{hashlib.sha256(content.encode()).hexdigest()[:16]}.css"
    if not any(getattr(route, "path", None) == path for route in app.routes):

        def serve() -> Response:
            return Response(content, media_type="text/css", headers={"Cache-Control": CACHE_FOREVER})

        app.add_api_route(path, serve, methods=["GET"], include_in_schema=False)
    link = f'<link rel="stylesheet" href="{path}">'
    if link not in Client.shared_head_html:
        Client.shared_head_html += link + "\n"
    return path
