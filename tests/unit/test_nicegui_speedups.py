"""The cached `expects_arguments` answers exactly as NiceGUI's own, and NiceGUI uses it once installed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nicegui import core, helpers, ui_run
from nicegui.element import Element
from nicegui.helpers.functions import expects_arguments as nicegui_expects_arguments
from nicegui.observables import ObservableCollection, ObservableDict
from socketio import packet
from socketio.packet import Packet
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from pages import nicegui_speedups


class Handlers:
    def none(self) -> None: ...

    def one(self, value: Any) -> None: ...

    def defaulted(self, value: Any = None) -> None: ...

    def variadic(self, *args: Any, **kwargs: Any) -> None: ...


def plain(value: Any) -> None: ...


def test_answers_like_nicegui_for_bound_methods_and_functions() -> None:
    first, second = Handlers(), Handlers()
    callables: list[Callable[..., Any]] = [
        first.none,
        first.one,
        first.defaulted,
        first.variadic,
        second.none,  # the same functions bound to another object: answered from the cache
        second.one,
        plain,
        lambda: None,
        lambda event: None,
    ]
    for func in callables:
        assert nicegui_speedups.expects_arguments(func) == nicegui_expects_arguments(func), func
    assert [nicegui_speedups.expects_arguments(f) for f in (second.none, second.one)] == [False, True]


def test_only_bound_methods_are_remembered() -> None:
    nicegui_speedups.expects_arguments(lambda event: None)
    nicegui_speedups.expects_arguments(Handlers().one)
    assert Handlers.one in nicegui_speedups._bound_answers
    assert not any(getattr(key, "__name__", "") == "<lambda>" for key in nicegui_speedups._bound_answers)


def test_install_replaces_the_function_nicegui_calls() -> None:
    nicegui_speedups.install()
    assert helpers.expects_arguments is nicegui_speedups.expects_arguments


def test_change_handlers_are_called_as_nicegui_calls_them(monkeypatch: pytest.MonkeyPatch) -> None:
    nicegui_speedups.install()
    calls: list[Any] = []
    reported: list[Exception] = []
    monkeypatch.setattr(core.app, "handle_exception", reported.append)

    def failing() -> None:
        raise ValueError("handler broke")

    data = ObservableDict({}, on_change=lambda event: calls.append(event.sender))
    data.on_change(lambda: calls.append("no arguments"))
    data.on_change(failing)
    data["key"] = "value"
    assert calls == [data, "no arguments"]
    assert [str(error) for error in reported] == ["handler broke"]
    # A nested collection tells its parent's handlers too, as in NiceGUI.
    data["nested"] = {"a": 1}
    calls.clear()
    data["nested"]["a"] = 2
    assert calls == [data["nested"], "no arguments"]


def test_install_replaces_the_change_and_update_paths() -> None:
    nicegui_speedups.install()
    assert ObservableCollection._handle_change is nicegui_speedups.handle_change
    assert Element.update is nicegui_speedups.update


# Messages as NiceGUI sends them (JSON values), with bytes, bytearrays and tuples mixed in anywhere.
LEAVES = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)
MESSAGES = st.recursive(
    LEAVES | st.binary(max_size=3) | st.binary(max_size=3).map(bytearray),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=3), children, max_size=4)
        | st.tuples(children, children)
    ),
    max_leaves=30,
)


@given(MESSAGES)
def test_binary_data_is_found_as_socketio_finds_it(message: Any) -> None:
    assert nicegui_speedups.data_is_binary(message) == nicegui_speedups._original_data_is_binary(message)


def test_what_orjson_cannot_write_is_walked_as_socketio_walks_it() -> None:
    class Opaque:
        pass

    cases: list[Any] = [
        [Opaque(), {"a": [b"x"]}],  # an object orjson refuses, then bytes: binary
        [Opaque(), {"a": ["x"]}],  # refused, no bytes: not binary
        {1: b"x"},  # an element id's update holding bytes: binary
        {1: {"text": "x"}},  # an update keyed by element ids, as NiceGUI's are: not binary
        {b"key": "x"},  # a bytes key: refused by orjson; socket.io looks at values only
        (b"x",),  # bytes in a tuple: socket.io does not look into tuples
        [2**70, b"x"],  # an integer too large for orjson
        {"bytes key": bytearray(b"x")},
    ]
    for case in cases:
        assert nicegui_speedups.data_is_binary(case) == nicegui_speedups._original_data_is_binary(case), case


def test_socketio_packets_use_the_cheaper_walk_and_still_tell_binary_from_text() -> None:
    nicegui_speedups.install()
    assert Packet.data_is_binary is nicegui_speedups.data_is_binary
    text = Packet(data=["update", {"1": {"props": {"text": "Ada"}, "children": [2, 3]}}])
    binary = Packet(data=["upload", {"file": [b"\x89PNG"]}])
    assert (text.packet_type, binary.packet_type) == (packet.EVENT, packet.BINARY_EVENT)


def test_a_nicegui_update_is_answered_by_orjson_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    walked: list[Any] = []
    monkeypatch.setattr(nicegui_speedups, "_walk_finds_binary", walked.append)
    update = {7: {"tag": "div", "props": {"aria-label": "Ada"}, "children": [8, 9]}, 8: None}
    assert nicegui_speedups.data_is_binary(["update", update]) is False
    assert walked == [], "element ids as keys are written by orjson, not walked"


def test_the_server_config_nicegui_makes_speaks_websockets_through_uvicorns_sans_io_protocol() -> None:
    nicegui_speedups.install()
    config = ui_run.CustomServerConfig(core.app, ws="wsproto")  # type: ignore[attr-defined]  # as `ui.run` makes it
    config.load()
    assert config.ws_protocol_class is WebSocketsSansIOProtocol
