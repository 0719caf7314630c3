"""Names both sides of the API agree on beyond Chatwoot's contract: the embedded server's extensions and paths."""

from __future__ import annotations

from api.validation import CONTACT_FIELDS

# Whether a process serves: 200 once its database is migrated and it has started (demo data seeded, if asked),
# 503 before. Tests, benchmarks and load balancers wait on it.
HEALTH_PATH = "/api/health"
# ActionCable as Rails speaks it (CONTRACT.md, "Real time"): its path, its websocket subprotocol, and the channel
# Chatwoot's dashboard subscribes to for an account's events.
CABLE_PATH = "/cable"
CABLE_PROTOCOL = "actioncable-v1-json"
CABLE_CHANNEL = "RoomChannel"
# The embedded server announces its extensions (ETag/If-Match, paged history, /events, the streamed export) in this
# header. A client asks for an answer beyond Chatwoot's by naming it in the same header of its request.
EXTENSIONS_HEADER = "X-Contacts-Extensions"
# Announced: `GET /contacts/export` answers the CSV itself, streamed.
EXPORT_EXTENSION = "export"
# Asked for: `POST /contacts/import` answers progress lines and a report of the rows (IMPORT_MEDIA_TYPE) instead of
# Chatwoot's empty 200.
IMPORT_REPORT_EXTENSION = "import-report"
IMPORT_MEDIA_TYPE = "application/x-ndjson"
# Asked for: a 422 for an email, phone number or identifier another contact has names that contact
# (`existing_contact_ids`, field -> id; always a contact of the same account).
EXISTING_CONTACT_EXTENSION = "existing-contact"
# Announced: `POST /actions/contact_merge` takes the agent's `choices` (field path -> "base" or "mergee"), and a
# merge can be undone for MERGE_UNDO_SECONDS through `POST /actions/contact_merge/{merge_id}/undo`; its answer names
# the merge in MERGE_UNDO_HEADER and when the undo expires (unix seconds) in MERGE_UNDO_UNTIL_HEADER.
MERGE_EXTENSION = "merge"
DUPLICATES_EXTENSION = "duplicates"
MERGE_UNDO_SECONDS = 30
MERGE_UNDO_HEADER = "X-Contacts-Merge-Undo"
MERGE_UNDO_UNTIL_HEADER = "X-Contacts-Merge-Undo-Until"
# The `error` of the undo's 410 for a merge undone already (its other 410: the time to undo is over).
MERGE_UNDONE_ALREADY = "This merge was undone already"
# The rows an export streams, counted in the snapshot it reads (for a progress bar).
EXPORT_ROWS_HEADER = "X-Contacts-Export-Rows"
# The columns the app exports (Chatwoot's contact columns); the import reads every one of them back.
EXPORT_COLUMNS = ("id", *CONTACT_FIELDS, "created_at", "last_activity_at")
# The app's own UI signs in over loopback on a browser's behalf: it names the browser's address, and proves
# it is the UI with a secret of the process, so the sign-in throttle counts the browser, not 127.0.0.1.
CLIENT_ADDRESS_HEADER = "X-Contacts-Client-Address"
UI_KEY_HEADER = "X-Contacts-UI-Key"
# devise_token_auth's headers (Chatwoot's dashboard signs in with them): one revocable token per signed-in client.
SESSION_HEADERS = ("access-token", "token-type", "client", "expiry", "uid")
# An httpx request extension (`extensions={STREAMED: True}`): the in-process transport (api.in_process) hands the
# answer over as the app sends it rather than once it has finished.
STREAMED = "contacts.streamed"
