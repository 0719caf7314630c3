"""How common a word is among the values the search compares, so that the trigram indexes are asked for the rare
words of a query only.

A `pg_trgm` GIN index answers `LIKE '%q%'` by reading the row lists of all of q's trigrams and keeping the rows
in every one; a trigram that most values share has a list as long as the table, read in full. Searching one
email among a million that share a domain (`bulk-969242@load.example`) read 5,000 index pages, 100 ms, for the
domain's trigrams; the index asked for the rare part alone (`%969242%`) reads 17. SQLite's FTS5 trigram table
is no different (7 ms against 0.8). So the search asks the index for the rare words of the query, and checks
the whole query on the rows it finds: the same rows, since a value containing the query contains its words in
order (`rare_words`).

Which words are common: on PostgreSQL, what ANALYZE keeps of each compared column or index expression
(`pg_stats`: the most common values with their shares, and histogram bounds spread over the rest), as its
planner itself estimates a LIKE pattern's selectivity; on SQLite, which keeps nothing of the kind, 200 contacts
spread over the ids. Kept for a minute.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

# A word in at least this share of a column's values is left to the recheck: its trigrams' lists are long.
COMMON_WORD = 0.05
# The trigram index needs three characters; shorter words only narrow the recheck.
TRIGRAM = 3
WORD = re.compile(r"[^\W_]+")  # letters and digits: never a LIKE wildcard or escape
SAMPLES_KEPT_SECONDS = 60.0
SAMPLED_CONTACTS = 200  # SQLite's sample
# Where pg_stats keeps the statistics of each searched value (server.search's `_fields` order): the columns
# compared as they are under the table, the lower-cased ones under their trigram index (migration 0005).
STATISTICS = (
    ("ix_contacts_trgm_name", None),
    ("contacts", "email"),
    ("contacts", "phone_number"),
    ("ix_contacts_trgm_identifier", None),
    ("ix_contacts_trgm_company", None),
)


@dataclass(kw_only=True, slots=True, frozen=True)
class ValueSample:
    """Some of a searched column's values: what PostgreSQL's ANALYZE kept of them, or contacts read (SQLite)."""

    common: Sequence[tuple[str, float]]  # the most common values, each with the share of rows holding it
    spread: Sequence[str]  # values spread evenly over the other rows
    spread_share: float  # the share of rows `spread` stands for: not common, not NULL

    def share(self, word: str) -> float:
        """About the share of rows whose value contains `word`."""
        common = sum(share for value, share in self.common if word in value)
        if not self.spread:
            return common
        return common + self.spread_share * sum(word in value for value in self.spread) / len(self.spread)


Samples = tuple[ValueSample | None, ...]  # one per searched value, None where nothing is known
_kept: dict[str, tuple[float, Samples]] = {}


def rare_words(searched: str, samples: Sequence[ValueSample | None]) -> list[str] | None:
    """The words of `searched` to ask an index for, in order, when some of its words are common in one of
    `samples`; None when it is to be asked for whole (no word is common, none is rare, or a sample is missing).

    A word is a run of letters and digits of three or more: matched literally and whole wherever `searched` is,
    also as a LIKE pattern (LIKE's `%`, `_` and escapes are not letters or digits).
    """
    if not samples or any(sample is None for sample in samples):
        return None
    words = [word for word in WORD.findall(searched) if len(word) >= TRIGRAM]
    rare = [word for word in words if all(sample.share(word) < COMMON_WORD for sample in samples if sample is not None)]
    if not rare or len(rare) == len(words):
        return None  # nothing to leave out, or nothing rare to ask for
    return rare


def index_pattern(searched: str, sample: ValueSample | None) -> str:
    """The LIKE pattern to ask a trigram index for a value containing `searched` (a LIKE pattern itself):
    `%searched%`, or its rare words in order (`%969242%` for `bulk-969242@load.example`), which every such value
    matches."""
    words = rare_words(searched, [sample])
    return f"%{searched}%" if words is None else f"%{'%'.join(words)}%"


async def column_samples(session: AsyncSession) -> Samples:
    """Samples of the searched values (PostgreSQL's statistics, or on SQLite some contacts read), read at most
    once a minute."""
    bind = session.get_bind()
    key = str(bind.engine.url)
    kept = _kept.get(key)
    now = time.monotonic()
    if kept is not None and now - kept[0] < SAMPLES_KEPT_SECONDS:
        return kept[1]
    samples = await (_read_samples(session) if bind.dialect.name == "postgresql" else _sample_contacts(session))
    _kept[key] = (now, samples)
    return samples


async def _sample_contacts(session: AsyncSession) -> Samples:
    """SQLite keeps no statistics of values: SAMPLED_CONTACTS contacts spread over the ids, the searched values
    as the search table holds them (lower-cased)."""
    highest = (await session.execute(text("SELECT max(id) FROM contacts"))).scalar()
    if not highest:
        return (None,) * len(STATISTICS)
    step = max(1, int(highest) // SAMPLED_CONTACTS)
    rows = (
        await session.execute(
            text(
                "SELECT lower(name), lower(email), lower(phone_number), lower(identifier),"
                " lower(json_extract(additional_attributes, '$.company_name')) FROM contacts WHERE id IN :ids"
            ).bindparams(bindparam("ids", expanding=True)),
            {"ids": list(range(step, int(highest) + 1, step))[:SAMPLED_CONTACTS]},
        )
    ).all()
    if not rows:
        return (None,) * len(STATISTICS)
    columns = [[value for value in column if isinstance(value, str)] for column in zip(*rows, strict=True)]
    return tuple(ValueSample(common=[], spread=values, spread_share=len(values) / len(rows)) for values in columns)


async def _read_samples(session: AsyncSession) -> Samples:
    rows = await session.execute(
        text(
            "SELECT tablename, attname, null_frac, most_common_vals::text::text[], most_common_freqs,"
            " histogram_bounds::text::text[] FROM pg_stats"
            " WHERE schemaname = current_schema() AND tablename IN :tables"
        ).bindparams(bindparam("tables", expanding=True)),
        {"tables": sorted({name for name, _attribute in STATISTICS})},
    )
    found: dict[tuple[str, str | None], ValueSample] = {}
    row: Any
    for row in rows:
        name, attribute, null_share, common, shares, spread = row
        pairs = [(value, float(share)) for value, share in zip(common or [], shares or [], strict=True)]
        found[(name, attribute)] = ValueSample(
            common=pairs,
            spread=spread or [],
            spread_share=max(0.0, 1.0 - float(null_share or 0) - sum(share for _value, share in pairs)),
        )
    # An index of one expression has one column, whatever PostgreSQL named it.
    by_index = {name: sample for (name, _attribute), sample in found.items() if name != "contacts"}
    return tuple(
        by_index.get(name) if attribute is None else found.get((name, attribute)) for name, attribute in STATISTICS
    )
