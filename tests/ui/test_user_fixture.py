"""The `user` fixture (tests/ui/conftest.py): a test that logged an ERROR fails, and only that test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

from tests.support.processes import ROOT

PROBE = Path(__file__).with_name("user_fixture_probe.py")


def test_an_error_log_fails_its_test_and_the_next_test_starts_the_app_again(tmp_path: Path) -> None:
    report = tmp_path / "probe.xml"
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_")}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", str(PROBE)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    outcomes = {
        case.get("name"): [(child.tag, child.get("message", "")) for child in case]
        for case in ElementTree.parse(report).iter("testcase")
    }
    assert outcomes == {
        "test_logs_an_error": [("error", 'failed on teardown with "Failed: There were unexpected ERROR logs."')],
        "test_starts_the_app_again": [],
    }, run.stdout
