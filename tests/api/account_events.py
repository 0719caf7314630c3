"""An administrator's live events of account 1, as the dashboard hears them: RoomChannel over a raw ActionCable
socket."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from websockets.sync.client import ClientConnection, connect

from api.cable_client import cable_url
from tests.support.cable import SUBPROTOCOLS, room_identifier
from tests.support.processes import RunningServer


class AccountEvents:
    """The admin's RoomChannel subscription over a raw ActionCable socket."""

    def __init__(self, websocket: ClientConnection) -> None:
        self.websocket = websocket

    def next_for(self, contact_id: int, name: str, within: float = 10.0) -> dict[str, Any]:
        while True:
            frame = json.loads(self.websocket.recv(timeout=within))
            message = frame.get("message")
            if isinstance(message, dict) and message.get("event") == name and message["data"].get("id") == contact_id:
                data: dict[str, Any] = message["data"]
                return data


@contextmanager
def account_events(server: RunningServer) -> Iterator[AccountEvents]:
    identifier = room_identifier(server.admin)
    with connect(cable_url(server.url), subprotocols=SUBPROTOCOLS) as websocket:
        websocket.send(json.dumps({"command": "subscribe", "identifier": identifier}))
        while json.loads(websocket.recv(timeout=10)).get("type") != "confirm_subscription":
            pass
        yield AccountEvents(websocket)
