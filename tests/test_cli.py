"""The dcteach command line: verbs, exit codes, messages without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dcteach import load_dataset
from dcteach.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_datasets_list(capsys):
    code, out, _ = run(capsys, "datasets", "list")
    assert code == 0
    assert "instruments                 24 rows  WCO instruments and tools" in out
    assert len(out.strip().splitlines()) == 20


def test_datasets_show_in_russian(capsys):
    code, out, _ = run(capsys, "datasets", "show", "enablers", "--lang", "ru")
    assert code == 0 and "Правовая основа" in out and "p. 194, l. 63" in out


def test_datasets_show_describe(capsys):
    code, out, _ = run(capsys, "datasets", "show", "instruments", "--describe")
    assert code == 0 and "group (string, required); values: strategic, political_legal, operational" in out


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_datasets_export(capsys, tmp_path, suffix):
    target = tmp_path / f"ins{suffix}"
    code, _, err = run(capsys, "datasets", "export", "instruments", "--to", str(target), "--lang", "ru")
    assert code == 0 and "wrote 24 rows" in err
    text = target.read_text(encoding="utf-8")
    assert "операционные" in text  # Unicode kept, labels translated
    if suffix == ".json":
        assert len(json.loads(text)) == 24
    # refuses to overwrite without --force, and the file is untouched
    before = target.read_bytes()
    code, _, err = run(capsys, "datasets", "export", "enablers", "--to", str(target))
    assert code == 2 and "--force" in err and target.read_bytes() == before


def test_export_bad_target(capsys, tmp_path):
    code, _, err = run(capsys, "datasets", "export", "enablers", "--to", str(tmp_path / "x.xlsx"))
    assert code == 2 and ".csv or .json" in err
    code, _, err = run(capsys, "datasets", "export", "enablers", "--to", str(tmp_path / "no" / "x.csv"))
    assert code == 2 and "does not exist" in err


def test_unknown_dataset_exits_2_with_one_line(capsys):
    code, out, err = run(capsys, "datasets", "show", "nope")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Valid names: enablers" in err


def test_cite(capsys):
    code, out, _ = run(capsys, "cite", "SRC-04", "--format", "csl-json")
    assert code == 0 and json.loads(out)[0]["number"] == "HC0083E1a"
    code, _, err = run(capsys, "cite", "FN-40")
    assert code == 2 and "not a bibliographic reference" in err


def test_course_dry_run_binds_loopback_with_token(capsys, tmp_path):
    code, out, err = run(capsys, "course", "--dry-run", "--no-browser", "--port", "8765", "--token", "abc", "--lang", "ru")
    assert code == 0
    assert "--ServerApp.ip=127.0.0.1" in out and "--IdentityProvider.token=abc" in out
    assert "http://127.0.0.1:8765/lab?token=abc" in err


def test_course_copies_notebooks_once(capsys, tmp_path):
    target = tmp_path / "my-course"
    from dcteach.cli.course import course_dir

    (tmp_path / "src").mkdir()
    assert course_dir(target) == target.resolve() and target.is_dir()
    (target / "mine.txt").write_text("student work", encoding="utf-8")
    assert course_dir(target) == target.resolve()
    assert (target / "mine.txt").read_text(encoding="utf-8") == "student work"


def test_course_rejects_bad_options(capsys, tmp_path):
    code, _, err = run(capsys, "course", "--dry-run", "--port", "70000")
    assert code == 2 and "between 1 and 65535" in err
    f = tmp_path / "file"
    f.write_text("x")
    code, _, err = run(capsys, "course", "--dry-run", "--dir", str(f))
    assert code == 2 and "not a folder" in err


def test_console_script_usage_error_has_no_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "dcteach.cli", "datasets", "show", "enabler"],
        capture_output=True, text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "Did you mean 'enablers'" in proc.stderr


def test_argparse_usage_error_exits_2():
    proc = subprocess.run([sys.executable, "-m", "dcteach.cli", "datasets"], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_corrupt_core_file_exits_1(capsys, core_copy):
    (core_copy / "events.csv").write_text("broken", encoding="utf-8")
    code, _, err = run(capsys, "datasets", "show", "events")
    assert code == 1 and "events.csv" in err and "restore" in err
    assert len(load_dataset("enablers")) == 7


def test_atomic_write_keeps_mode_and_leaves_nothing_behind(tmp_path, monkeypatch):
    import os

    from dcteach._atomic import write_text

    target = tmp_path / "a.txt"
    target.write_text("old")
    target.chmod(0o600)
    write_text(target, "new ✓")
    assert target.read_text(encoding="utf-8") == "new ✓" and (target.stat().st_mode & 0o777) == 0o600
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        write_text(target, "newer")
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
