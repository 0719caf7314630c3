"""The embedded Chatwoot-compatible contacts server."""
