"""The Chatwoot contacts contract, shared by the embedded server and the UI."""
