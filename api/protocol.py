"""Names both sides of the API agree on beyond Chatwoot's contract: the embedded server's extensions and paths."""

from __future__ import annotations

# Whether a process serves: 200 once its database is migrated and it has started (demo data seeded, if asked),
# 503 before. Tests, benchmarks and load balancers wait on it.
HEALTH_PATH = "/api/health"
# ActionCable as Rails speaks it (CONTRACT.md, "Real time"): its path, its websocket subprotocol, and the channel
# Chatwoot's dashboard subscribes to for an account's events.
CABLE_PATH = "/cable"
CABLE_PROTOCOL = "actioncable-v1-json"
CABLE_CHANNEL = "RoomChannel"
# The embedded server announces its extensions (ETag/If-Match, paged history, /events) in this header.
EXTENSIONS_HEADER = "X-Contacts-Extensions"
# The app's own UI signs in over loopback on a browser's behalf: it names the browser's address, and proves
# it is the UI with a secret of the process, so the sign-in throttle counts the browser, not 127.0.0.1.
CLIENT_ADDRESS_HEADER = "X-Contacts-Client-Address"
UI_KEY_HEADER = "X-Contacts-UI-Key"
# devise_token_auth's headers (Chatwoot's dashboard signs in with them): one revocable token per signed-in client.
SESSION_HEADERS = ("access-token", "token-type", "client", "expiry", "uid")
