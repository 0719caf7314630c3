"""Figures, the summary table and the JSON result files every benchmark writes."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
SCRATCH_DIR = BENCH_DIR / "scratch"


@dataclass(kw_only=True, slots=True)
class SummaryRow:
    """One line of the summary table: a figure, what it is compared with, and the ratio."""

    benchmark: str
    measure: str
    value: str
    baseline: str = ""
    ratio: str = ""


@dataclass(kw_only=True)
class BenchResult:
    """What one benchmark measured: raw figures for the JSON file, rows for the table, honest notes."""

    name: str
    title: str
    parameters: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    rows: list[SummaryRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    machine_load: dict[str, Any] = field(default_factory=dict)

    def row(self, measure: str, value: str, baseline: str = "", ratio: str = "") -> None:
        self.rows.append(SummaryRow(benchmark=self.title, measure=measure, value=value, baseline=baseline, ratio=ratio))

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"  note: {text}", flush=True)


def _cpu_times() -> tuple[int, int]:
    fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields), idle


def cpu_busy(seconds: float = 1.0) -> float:
    """Percent of all cores busy over the next `seconds`: other work on the machine skews every figure."""
    total, idle = _cpu_times()
    time.sleep(seconds)
    total_after, idle_after = _cpu_times()
    return round(100 * (1 - (idle_after - idle) / max(1, total_after - total)), 1)


def distribution(samples: list[float]) -> dict[str, float | int]:
    """Count, median, p95 (nearest rank), mean, min and max of samples (milliseconds usually)."""
    if not samples:
        return {"n": 0}
    ordered = sorted(samples)
    rank = max(1, -(-95 * len(ordered) // 100))  # ceil(0.95 n), nearest-rank percentile
    return {
        "n": len(ordered),
        "median": round(statistics.median(ordered), 3),
        "p95": round(ordered[rank - 1], 3),
        "mean": round(statistics.fmean(ordered), 3),
        "min": round(ordered[0], 3),
        "max": round(ordered[-1], 3),
    }


def ms(value: float | None) -> str:
    """A duration in milliseconds for the table: 0.42 ms, 12.3 ms, 1,234 ms."""
    if value is None:
        return "n/a"
    if value < 1:
        return f"{value:.2f} ms"
    if value < 100:
        return f"{value:.1f} ms"
    return f"{value:,.0f} ms"


def ratio(value: float | None, baseline: float | None) -> str:
    if not value or not baseline:
        return "n/a"
    quotient = value / baseline
    return f"{quotient:.2f}×" if quotient < 10 else f"{quotient:,.0f}×"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _version(command: list[str]) -> str | None:
    try:
        answer = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return answer.stdout.strip() or None


def machine_info() -> dict[str, Any]:
    """Where the figures were measured: CPU, cores, RAM, Python and the main libraries."""
    from importlib.metadata import PackageNotFoundError, version

    libraries: dict[str, str] = {}
    for package in ("nicegui", "fastapi", "uvicorn", "sqlalchemy", "httpx", "websockets", "playwright"):
        try:
            libraries[package] = version(package)
        except PackageNotFoundError:
            continue
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": _memory_gib(),
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "os": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "chromium": _version(["/usr/bin/chromium", "--version"]),
        "postgresql": _version(["psql", "--version"]),
        "libraries": libraries,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write_result(result: BenchResult) -> Path:
    """`bench/results/<name>.json`: small, stable and worth committing."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{result.name}.json"
    document = {
        "name": result.name,
        "title": result.title,
        "machine": machine_info(),
        "seconds": round(result.seconds, 1),
        "machine_load": result.machine_load,
        "parameters": result.parameters,
        "figures": result.figures,
        "summary": [asdict(row) for row in result.rows],
        "notes": result.notes,
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return path


HEADERS = ("Benchmark", "Measure", "Value", "Baseline", "Ratio")


def _cells(row: SummaryRow) -> tuple[str, ...]:
    return (row.benchmark, row.measure, row.value, row.baseline, row.ratio)


def text_table(rows: list[SummaryRow]) -> str:
    """The rows as an aligned plain-text table for the terminal."""
    lines = [HEADERS, *(_cells(row) for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADERS))]
    rendered = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)) for line in lines]
    rendered.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(rendered)


def markdown_table(rows: list[SummaryRow]) -> str:
    """The rows as a Markdown table, for the README's Performance section."""

    def escape(cell: str) -> str:
        return cell.replace("|", "\\|")

    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(escape(cell) for cell in _cells(row)) + " |" for row in rows]
    return "\n".join(lines)


def print_result(result: BenchResult) -> None:
    print(f"\n{result.title} ({result.seconds:.0f} s)")
    print(text_table(result.rows))
