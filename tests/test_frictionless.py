"""The data package passes the official Frictionless validator (and the check is real)."""

from __future__ import annotations

import json
import subprocess
import sys

import frictionless

from dcteach.data import core_dir


def test_official_validator_accepts_the_package():
    report = frictionless.validate(str(core_dir() / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert len(report.tasks) == 20


def test_official_cli_accepts_the_package():
    exe = [sys.executable, "-m", "frictionless"]
    proc = subprocess.run([*exe, "validate", "--json", str(core_dir() / "datapackage.json")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert json.loads(proc.stdout)["valid"] is True


def test_official_validator_catches_a_broken_foreign_key(core_copy):
    path = core_copy / "instrument_priority_links.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("INS-DM,PA-03", "INS-XX,PA-03"), encoding="utf-8")
    report = frictionless.validate(str(core_copy / "datapackage.json"))
    types = {e.type for task in report.tasks for e in task.errors}
    assert not report.valid and {"foreign-key", "hash-count"} <= types
