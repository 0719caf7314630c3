"""The demo agents the embedded server seeds (`DEMO_DATA`): the sign-in page offers the first; tests, bench use all."""

from __future__ import annotations

from typing import NamedTuple


class DemoSignIn(NamedTuple):
    email: str
    password: str


ADMIN = DemoSignIn("admin@acme.test", "admin-demo-2026")  # Alex Admin, administrator of Acme Support
AGENT = DemoSignIn("agent@acme.test", "agent-demo-2026")  # Sam Agent, agent of Acme Support
OTHER_ADMIN = DemoSignIn("admin@globex.test", "globex-demo-2026")  # Olga Other, administrator of Globex Help
DEMO_SIGN_INS = (ADMIN, AGENT, OTHER_ADMIN)
