"""Bulk contacts for benchmarks: a million plausible contacts in seconds (`bulk-<n>@load.example`), drawn from the
demo data's regions, companies and plans, and loaded by the seed's writer.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import phonenumbers
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server import models
from server.import_writer import CONTACT_COLUMNS
from server.seed.demo_data import COMPANIES, DAY, PLANS, REGIONS, SEED, WEIGHTED_REGIONS
from server.seed.writer import Progress, load_contacts

BULK_EMAIL_DOMAIN = "load.example"


@lru_cache(maxsize=1)
def _bulk_area_codes() -> tuple[int, ...]:
    """US area codes whose 555 exchange libphonenumber accepts (about 450)."""

    def valid(number: str) -> bool:
        return phonenumbers.is_valid_number(phonenumbers.parse(number, None))

    return tuple(
        code for code in range(200, 1000) if all(valid(f"+1{code}555{line:04d}") for line in (0, 200, 5000, 9999))
    )


def bulk_phone(number: int) -> str | None:
    """A unique valid phone for bulk contact `number` (+1 AAA 555 XXXX, never the demo's 555-01xx), or None."""
    if number % 5 == 0:
        return None
    codes = _bulk_area_codes()
    area, line = divmod(number, 9_900)
    if area >= len(codes):
        return None
    return f"+1{codes[area]}555{line + 100 if line >= 100 else line:04d}"


BULK_COLUMNS = CONTACT_COLUMNS  # the bulk rows' order: the import writes the same columns
MAX_SEATS = 200


@dataclass(frozen=True, kw_only=True, slots=True)
class BulkRegion:
    """A region's draws for bulk contacts, prepared once: full names, and the additional attributes as JSON."""

    names: tuple[str, ...]
    additional: tuple[str, ...]


@lru_cache(maxsize=1)
def _bulk_regions() -> tuple[BulkRegion, ...]:
    """One entry per region weight, so a uniform draw picks regions by weight."""
    prepared = {
        region.code: BulkRegion(
            names=tuple(region.full_name(first, last) for first in region.first_names for last in region.last_names),
            additional=tuple(
                json.dumps(
                    {"company_name": company, "city": city, "country": region.country, "country_code": region.code}
                )
                for company, _domain in COMPANIES
                for city in region.cities
            ),
        )
        for region in REGIONS
    }
    return tuple(prepared[region.code] for region in WEIGHTED_REGIONS)


@lru_cache(maxsize=1)
def _bulk_custom() -> tuple[str, ...]:
    return tuple(json.dumps({"plan": plan, "seats": seats}) for plan in PLANS for seats in range(1, MAX_SEATS + 1))


def bulk_rows(rng: random.Random, account_id: int, first: int, size: int, now: int) -> list[tuple[Any, ...]]:
    """Bulk contacts `first` .. `first + size - 1` as rows in BULK_COLUMNS' order, attribute objects as JSON text.

    Drawn from lists prepared once, one `random()` per choice: a million rows take seconds, not minutes.
    """
    regions, custom = _bulk_regions(), _bulk_custom()
    draw = rng.random
    rows = []
    for number in range(first, first + size):
        region = regions[int(draw() * len(regions))]
        last_activity = now - int(draw() * 730 * DAY) if draw() < 0.9 else None
        created_at = (last_activity or now) - DAY - int(draw() * 364 * DAY)
        rows.append(
            (
                account_id,
                region.names[int(draw() * len(region.names))],
                f"bulk-{number}@{BULK_EMAIL_DOMAIN}",
                bulk_phone(number),
                f"bulk-{number}" if number % 10 == 0 else None,
                "",
                number % 500 == 0,
                region.additional[int(draw() * len(region.additional))],
                custom[int(draw() * len(custom))] if number % 2 else "{}",
                last_activity,
                created_at,
                created_at,
                1,
            )
        )
    return rows


async def add_bulk_contacts(
    session_factory: async_sessionmaker[AsyncSession],
    account_id: int,
    count: int,
    batch: int = 10_000,
    *,
    progress: Progress | None = None,
) -> None:
    """Add `count` generated contacts (`bulk-<n>@load.example`) to an account, `batch` rows per statement.

    `progress(done, seconds)` is called after every batch. Numbering continues after the
    highest contact id, so running it again adds new contacts rather than colliding.
    """
    async with session_factory() as session:
        if await session.get(models.Account, account_id) is None:
            raise LookupError(f"account {account_id} does not exist")
        first = (await session.scalar(select(func.max(models.Contact.id))) or 0) + 1
    rng = random.Random(SEED + first)
    now = int(time.time())

    def rows(offset: int, size: int) -> list[tuple[Any, ...]]:
        return bulk_rows(rng, account_id, first + offset, size, now)

    await load_contacts(session_factory, BULK_COLUMNS, rows, count, batch=batch, progress=progress)
