"""Unit tests: no server, no browser."""
