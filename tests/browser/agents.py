"""An agent in the browser tests: a browser context and page of its own, and what went wrong in it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from playwright.async_api import BrowserContext, Page


@dataclass(kw_only=True)
class Agent:
    """One agent's browser context and page, with the uncaught errors and dialogs the page produced."""

    context: BrowserContext
    page: Page
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


OpenAgent = Callable[..., Awaitable[Agent]]
