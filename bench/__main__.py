"""`python -m bench [names...] [--quick]`: run the benchmarks, print one summary table, write bench/results/,
draw docs/bench/*.png from the results (bench/plots.py).

Names: contact_page, optimistic_edit, live_update, api, scale, filter_scale, duplicate_scale, capacity,
contact_transfer (all, in this order, by default).
"""

from __future__ import annotations

import argparse
import importlib
import os
import time
import traceback
from collections.abc import Sequence

from bench.report import (
    RESULTS_DIR,
    ROOT,
    BenchResult,
    SummaryRow,
    cpu_busy,
    machine_info,
    markdown_table,
    print_result,
    text_table,
    write_result,
)

# CPU busy before a benchmark starts (none of its processes run yet): someone else is using the machine.
BUSY_PERCENT = 25.0
QUIET_WAIT_S = 30.0
BENCHMARKS = {
    "contact_page": "bench.contact_page",
    "optimistic_edit": "bench.optimistic_edit",
    "live_update": "bench.live_update",
    "api": "bench.api_throughput",
    "scale": "bench.scale",
    "filter_scale": "bench.filter_scale",
    "duplicate_scale": "bench.duplicate_scale",
    "capacity": "bench.capacity",
    "contact_transfer": "bench.contact_transfer",
}


def run_one(name: str, quick: bool) -> BenchResult:
    module = importlib.import_module(BENCHMARKS[name])
    print(f"\n=== {module.TITLE} ({name}{', quick' if quick else ''}) ===", flush=True)
    busy = cpu_busy()
    waited = 0.0
    while busy > BUSY_PERCENT and waited < QUIET_WAIT_S:  # give someone else's burst a chance to end
        busy = cpu_busy(5.0)
        waited += 5.0
    if busy > BUSY_PERCENT:
        print(f"  warning: {busy:.0f} % of the CPU is busy before the start; the figures will suffer", flush=True)
    started = time.perf_counter()
    result: BenchResult = module.run(quick=quick)
    result.seconds = time.perf_counter() - started
    result.machine_load = {"cpu_busy_percent_before": busy, "load_average_after": list(os.getloadavg())}
    if busy > BUSY_PERCENT:
        result.note(f"other work kept {busy:.0f} % of the CPU busy just before this benchmark started")
    path = write_result(result)
    print_result(result)
    print(f"  -> {path.relative_to(RESULTS_DIR.parent.parent)}", flush=True)
    return result


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="name", help=f"{', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="fewer samples and shorter runs")
    arguments = parser.parse_args(argv)
    unknown = [name for name in arguments.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    names = [name for name in BENCHMARKS if name in arguments.names] if arguments.names else list(BENCHMARKS)
    started = time.perf_counter()
    rows: list[SummaryRow] = []
    notes: list[str] = []
    failed: list[str] = []
    for name in names:
        try:
            result = run_one(name, arguments.quick)
        except Exception as error:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            failed.append(name)
            title = importlib.import_module(BENCHMARKS[name]).TITLE
            rows.append(
                SummaryRow(
                    benchmark=title,
                    measure="not measured",
                    value=f"{type(error).__name__}: {error}".splitlines()[0][:160],
                )
            )
            continue
        rows.extend(result.rows)
        notes.extend(f"{result.title}: {note}" for note in result.notes)
    print(f"\n=== Summary ({time.perf_counter() - started:.0f} s) ===")
    print(text_table(rows))
    if set(names) == set(BENCHMARKS):
        machine = machine_info()
        heading = (
            f"Measured by `make bench` on {machine['cpu']}, {machine['cores']} cores, {machine['ram_gib']} GiB RAM, "
            f"Python {machine['python']}, NiceGUI {machine['libraries'].get('nicegui', '?')}, {machine['date'][:10]}"
            f"{' (--quick)' if arguments.quick else ''}.\n\n"
        )
        notes_text = "\n\n" + "\n".join(f"- {note}" for note in notes) if notes else ""
        summary = heading + markdown_table(rows) + notes_text + "\n"
        (RESULTS_DIR / "summary.md").write_text(summary)
        print("  -> bench/results/summary.md")
    from bench import plots  # matplotlib: the test extra's, which `make bench` installs

    for path in plots.draw():
        print(f"  -> {path.relative_to(ROOT)}")
    if failed:
        raise SystemExit(f"benchmarks that failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
