"""Plots of the benchmark results: `python -m bench.plots` reads bench/results/*.json and writes docs/bench/*.png.

`python -m bench` draws them after every run, from whatever results are there, so a plot can be redrawn from
committed JSON without measuring again. Headless (matplotlib's Agg canvas, no pyplot state), and each plot names
the machine and the date of its figures, read from the JSON.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from bench.report import RESULTS_DIR, ROOT

PLOTS_DIR = ROOT / "docs" / "bench"
DPI = 100
TARGET_MS = 200  # the capacity benchmark's goal: p95 edit -> visible
DATABASE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def machine_line(document: dict[str, Any]) -> str:
    """Where and when the figures were measured, as the JSON records it."""
    machine = document.get("machine", {})
    nicegui = machine.get("libraries", {}).get("nicegui", "?")
    return (
        f"{machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, {machine.get('ram_gib', '?')} GiB RAM, "
        f"Python {machine.get('python', '?')}, NiceGUI {nicegui}; measured {str(machine.get('date', '?'))[:10]}"
    )


def _figure(document: dict[str, Any], title: str, panels: int, width: float = 5.2) -> tuple[Figure, list[Axes]]:
    figure = Figure(figsize=(width * panels, 4.4), dpi=DPI, layout="constrained")
    axes = list(figure.subplots(1, panels, squeeze=False)[0])
    figure.suptitle(title, fontsize=12)
    figure.supxlabel(machine_line(document), fontsize=8, color="0.35")
    return figure, axes


def _save(figure: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=DPI, metadata={"Software": None})  # no version stamp: a redraw of the same JSON is equal
    return path


def _count(value: float, _position: float) -> str:
    """1000 -> 1k, 1000000 -> 1M: contact counts and page counts on a log axis."""
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 1_000:
        return f"{value / 1_000:g}k"
    return f"{value:g}"


def _spread(ticks: Sequence[float]) -> list[float]:
    """The ticks, less any closer than 1.6x to the one before it, so their labels do not overlap on a log axis."""
    kept: list[float] = []
    for tick in sorted(ticks):
        if not kept or tick >= kept[-1] * 1.6:
            kept.append(tick)
    return kept


def _log_axes(axes: Axes, ticks: Sequence[float], *, log_y: bool = True) -> None:
    axes.set_xscale("log")
    axes.set_xticks(_spread(ticks))
    axes.xaxis.set_major_formatter(FuncFormatter(_count))
    axes.xaxis.set_minor_formatter(NullFormatter())
    if log_y:
        axes.set_yscale("log")
        axes.yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        axes.yaxis.set_minor_formatter(NullFormatter())
    axes.grid(True, which="major", alpha=0.3)


def capacity(document: dict[str, Any], path: Path) -> Path:
    """Open pages vs p95 edit -> visible and the app's CPU per edit, pages on one contact and on different ones."""
    figures = document["figures"]
    ramps = {
        "on one contact": figures["one_contact"]["ramp"],
        "on different contacts": figures["different_contacts"]["ramp"],
    }
    figure, (latency, cpu) = _figure(document, "Capacity: one app process, open contact pages, remote edits", 2)
    pages_seen: set[int] = set()
    for (label, ramp), style in zip(ramps.items(), ("-", "--"), strict=True):
        pages = [step["pages"] for step in ramp]
        pages_seen.update(pages)
        light = [step["light_latency_ms"]["p95"] for step in ramp]
        browser = [step["browser_latency_ms"]["p95"] for step in ramp]
        latency.plot(pages, browser, style, marker="o", color="tab:blue", label=f"Chromium tab, pages {label}")
        latency.plot(pages, light, style, marker="s", color="tab:orange", label=f"light client, pages {label}")
        cpu.plot(
            pages,
            [step["app_cpu_ms_per_edit"] for step in ramp],
            style,
            marker="o",
            color="tab:green",
            label=f"pages {label}",
        )
    latency.axhline(TARGET_MS, color="tab:red", linewidth=1, linestyle=":", label=f"target p95 {TARGET_MS} ms")
    latency.set(title="p95 edit -> visible", xlabel="open contact pages (light clients)", ylabel="ms")
    cpu.set(title="app CPU per remote edit", xlabel="open contact pages (light clients)", ylabel="ms of CPU")
    for axes in (latency, cpu):
        _log_axes(axes, sorted(pages_seen), log_y=axes is latency)
        axes.legend(fontsize=7)
    cpu.set_ylim(bottom=0)
    return _save(figure, path)


def _by_size(
    document: dict[str, Any], path: Path, title: str, measures: dict[str, str], ylabel: str = "p95 ms"
) -> Path:
    """One panel per database: each measure's p95 against the number of contacts."""
    databases = document["figures"]
    figure, panels = _figure(document, title, len(databases))
    sizes_seen: set[int] = set()
    for axes, (database, by_size) in zip(panels, databases.items(), strict=True):
        sizes = sorted(int(size) for size in by_size)
        sizes_seen.update(sizes)
        for key, label in measures.items():
            axes.plot(sizes, [by_size[str(size)][key]["p95"] for size in sizes], marker="o", label=label)
        axes.set(title=DATABASE_NAMES.get(database.lower(), database), xlabel="contacts", ylabel=ylabel)
    for axes in panels:
        _log_axes(axes, sorted(sizes_seen))
        axes.legend(fontsize=7)
    bottom = min(axes.get_ylim()[0] for axes in panels)
    top = max(axes.get_ylim()[1] for axes in panels)
    for axes in panels:  # the same scale side by side, so the databases compare at a glance
        axes.set_ylim(bottom, top)
    return _save(figure, path)


def scale(document: dict[str, Any], path: Path) -> Path:
    measures = {
        "search_rare": "search, rare term (1 match)",
        "search_common": "search, common term",
        "list": "contacts list, page 1",
        "list_deep": "contacts list, page 500",
    }
    return _by_size(document, path, "Search and list latency by number of contacts (one client)", measures)


def filter_scale(document: dict[str, Any], path: Path) -> Path:
    measures = {
        "filter_narrow": "filter: country = DE and seats = 42",
        "filter_broad": "filter: country = US and plan = pro",
        "labels": "contacts list, labels[]=vip",
    }
    return _by_size(document, path, "Contact filter latency by number of contacts (one client)", measures)


def api(document: dict[str, Any], path: Path) -> Path:
    """Requests per second of each endpoint, each database, against a bare FastAPI endpoint served the same way."""
    endpoints = {
        "baseline": "bare FastAPI endpoint",
        "show": "contact show",
        "update": "contact update (PUT)",
        "update_crowd": "update, 50 clients",
        "conversations": "contact conversations",
    }
    databases = document["figures"]
    figure, (axes,) = _figure(document, "API throughput against a bare endpoint (10 clients unless named)", 1, 9)
    height = 0.8 / len(databases)
    rows = range(len(endpoints))
    for index, (database, figures) in enumerate(databases.items()):
        offsets = [row + index * height for row in rows]
        values = [figures[key]["rps"] for key in endpoints]
        name = DATABASE_NAMES.get(database.lower(), database)
        bars = axes.barh(offsets, values, height=height, label=name)
        floor = figures["baseline"]["rps"]
        notes = [
            f"{value:,.0f} req/s" + ("" if key == "baseline" else f" ({value / floor:.2f}×)")
            for key, value in zip(endpoints, values, strict=True)
        ]
        axes.bar_label(bars, notes, padding=3, fontsize=7)
    axes.set_yticks([row + height * (len(databases) - 1) / 2 for row in rows], list(endpoints.values()))
    axes.invert_yaxis()
    axes.set_xscale("log")
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    axes.set_xlim(right=max(figures["baseline"]["rps"] for figures in databases.values()) * 6)
    axes.set(xlabel="requests per second (log scale; ratio to the bare endpoint of the same database)")
    axes.grid(True, axis="x", alpha=0.3)
    axes.legend(fontsize=8, loc="lower right")
    return _save(figure, path)


PLOTS: dict[str, Callable[[dict[str, Any], Path], Path]] = {
    "capacity": capacity,
    "scale": scale,
    "filter_scale": filter_scale,
    "api": api,
}


def draw(results_dir: Path = RESULTS_DIR, out_dir: Path = PLOTS_DIR) -> list[Path]:
    """`out_dir/<name>.png` for every benchmark with a plot whose `results_dir/<name>.json` exists."""
    drawn = []
    for name, plot in PLOTS.items():
        source = results_dir / f"{name}.json"
        if source.exists():
            drawn.append(plot(json.loads(source.read_text()), out_dir / f"{name}.png"))
    return drawn


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.plots", description=__doc__)
    parser.add_argument("--results", type=Path, default=RESULTS_DIR, help="folder of <name>.json (bench/results)")
    parser.add_argument("--out", type=Path, default=PLOTS_DIR, help="folder for <name>.png (docs/bench)")
    arguments = parser.parse_args(argv)
    for path in draw(arguments.results, arguments.out.resolve()):
        print(f"  -> {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()
