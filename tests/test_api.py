"""The public API as a newcomer meets it in a REPL and in a notebook."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import dcteach
from dcteach._errors import UsageError as PrivateName

REPO = Path(__file__).resolve().parent.parent


def test_dir_shows_only_the_public_api():
    names = dir(dcteach)
    assert "annotations" not in names and "importlib" not in names
    assert set(names) == set(dcteach.__all__)
    for name in names:
        getattr(dcteach, name)  # every listed name exists


def test_errors_have_public_names():
    assert dcteach.UsageError is PrivateName
    assert repr(dcteach.UsageError("x")) == "dcteach.UsageError('x')"
    proc = subprocess.run([sys.executable, "-c", "import dcteach; dcteach.load_dataset('nosuch')"],
                          capture_output=True, text=True)
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("dcteach.UnknownDatasetError: no dataset named 'nosuch'")
    assert "_errors" not in proc.stderr.split("File")[-1].split("\n", 2)[-1]


def test_unknown_dataset_is_a_dataset_error_and_still_a_usage_error():
    with pytest.raises(dcteach.DatasetError) as exc:
        dcteach.load_dataset("nosuch")
    assert isinstance(exc.value, dcteach.UsageError) and isinstance(exc.value, ValueError)
    assert exc.value.exit_code == 2
    with pytest.raises(dcteach.UsageError):  # existing except clauses keep working
        dcteach.load_dataset("nosuch")


def test_describe_is_readable_in_a_repl_and_rich_in_a_notebook():
    d = dcteach.describe("instruments")
    text = repr(d)
    assert text.startswith("instruments: WCO instruments and tools") and "group (string, required)" in text
    html = d._repr_html_()
    assert "<table" in html and "<caption>Fields</caption>" in html and "<code>group</code>" in html


def test_self_assessment_refuses_an_initial_level_off_the_scale():
    from dcteach.widgets import SelfAssessment

    with pytest.raises(dcteach.UsageError, match=r"initial=9.*between 0 and 4"):
        SelfAssessment(initial=9)
    with pytest.raises(dcteach.UsageError):
        SelfAssessment(initial=-1)
    assert SelfAssessment(initial=4).scores["EN-01"] == 4


def test_course_installs_only_what_the_course_needs():
    meta = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = " ".join(meta["dependencies"]).lower()
    for tool in ("pytest", "playwright", "voila", "frictionless", "nbval", "axe"):
        assert tool not in core
    test_extra = " ".join(meta["optional-dependencies"]["test"]).lower()
    assert "axe-playwright-python" in test_extra and "pytest" in test_extra
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    course_install = [line for line in makefile.splitlines() if "$(PIP)" in line]
    assert course_install[0].strip() == "$(PIP) -e ." and "[test]" in course_install[1]
    assert "-qq" not in makefile and "--progress-bar on" in makefile


def test_make_dry_run_of_course_does_not_install_test_tools(tmp_path):
    proc = subprocess.run(["make", "-n", "-C", str(REPO), "course", f"VENV={tmp_path / 'v'}"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "pip install" in proc.stdout and "[test]" not in proc.stdout
