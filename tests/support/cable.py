"""Raw ActionCable for tests that speak it themselves: the identifier Chatwoot's dashboard subscribes with."""

from __future__ import annotations

import json
from typing import Any

from websockets.typing import Subprotocol

from api.protocol import CABLE_CHANNEL, CABLE_PROTOCOL
from tests.support.sign_in import SignedIn

SUBPROTOCOLS = [Subprotocol(CABLE_PROTOCOL)]  # what a websocket client offers to speak


def room_identifier(signed_in: SignedIn, **overrides: Any) -> str:
    """The `RoomChannel` identifier (a JSON string) for this agent's account, with fields replaced as asked."""
    fields: dict[str, Any] = {
        "channel": CABLE_CHANNEL,
        "pubsub_token": signed_in.pubsub_token,
        "account_id": signed_in.account_id,
        "user_id": signed_in.user_id,
    }
    fields.update(overrides)
    return json.dumps(fields)
