"""Cheaper versions of four hot paths of NiceGUI and its socket.io, each answering exactly as the original.

Building a contact page makes ~60 elements, and each prop, class or style set on one runs NiceGUI's change
machinery: `ObservableCollection._handle_change` -> `events.handle_event` -> `Props._update` ->
`Element.update` -> the outbox; py-spy put a quarter of a contact page's build there.

- `helpers.expects_arguments` of bound methods: NiceGUI asks it of `self._update` for every element's three
  collections (classes, style, props), and it runs `inspect.signature`. The answer depends only on the function
  behind the bound method, so it is kept per function. Only bound methods are cached: their functions are the
  classes' own, a small fixed set, while plain functions and lambdas are often made per element.
- `ObservableCollection._handle_change`: calls each change handler as `events.handle_event` does for an
  `ObservableChangeEventArguments` (no slot to enter: such arguments have no sender element), without
  `handle_event`'s `cast(Callable[[EventT], Any], handler)`, which builds a new typing alias at every call.
- `Element.update` before the page's HTML is built: the update would go to the outbox's `updates`, which
  `Client.build_response` clears (the HTML carries every element as it is then), so it is skipped. Subclasses'
  `update` overrides (derived state, e.g. a select's options) still run: they call this one last.

- socket.io's `Packet.data_is_binary`: every message to every page is walked for bytes before it is encoded,
  recursively, building a list and a `functools.reduce` per dict and list. An edit shown on 100 pages spent ~10 %
  of the app's main thread there (py-spy). Here orjson first tries to serialize the message: it refuses bytes
  and bytearrays wherever they are, so when it succeeds there are none, ~15x sooner than the walk (NiceGUI's
  messages never hold any). When it refuses (bytes, or anything else it cannot write), the walk answers.

And the websocket protocol: NiceGUI runs uvicorn with `ws="wsproto"` (not `auto`, whose default is the
deprecated legacy `websockets` implementation); wsproto frames each message in pure Python, ~14 us per send
against ~5 us for uvicorn's `websockets-sansio` protocol, which NiceGUI's change (zauberzeug/nicegui#5256) named
as the other choice. An edit shown on 100 pages is ~400 sends. `use_sansio_websockets` makes NiceGUI's server
config ask uvicorn for that one.

Pages are gzipped at zlib's default level 6 (`compressed`, for `ui.run`), not Starlette's 9: a contact page's
32 KB of HTML compresses to 8.2 KB in ~0.4 ms at 6 against 8.1 KB in ~1.5 ms at 9.

NiceGUI calls them through attribute look-ups (`helpers.expects_arguments(...)`, `self._handle_change()`,
`element.update()`), which is what is replaced here.
"""

from __future__ import annotations

import time
import types
from collections.abc import Callable
from typing import Any

import orjson
from nicegui import background_tasks, core, helpers, ui_run
from nicegui.element import Element
from nicegui.events import ObservableChangeEventArguments
from nicegui.observables import ObservableCollection
from nicegui.server import CustomServerConfig
from socketio.packet import Packet
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp

_original: Callable[[Callable[..., Any]], bool] = helpers.expects_arguments
_original_update = Element.update
_original_data_is_binary = Packet.data_is_binary
_bound_answers: dict[object, bool] = {}


def expects_arguments(func: Callable[..., Any]) -> bool:
    """NiceGUI's `expects_arguments`, remembered per function for bound methods."""
    if isinstance(func, types.MethodType):
        key = func.__func__
        answer = _bound_answers.get(key)
        if answer is None:
            answer = _bound_answers[key] = _original(func)
        return answer
    return _original(func)


def handle_change(self: ObservableCollection) -> None:
    """`ObservableCollection._handle_change`: every change handler called as `events.handle_event` calls it."""
    self.last_modified = time.time()
    for handler, expect_args in self._change_handlers_with_args:
        try:
            result = handler(ObservableChangeEventArguments(sender=self)) if expect_args else handler()
            if helpers.should_await(result):
                background_tasks.create_or_defer(result, name=str(handler))
        except Exception as error:  # NiceGUI's own handling: reported, not raised
            core.app.handle_exception(error)


def update(self: Element) -> None:
    """`Element.update`, skipped while the page's HTML is still being built (it will carry the element)."""
    client = self._client()
    # Unknown (a client still in its own __init__, or a NiceGUI that renamed the flag): sent, as NiceGUI would.
    if client is not None and not getattr(client, "_response_built", True):
        return
    _original_update(self)


def data_is_binary(data: Any) -> bool:
    """`Packet.data_is_binary`: whether bytes or a bytearray sit anywhere in `data`'s lists and dict values."""
    try:
        # orjson visits all that the walk visits (and more) and refuses bytes anywhere; NiceGUI's updates are
        # keyed by element ids (integers), as its own serializer allows.
        orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:  # orjson.JSONEncodeError included
        return _walk_finds_binary(data)
    return False


def _walk_finds_binary(data: Any) -> bool:
    """socket.io's own walk, as a loop: lists and dict values, down to the first bytes."""
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, bytes | bytearray):
            return True
        if isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.values())
    return False


GZIP_LEVEL = 6


def compressed(app: ASGIApp) -> GZipMiddleware:
    """`ui.run`'s gzip middleware (its `gzip_middleware_factory`): NiceGUI's minimum size, level `GZIP_LEVEL`."""
    return GZipMiddleware(app, minimum_size=500, compresslevel=GZIP_LEVEL)


WEBSOCKET_PROTOCOL = "websockets-sansio"


class SansIOWebsocketsConfig(CustomServerConfig):
    """NiceGUI's server config, with uvicorn's sans-I/O `websockets` protocol whatever `ws` it is given."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "ws": WEBSOCKET_PROTOCOL})


def use_sansio_websockets() -> None:
    """`ui.run` makes its server config from this class (it looks the name up in `nicegui.ui_run`)."""
    ui_run.CustomServerConfig = SansIOWebsocketsConfig  # type: ignore[attr-defined]


def install() -> None:
    """Use the cheaper paths in NiceGUI; calling it again changes nothing."""
    helpers.expects_arguments = expects_arguments
    ObservableCollection._handle_change = handle_change  # type: ignore[method-assign]
    Element.update = update  # type: ignore[method-assign]
    Packet.data_is_binary = staticmethod(data_is_binary)
    use_sansio_websockets()
