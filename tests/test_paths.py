"""Every command checks that it can write its outputs before it works (``dcteach/_paths.py``).

One line (the path, the reason, what to do), exit 2, nothing written; a missing
parent folder is refused the same way by every command.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dcteach.cli import main

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def unwritable(tmp_path):
    """A folder the current user cannot write into: mode 555, or for root an immutable folder."""
    folder = tmp_path / "locked"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    proc = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
    assert proc.returncode == 0, f"root needs chattr (e2fsprogs) for this test: {proc.stderr}"
    try:
        yield folder
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def one_line(capsys, *argv) -> tuple[int, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return code, lines[0]


def _commands(target: Path, tmp_path: Path) -> dict[str, list[str]]:
    subs = tmp_path / "subs"
    subs.mkdir(exist_ok=True)
    (subs / "alice.ipynb").write_text("{}", encoding="utf-8")
    return {
        "export": ["datasets", "export", "enablers", "--to", str(target / "x.csv")],
        "grade": ["exercises", "grade", str(subs), "--source", str(REPO / "exercises" / "source"),
                  "--out", str(target / "g.csv")],
        "extension": ["extension", "new", str(target / "myext")],
        "release": ["exercises", "release", str(REPO / "exercises" / "source"), str(target / "out")],
    }


@pytest.mark.parametrize("command", ["export", "grade", "extension", "release"])
def test_unwritable_folder_is_one_line_before_any_work(capsys, tmp_path, unwritable, command, monkeypatch):
    import dcteach.exercises.grade as grade

    def never(*a, **k):  # grading must not even start
        raise AssertionError("grading started before the output check")

    monkeypatch.setattr(grade, "grade_submissions", never)
    code, line = one_line(capsys, *_commands(unwritable, tmp_path)[command])
    assert code == 2
    assert str(unwritable) in line and "permission denied" in line
    assert "choose a folder you can write to" in line
    assert list(unwritable.iterdir()) == []


@pytest.mark.parametrize("command", ["export", "grade", "extension", "release"])
def test_missing_parent_folder_is_refused_the_same_way_everywhere(capsys, tmp_path, command, monkeypatch):
    import dcteach.exercises.grade as grade

    monkeypatch.setattr(grade, "grade_submissions", lambda *a, **k: pytest.fail("grading started"))
    missing = tmp_path / "no" / "such"
    code, line = one_line(capsys, *_commands(missing, tmp_path)[command])
    assert code == 2
    assert f"folder {missing} does not exist" in line and f"mkdir -p {missing}" in line
    assert not (tmp_path / "no").exists()  # never created behind the user's back


def test_grade_with_no_submissions_is_one_line_and_fails(capsys, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, line = one_line(capsys, "exercises", "grade", str(empty), "--source", str(REPO / "exercises" / "source"),
                          "--out", str(tmp_path / "g.csv"))
    assert code == 2 and "nothing to grade" in line and str(empty) in line
    assert not (tmp_path / "g.csv").exists()


def test_output_that_is_a_folder(capsys, tmp_path):
    code, line = one_line(capsys, "datasets", "export", "enablers", "--to", str(tmp_path) + "/")
    assert code == 2


def test_console_script_as_user_sees_no_traceback(tmp_path, unwritable):
    proc = subprocess.run([sys.executable, "-m", "dcteach.cli", "datasets", "export", "enablers",
                           "--to", str(unwritable / "x.csv")], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("dcteach datasets: error: cannot write --to ")
