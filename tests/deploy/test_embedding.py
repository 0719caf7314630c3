"""Embedding in a portal: the CSP frame-ancestors header, and cookies a cross-origin iframe keeps."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.support.processes import RunningServer


def test_cross_origin_embedding_sends_the_policy_and_a_cookie_for_iframes(tmp_path: Path) -> None:
    embedding = {"FRAME_ANCESTORS": "https://portal.example.com", "CROSS_ORIGIN_EMBEDDING": "true"}
    with RunningServer.in_directory(tmp_path, module="main", **embedding).running() as app:
        answer = httpx.get(f"{app.url}/embed/contacts/1")
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
        directives = [directive.strip() for directive in answer.headers["content-security-policy"].split(";")]
        assert [d for d in directives if d.startswith("frame-ancestors ")] == [
            "frame-ancestors https://portal.example.com"
        ]
        cookie = answer.headers["set-cookie"].lower()
        assert "samesite=none" in cookie and "secure" in cookie
