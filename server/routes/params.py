"""Path and query parameters every router shares, bounded so no value reaches the database out of range."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_ID = 2_147_483_647  # PostgreSQL's integer; larger ids cannot exist

# Ids that fit the column but do not exist (0, negatives) are looked up and answer 404, as Chatwoot does.
RowId = Annotated[int, Path(ge=-MAX_ID, le=MAX_ID)]
PageNumber = Annotated[int, Query(ge=1, le=1_000_000)]
