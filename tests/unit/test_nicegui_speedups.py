"""The cached `expects_arguments` answers exactly as NiceGUI's own, and NiceGUI uses it once installed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import helpers
from nicegui.helpers.functions import expects_arguments as nicegui_expects_arguments

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
