"""`python -m server.seed`: migrate a database, seed the demo data when it is empty, then add what is asked.

`python -m server.seed --contacts 1000000` adds bulk contacts to account 1 (bench's generator, with a progress bar
on a terminal); `python -m server.seed --conversations-for 1 --count 500` adds conversations to one contact.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from api.settings import Settings
from server.db import create_engine, migrate_sync, sessions
from server.seed.writer import Progress, add_conversations, seed_demo_if_empty


def _report(done: int, seconds: float) -> None:
    print(f"  {done:>12,} contacts  {seconds:8.1f} s  ({done / max(seconds, 1e-9):,.0f}/s)", flush=True)


@contextmanager
def _contact_progress(total: int) -> Iterator[Progress]:
    """A progress bar on a terminal; elsewhere (a log, a pipe) a plain line per batch."""
    if not sys.stdout.isatty():
        yield _report
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.progress import Progress as ProgressBar

    with ProgressBar(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ) as bar:
        task = bar.add_task("contacts", total=total)
        yield lambda done, _seconds: bar.update(task, completed=done)


async def _run(arguments: argparse.Namespace, url: str) -> None:
    engine = create_engine(url)
    session_factory = sessions(engine)
    try:
        started = time.perf_counter()
        seeded = await seed_demo_if_empty(session_factory)
        print(f"Demo data {'seeded' if seeded else 'already present'} ({time.perf_counter() - started:.1f} s)")
        if arguments.contacts:
            # The bulk generator belongs to the benchmarks; only this command, never the running server, borrows it.
            from bench.bulk_contacts import add_bulk_contacts

            print(f"Adding {arguments.contacts:,} contacts to account {arguments.account_id}")
            started = time.perf_counter()
            with _contact_progress(arguments.contacts) as progress:
                await add_bulk_contacts(session_factory, arguments.account_id, arguments.contacts, progress=progress)
            print(f"Added {arguments.contacts:,} contacts in {time.perf_counter() - started:.1f} s")
        if arguments.conversations_for:
            started = time.perf_counter()
            await add_conversations(session_factory, arguments.conversations_for, arguments.count)
            print(
                f"Added {arguments.count:,} conversations to contact {arguments.conversations_for}"
                f" in {time.perf_counter() - started:.1f} s"
            )
    finally:
        await engine.dispose()


def main(argv: Sequence[str] | None = None) -> None:
    """Migrate, seed the demo data when empty, then add what the arguments ask for."""
    parser = argparse.ArgumentParser(prog="python -m server.seed", description="Seed demo and benchmark data.")
    parser.add_argument("--database-url", help="SQLAlchemy URL; DATABASE_URL or the app's default when omitted")
    parser.add_argument("--account-id", type=int, default=1, help="account that receives the bulk contacts")
    parser.add_argument("--contacts", type=int, default=0, help="how many bulk contacts to add")
    parser.add_argument("--conversations-for", type=int, metavar="CONTACT_ID", help="contact that gets conversations")
    parser.add_argument("--count", type=int, default=500, help="how many conversations to add (default 500)")
    arguments = parser.parse_args(argv)
    url: str = arguments.database_url or Settings().database_url
    migrate_sync(url)
    asyncio.run(_run(arguments, url))
