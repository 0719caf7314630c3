"""Routers of the embedded server, one per resource."""
