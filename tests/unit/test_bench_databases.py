"""The benchmarks' cached databases are made again when anything that makes them changes."""

from __future__ import annotations

from bench import databases
from bench.report import ROOT


def test_the_cache_key_covers_every_file_that_makes_a_cached_database() -> None:
    hashed = {path.relative_to(ROOT).as_posix() for path in databases.schema_sources()}
    makers = {
        "bench/bulk_contacts.py",  # the bulk contacts
        "server/derived_rows.py",  # what the bulk load derives for them
        "server/models.py",
        *(path.relative_to(ROOT).as_posix() for path in (ROOT / "server" / "seed").glob("*.py")),
        *(path.relative_to(ROOT).as_posix() for path in (ROOT / "server" / "migrations" / "versions").glob("*.py")),
    }
    assert "server/seed/writer.py" in makers
    assert makers <= hashed
    assert all((ROOT / path).is_file() for path in hashed)
    assert len(databases._schema_key()) == 10
