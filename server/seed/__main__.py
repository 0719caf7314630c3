"""`python -m server.seed` (see server/seed/command.py)."""

from server.seed.command import main

main()
