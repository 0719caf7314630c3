"""Light page clients: NiceGUI pages held open over socket.io without a browser, their elements tracked.

A `LightBrowser` is one browser's cookie jar: it signs in the way the sign-in page does and opens pages
(tabs) that share its cookies. A `LightPage` does what NiceGUI's `nicegui.js` does for a tab, minus the
rendering: it takes the client id, the socket.io query and the element tree from the page's HTML,
connects to `/_nicegui_ws/socket.io` over the websocket transport with the implicit handshake, and
applies the `update` messages to its element dict. Callers wait until an element (by `data-testid`)
shows a text; the time is when the update arrived here, before any rendering a browser would add.
"""

from __future__ import annotations

import ast
import asyncio
import json
import re
import time
import uuid
from collections.abc import Callable
from typing import Any, Self
from urllib.parse import urlencode, urlsplit

import aiohttp
import httpx
import socketio

SOCKET_IO_PATH = "/_nicegui_ws/socket.io"
ACK_INTERVAL = 3.0  # seconds, as nicegui.js acknowledges received messages
TESTID = "data-testid"
# The page template's `createApp(parseElements(String.raw`...`), {... query: {...}, ...})`.
ELEMENTS_PATTERN = re.compile(r"parseElements\(String\.raw`(.*?)`\)", re.DOTALL)
QUERY_PATTERN = re.compile(r"^\s*query: (\{.*\}),\s*$", re.MULTILINE)
# nicegui/client.py escapes these in the embedded JSON; nicegui.js `parseElements` undoes them.
UNESCAPED = {"&#36;": "$", "&#96;": "`", "&gt;": ">", "&lt;": "<", "&amp;": "&"}

Element = dict[str, Any]
Condition = Callable[["LightPage"], bool]


class PageClientError(Exception):
    """A light page could not be opened or used."""


class Redirected(PageClientError):
    """The page answered with a redirect instead of a page (e.g. to the sign-in page)."""

    def __init__(self, path: str, location: str) -> None:
        super().__init__(f"{path} redirected to {location}")
        self.location = location


class PageNotServed(PageClientError):
    """The page answered with an HTTP status other than 200."""

    def __init__(self, path: str, status: int) -> None:
        super().__init__(f"{path} answered {status}")
        self.status = status


class HandshakeRefused(PageClientError):
    """The socket.io connection or NiceGUI's handshake was refused."""


class SignInFailed(PageClientError):
    """The sign-in page did not send the browser on to complete a sign-in."""


def parse_page(page_html: str) -> tuple[dict[str, Any], dict[str, Element]]:
    """The socket.io query and the element tree (by element id, as strings) that the page template embeds."""
    elements_match = ELEMENTS_PATTERN.search(page_html)
    query_match = QUERY_PATTERN.search(page_html)
    if elements_match is None or query_match is None:
        raise PageClientError("not a NiceGUI page: no element tree or socket.io query in it")
    raw = elements_match.group(1)
    for escaped, character in UNESCAPED.items():
        raw = raw.replace(escaped, character)
    # The template writes the query as a Python dict (nicegui.js defines True, False and None for it).
    query = ast.literal_eval(query_match.group(1))
    if not isinstance(query, dict) or "client_id" not in query:
        raise PageClientError("the page's socket.io query has no client_id")
    return query, json.loads(raw)


def _normalized(element: Element) -> Element:
    # nicegui.js `replaceUndefinedAttributes`: the server leaves out empty parts.
    element.setdefault("class", [])
    element.setdefault("style", {})
    element.setdefault("props", {})
    element.setdefault("text", None)
    element.setdefault("children", [])
    element.setdefault("events", [])
    return element


class LightPage:
    """One open NiceGUI page (a tab) without a browser: its element tree kept current from the server."""

    def __init__(self, browser: LightBrowser, path: str, page_html: str) -> None:
        self.browser = browser
        self.path = path
        query, elements = parse_page(page_html)
        self.client_id = str(query["client_id"])
        self.next_message_id = int(query.get("next_message_id", 0))
        self._acked_message_id = -1
        self.query = query
        self.elements: dict[str, Element] = {key: _normalized(element) for key, element in elements.items()}
        self._testids: dict[str, str] = {}
        self._index(self.elements)
        self.navigations: list[str] = []  # paths the server sent this tab to (`ui.navigate.to`)
        self.notifications: list[str] = []
        self.connected = False
        self._watches: list[tuple[Condition, asyncio.Future[float]]] = []
        self._acker: asyncio.Task[None] | None = None
        # No reconnecting (a browser reloads instead) and no SIGINT handler of socketio's own.
        self.socket = socketio.AsyncClient(reconnection=False, handle_sigint=False, http_session=browser.socket_session)
        for event, handler in {
            "update": self._on_update,
            "open": self._on_open,
            "notify": self._on_notify,
            "disconnect": self._on_disconnect,
        }.items():
            self.socket.on(event, handler)

    async def connect(self, within: float = 30.0) -> Self:
        """Connect as nicegui.js does: its query plus a new document id and tab id, implicit handshake."""
        query = {
            **self.query,
            "document_id": str(uuid.uuid4()),
            "tab_id": str(uuid.uuid4()),
            "old_tab_id": None,  # a new tab: nothing in its sessionStorage
        }
        url = self.browser.base_url + "/?" + urlencode({key: _query_value(value) for key, value in query.items()})
        headers = {"Origin": self.browser.base_url, "Cookie": self.browser.cookie_header()}
        try:
            await self.socket.connect(
                url,
                headers=headers,
                transports=["websocket"],
                socketio_path=SOCKET_IO_PATH,
                wait_timeout=within,
            )
        except socketio.exceptions.ConnectionError as error:
            raise HandshakeRefused(f"{self.path}: {error}") from error
        self.connected = True
        self._acker = asyncio.create_task(self._acknowledge())
        return self

    async def close(self) -> None:
        """Close the tab: the server keeps the client for its reconnect timeout, then deletes it."""
        if self._acker is not None:
            self._acker.cancel()
        await self.socket.disconnect()
        for _, future in self._watches:
            future.cancel()
        self._watches.clear()
        if self in self.browser.pages:
            self.browser.pages.remove(self)

    def find(self, testid: str) -> Element | None:
        """The element with this `data-testid` (the last one built, if several have it)."""
        element_id = self._testids.get(testid)
        element = self.elements.get(element_id) if element_id is not None else None
        if element is None or element["props"].get(TESTID) != testid:
            return None
        return element

    def text(self, testid: str) -> str | None:
        """The element's own text (a label's), or None if there is no such element."""
        element = self.find(testid)
        return None if element is None else (element["text"] or "")

    def text_content(self, testid: str) -> str:
        """The texts of the element and everything in it, space-separated, like the DOM's textContent."""
        element = self.find(testid)
        if element is None:
            return ""
        texts: list[str] = []
        self._collect_texts(element, texts)
        return " ".join(texts)

    def is_shown(self, testid: str) -> bool:
        """The element exists, and neither it nor a container holding it is hidden (`set_visibility(False)`)."""
        element_id = self._testids.get(testid)
        if element_id is None or self.find(testid) is None:
            return False
        parents = {
            child: parent for parent, element in self.elements.items() for child in map(str, element["children"])
        }
        while element_id is not None:
            if "hidden" in self.elements.get(element_id, {}).get("class", []):
                return False
            element_id = parents.get(element_id)
        return True

    def watch(self, condition: Condition) -> asyncio.Future[float]:
        """A future of the epoch ms at which `condition(page)` first held after an update (now, if it holds)."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        if condition(self):
            future.set_result(time.time() * 1000)
        else:
            self._watches.append((condition, future))
        return future

    def watch_text(self, testid: str, text: str) -> asyncio.Future[float]:
        return self.watch(lambda page: page.text(testid) == text)

    async def wait_for(self, condition: Condition, within: float = 10.0) -> float:
        """Epoch ms at which `condition(page)` held; raises TimeoutError after `within` seconds."""
        future = self.watch(condition)
        try:
            return await asyncio.wait_for(future, within)
        finally:
            self._watches = [(c, f) for c, f in self._watches if f is not future]

    async def wait_for_text(self, testid: str, text: str, within: float = 10.0) -> float:
        return await self.wait_for(lambda page: page.text(testid) == text, within)

    async def fill(self, testid: str, value: str) -> None:
        """Type a value into an input: its value event (`update:value` for `ui.input`), the value sent back."""
        await self._emit_event(testid, "update:", [json.dumps(value)])

    async def click(self, testid: str) -> None:
        await self._emit_event(testid, "click", [])

    async def _emit_event(self, testid: str, event_type: str, args: list[str]) -> None:
        """Send the element's first listener of this type (or type prefix ending in ":") what nicegui.js sends."""
        element = self.find(testid)
        if element is None:
            raise PageClientError(f"{self.path}: no element with {TESTID}={testid}")
        for listener in element["events"]:
            kind = str(listener["type"])
            if kind == event_type or (event_type.endswith(":") and kind.startswith(event_type)):
                message = {"id": int(self._testids[testid]), "client_id": self.client_id, "args": args}
                await self.socket.emit("event", {**message, "listener_id": listener["listener_id"]})
                return
        raise PageClientError(f"{self.path}: {testid} has no {event_type} listener")

    def _fresh(self, message: dict[str, Any]) -> bool:
        # Every message carries `_id`; one seen already (a replay after a reconnect) is dropped, as nicegui.js does.
        message_id = message.pop("_id", None)
        if message_id is None:
            return True
        if message_id < self.next_message_id:
            return False
        self.next_message_id = message_id + 1
        return True

    async def _on_update(self, message: dict[str, Any]) -> None:
        if not self._fresh(message):
            return
        for element_id, element in message.items():
            if element is None:
                self.elements.pop(element_id, None)
                continue
            old = self.elements.get(element_id)
            for prop in element.pop("preserved_props", None) or []:
                if old is not None and prop in old["props"]:
                    element.setdefault("props", {})[prop] = old["props"][prop]
            self.elements[element_id] = _normalized(element)
        self._index(message)
        self._check_watches()

    async def _on_open(self, message: dict[str, Any]) -> None:
        if self._fresh(message):
            self.navigations.append(str(message["path"]))
            self._check_watches()

    async def _on_notify(self, message: dict[str, Any]) -> None:
        if self._fresh(message):
            self.notifications.append(str(message.get("message", "")))

    async def _on_disconnect(self, *_: Any) -> None:
        self.connected = False

    async def _acknowledge(self) -> None:
        # The server keeps sent messages until acknowledged, to replay them after a reconnect.
        while True:
            await asyncio.sleep(ACK_INTERVAL)
            if self.connected and self._acked_message_id < self.next_message_id:
                await self.socket.emit("ack", {"client_id": self.client_id, "next_message_id": self.next_message_id})
                self._acked_message_id = self.next_message_id

    def _index(self, elements: dict[str, Any]) -> None:
        for element_id, element in elements.items():
            if element is not None and (testid := element.get("props", {}).get(TESTID)) is not None:
                self._testids[str(testid)] = element_id

    def _check_watches(self) -> None:
        if not self._watches:
            return
        moment = time.time() * 1000
        waiting = []
        for condition, future in self._watches:
            if future.done():
                continue
            if condition(self):
                future.set_result(moment)
            else:
                waiting.append((condition, future))
        self._watches = waiting

    def _collect_texts(self, element: Element, texts: list[str]) -> None:
        if element["text"]:
            texts.append(str(element["text"]))
        for child in element["children"]:
            if (inner := self.elements.get(str(child))) is not None:
                self._collect_texts(inner, texts)


def _query_value(value: Any) -> str:
    # socket.io-client writes query values with String(): true, false, null.
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


class LightBrowser:
    """One browser's cookies without a browser; its pages share them, like tabs of one browser profile."""

    def __init__(self, base_url: str, *, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout)
        self._timeout = timeout
        self._socket_session: aiohttp.ClientSession | None = None
        self.pages: list[LightPage] = []

    @property
    def socket_session(self) -> aiohttp.ClientSession:
        """One aiohttp session for every page's websocket, without aiohttp's 100-connection limit."""
        if self._socket_session is None:
            self._socket_session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        return self._socket_session

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.http.cookies.items())

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def open(self, path: str, *, within: float = 30.0) -> LightPage:
        """GET the page with this browser's cookies and connect to it; raises if the server does not serve it."""
        answer = await self.http.get(path, headers={"Accept": "text/html"})
        if answer.is_redirect:
            raise Redirected(path, answer.headers.get("location", ""))
        if answer.status_code != 200:
            raise PageNotServed(path, answer.status_code)
        page = LightPage(self, path, answer.text)
        await page.connect(within)
        self.pages.append(page)
        return page

    async def sign_in(self, credentials: tuple[str, str] | None = None, *, within: float = 30.0) -> Self:
        """Sign in through the sign-in page (demo mode prefills the admin): type, click, then follow the
        ticket the page sends the browser to (`/login/complete?ticket=...`), which replaces the session cookie."""
        page = await self.open("/login", within=within)
        try:
            if credentials is not None:
                await page.fill("login-email", credentials[0])
                await page.fill("login-password", credentials[1])
            await page.click("login-submit")
            try:
                await page.wait_for(
                    lambda p: bool(p.navigations) or bool(p.text("login-error")),
                    within,
                )
            except TimeoutError as error:
                raise SignInFailed("the sign-in page neither went on nor said why") from error
            if not page.navigations:
                raise SignInFailed(page.text("login-error") or "refused")
            target = page.navigations[-1]
        finally:
            await page.close()
        answer = await self.http.get(target, follow_redirects=False)
        location = answer.headers.get("location", "")
        if not answer.is_redirect or urlsplit(location).path == "/login":
            raise SignInFailed(f"{target} did not take the sign-in ({answer.status_code} {location})")
        return self

    async def close(self) -> None:
        await asyncio.gather(*(page.close() for page in list(self.pages)), return_exceptions=True)
        await self.http.aclose()
        if self._socket_session is not None:
            await self._socket_session.close()
