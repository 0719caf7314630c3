"""The benchmark plots draw headless from the committed results (bench/results/*.json), and the README shows them."""

from __future__ import annotations

import struct
from pathlib import Path

from bench import plots
from bench.report import RESULTS_DIR, ROOT

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which follows the signature."""
    assert data.startswith(PNG_SIGNATURE)
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_every_plot_draws_from_the_committed_results(tmp_path: Path) -> None:
    drawn = plots.draw(RESULTS_DIR, tmp_path)

    assert sorted(path.name for path in drawn) == sorted(f"{name}.png" for name in plots.PLOTS)
    for path in drawn:
        data = path.read_bytes()
        width, height = _png_size(data)
        assert width >= 800 and height >= 400, path.name
        assert len(data) > 20_000, path.name  # lines, labels and text, not an empty canvas


def test_the_plot_names_the_machine_and_date_of_its_figures() -> None:
    document = {"machine": {"cpu": "AMD EPYC", "cores": 2, "ram_gib": 23.5, "python": "3.11.7",
                            "libraries": {"nicegui": "3.18.0"}, "date": "2026-12-07T06:07:20+00:00"}}  # fmt: skip

    assert plots.machine_line(document) == (
        "AMD EPYC, 2 cores, 23.5 GiB RAM, Python 3.11.7, NiceGUI 3.18.0; measured 2026-12-07"
    )


def test_the_readme_shows_every_committed_plot() -> None:
    committed = {path.name for path in plots.PLOTS_DIR.glob("*.png")}
    readme = (ROOT / "README.md").read_text()

    assert committed == {f"{name}.png" for name in plots.PLOTS}
    for name in committed:
        assert f"(docs/bench/{name})" in readme
        _png_size((plots.PLOTS_DIR / name).read_bytes())
