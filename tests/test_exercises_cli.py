"""``dcteach exercises check`` and ``grade`` through the CLI: exit codes and messages."""

from __future__ import annotations

import csv
import json

import nbformat
import pytest

import _exercises_fixtures as fx
from dcteach import cli


@pytest.fixture
def tree(tmp_path, monkeypatch):
    root = fx.make_tree(tmp_path / "tree")
    monkeypatch.setenv("DCTEACH_EXERCISES", str(root))
    return root


def test_check_passes_on_a_good_source(tree, capsys):
    assert cli.main(["exercises", "check", str(tree / "source"), "--timeout", "10"]) == 0
    assert "✔ ok   ex90" in capsys.readouterr().out


def test_check_fails_on_a_wrong_solution_and_a_stub_that_is_not_a_stub(tree, capsys):
    path = tree / "source" / "ex90_fixture.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[3].source = nb.cells[3].source.replace('"operational"', '"strategic"')  # wrong solution
    nb.cells[5].source = "answer_2 = 13"  # a given answer: the student version would already be right
    nbformat.write(nb, str(path))
    assert cli.main(["exercises", "check", str(tree / "source"), "--timeout", "10"]) == 1
    out = capsys.readouterr().out
    assert "✘ FAIL ex90" in out
    assert "solution: 90.1 is 'incorrect'" in out
    assert "student version: 90.2 is 'correct', expected not_attempted" in out


def test_check_reports_a_bank_that_does_not_match_the_notebook(tree, capsys):
    bank = json.loads((tree / "banks" / "ex90.json").read_text("utf-8"))
    bank["questions"].append({**bank["questions"][1], "id": "q4", "number": "90.4"})
    (tree / "banks" / "ex90.json").write_text(json.dumps(bank), "utf-8")
    assert cli.main(["exercises", "check", str(tree / "source"), "--timeout", "10"]) == 1
    assert "90.4 (q4): no answer cell in the notebook" in capsys.readouterr().out


def test_grade_cli_writes_gradebook_and_feedback(tree, tmp_path, capsys):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ana.ipynb").write_text(json.dumps(fx.source_notebook()), "utf-8")
    out = tmp_path / "grades.csv"
    code = cli.main(["exercises", "grade", str(subs), "--source", str(tree / "source"), "--out", str(out),
                     "--timeout", "10", "--workers", "1", "--memory-mb", "1024", "--lang", "ru"])
    assert code == 0
    with out.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["student"], r["total"], r["max"], r["status"]) for r in rows] == [("ana", "3", "6", "graded")]
    feedback = (tmp_path / "grades_feedback" / "ana.md").read_text("utf-8")
    assert feedback.startswith("# Отзыв: ex90 — ana") and "✔ Верно — 90.1." in feedback
    err = capsys.readouterr().err
    assert "1 submission(s): 1 graded" in err and "grading:" in err


@pytest.mark.parametrize("argv, message", [
    (["exercises", "grade", "nowhere", "--source", "x", "--out", "g.csv"],
     "nowhere: SUBMISSIONS must be a folder of notebooks"),
    (["exercises", "grade", ".", "--source", "exercises/source", "--out", "g.csv", "--workers", "0"],
     "--workers must be >= 1"),
    (["exercises", "check", "nowhere"], "nowhere: no such file or folder"),
])
def test_usage_errors_exit_2_without_traceback(argv, message, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1


def test_exercises_without_a_verb_prints_help_and_exits_2(capsys):
    assert cli.main(["exercises"]) == 2
    assert "release" in capsys.readouterr().err
