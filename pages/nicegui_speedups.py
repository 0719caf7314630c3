"""A cache for one hot function of NiceGUI: `helpers.expects_arguments` of bound methods.

Every NiceGUI element makes three observable collections (classes, style, props), and each asks
`expects_arguments(self._update)`, which runs `inspect.signature` on the bound method: about a tenth of the
app's CPU while it builds a contact page (py-spy). The answer depends only on the function behind the bound
method, so it is kept per function. Only bound methods are cached: their functions are the classes' own, a
small fixed set, while plain functions and lambdas are often made per element and would fill a cache.
NiceGUI calls it as `helpers.expects_arguments(...)`, an attribute looked up at each call, which is what is
replaced here.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

from nicegui import helpers

_original: Callable[[Callable[..., Any]], bool] = helpers.expects_arguments
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


def install() -> None:
    """Use the cached `expects_arguments` in NiceGUI; calling it again changes nothing."""
    helpers.expects_arguments = expects_arguments
