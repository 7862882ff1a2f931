"""Grading: good and wrong submissions, and every kind of bad or hostile input.

One grading run over a folder holding all cases (two kernels at a time, 5 s
per cell, 1 GiB address space) feeds most tests; each test checks its own row.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
from pathlib import Path

import nbformat
import pytest

import _exercises_fixtures as fx
from dcteach.exercises import grade as grade_mod
from dcteach.exercises.grade import assemble, discover, grade_submissions, load_sources
from dcteach.exercises.release import release_notebook

TIMEOUT = 15  # per cell: importing pandas alone takes seconds on a loaded 2-core machine
MEMORY_MB = 1024
GOOD = {"ex90-c03": "import dcteach\n" + fx.SOLUTION_Q1, "ex90-c05": "answer_2 = 13",
        "ex90-c08": 'essay_3 = "Digital customs lacks its own definition, competencies and instruments."'}


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = fx.make_tree(tmp_path_factory.mktemp("exercises"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DCTEACH_EXERCISES", str(root))
        yield root


@pytest.fixture(scope="module")
def student(tree):
    return release_notebook(fx.source_notebook(), exercise_id="ex90")


def make(student: dict, answers: dict[str, str], *, drop=(), duplicate=(), edit=None) -> dict:
    """A submission: the student version with answer cells replaced (by key)."""
    nb = copy.deepcopy(student)
    cells = []
    for cell in nb["cells"]:
        key = cell["metadata"]["dcteach"]["cell"]
        if key in drop:
            continue
        if key in answers:
            cell["source"] = answers[key]
        if edit and key in edit:
            cell["source"] = edit[key]
        cells.append(cell)
        if key in duplicate:
            twin = copy.deepcopy(cell)
            twin["id"] = twin["id"] + "-copy"
            twin["source"] = "print('my own copy of the tests')"
            cells.append(twin)
    nb["cells"] = cells
    return nb


def write(folder: Path, name: str, nb: dict) -> None:
    (folder / name).write_text(json.dumps(nb), "utf-8")


@pytest.fixture(scope="module")
def graded(tree, student, tmp_path_factory):
    base = tmp_path_factory.mktemp("grading")
    subs = base / "submissions"
    subs.mkdir()
    outside = base / "outside"
    outside.mkdir()
    source_copy = base / "source"
    source_copy.mkdir()
    (source_copy / "ex90_fixture.ipynb").write_bytes((tree / "source" / "ex90_fixture.ipynb").read_bytes())
    out = base / "out" / "grades.csv"

    write(subs, "good.ipynb", make(student, GOOD))
    write(subs, "wrong.ipynb", make(student, {"ex90-c03": 'answer_1 = {"INS-SP"}', "ex90-c05": "answer_2 = 12"}))
    write(subs, "stub.ipynb", student)
    (subs / "badjson.ipynb").write_text('{"cells": [', "utf-8")
    (subs / "picture.ipynb").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    write(subs, "notnb.ipynb", {"hello": "world"})
    (subs / "essay.txt").write_text("My essay, not a notebook.", "utf-8")
    write(subs, "deleted.ipynb", make(student, GOOD, drop=("ex90-c01", "ex90-c04")))
    write(subs, "duplicated.ipynb", make(student, GOOD, duplicate=("ex90-c04", "ex90-c01")))
    write(subs, "tampered.ipynb", make(student, {"ex90-c03": 'answer_1 = {"INS-SP"}'},
                                       edit={"ex90-c04": "print('✔ Correct')"}))
    nometa = make(student, GOOD)
    nometa["metadata"] = {}
    nometa["nbformat_minor"] = 4
    for cell in nometa["cells"]:
        cell["metadata"] = {}
        cell.pop("id", None)
    write(subs, "nometa.ipynb", nometa)
    write(subs, "loop.ipynb", make(student, {**GOOD, "ex90-c03": "while True:\n    pass"}))
    write(subs, "dies.ipynb", make(student, {**GOOD, "ex90-c05": "import os\nos._exit(3)"}))
    write(subs, "memory.ipynb", make(student, {**GOOD, "ex90-c03": "hog = bytearray(8 * 1024**3)"}))
    write(subs, "huge.ipynb", make(student, {**GOOD, "ex90-c03": GOOD["ex90-c03"] + "\nprint('x' * 3_000_000)"}))
    attack = (
        "import pathlib\n"
        f"for target in [{str(out)!r}, 'grades.csv', '../grades.csv', {str(source_copy / 'ex90_fixture.ipynb')!r}]:\n"
        "    try:\n"
        "        pathlib.Path(target).write_text('hacked')\n"
        "    except OSError:\n"
        "        pass\n"
        "answer_1 = {'INS-SP'}"
    )
    write(subs, "attacker.ipynb", make(student, {"ex90-c03": attack}))
    write(outside, "secret.ipynb", make(student, GOOD))
    (subs / "sneaky.ipynb").symlink_to(outside / "secret.ipynb")
    (subs / "mallory").symlink_to(outside, target_is_directory=True)
    write(subs, "a\\..\\..\\evil.ipynb", make(student, GOOD))
    write(subs, ".hidden.ipynb", make(student, GOOD))
    write(subs, "partial.ipynb", make(student, {**GOOD, "ex90-c03": GOOD["ex90-c03"]
                                                + "\nanswer_1 = set(sorted(answer_1)[1:])"}))
    write(subs, "Иванов.ipynb", make(student, GOOD))
    write(subs, "Петров.ipynb", make(student, {**GOOD, "ex90-c05": "answer_2 = 12"}))
    write(subs, "bob.ipynb", make(student, GOOD))
    write(subs, "bob_.ipynb", student)
    write(subs, "Jos\u00e9.ipynb", make(student, GOOD))
    write(subs, "Jose\u0301.ipynb", student)
    write(subs, "syntax.ipynb", make(student, {**GOOD, "ex90-c08": "essay_3 = 'it's a quoted essay'"}))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_name("marks.csv").write_text(
        "student,exercise,question,criterion,level,points,comment,marker,time\n"
        "Иванов,ex90,q3,c1,2,1,first reading,T,2026-12-01T09:00\n"
        "Иванов,ex90,q3,c1,3,2,ясно и по делу,T,2026-12-01T10:00\n", "utf-8")

    stream = io.StringIO()
    rows = grade_submissions(subs, source=source_copy, out=out, timeout=TIMEOUT, workers=2,
                             memory_mb=MEMORY_MB, progress_stream=stream, max_output_chars=20_000)
    return {"rows": {r["file"]: r for r in rows}, "out": out, "subs": subs, "base": base,
            "progress": stream.getvalue(), "feedback": out.with_name("grades_feedback")}


def test_partial_credit_for_ten_of_eleven(graded):
    row = graded["rows"]["partial.ipynb"]
    assert 0 < float(row["q1"]) < 2 and row["q2"] == "1"


def test_cyrillic_names_are_kept_and_never_share_a_row_or_a_feedback_file(graded):
    rows = graded["rows"]
    assert (rows["Иванов.ipynb"]["student"], rows["Петров.ipynb"]["student"]) == ("Иванов", "Петров")
    assert (rows["Иванов.ipynb"]["q2"], rows["Петров.ipynb"]["q2"]) == ("1", "0")
    assert "— Иванов" in (graded["feedback"] / "Иванов.md").read_text("utf-8")
    assert "— Петров" in (graded["feedback"] / "Петров.md").read_text("utf-8")
    assert (rows["bob.ipynb"]["total"], rows["bob_.ipynb"]["total"]) == ("3", "0")
    assert (graded["feedback"] / "bob.md").is_file() and (graded["feedback"] / "bob_.md").is_file()


def test_names_that_cannot_be_told_apart_are_refused(graded):
    for name in ("Jos\u00e9.ipynb", "Jose\u0301.ipynb"):
        row = graded["rows"][name]
        assert row["status"] == "invalid" and "cannot be told apart" in row["reason"], row


def test_a_syntax_error_in_an_answer_is_reported_with_its_line(graded):
    text = (graded["feedback"] / "syntax.md").read_text("utf-8")
    assert "syntax error on line 1" in text and "is not defined" not in text


def test_manual_marks_fill_open_tasks_and_the_feedback_shows_them(graded):
    row = graded["rows"]["Иванов.ipynb"]
    assert (row["q3"], row["total"], row["max"]) == ("2", "5", "6")
    assert "awaiting marking" not in row["reason"]
    text = (graded["feedback"] / "Иванов.md").read_text("utf-8")
    assert "ясно и по делу" in text and "first reading" not in text


def test_good_submission_gets_full_marks(graded):
    row = graded["rows"]["good.ipynb"]
    assert (row["q1"], row["q2"], row["q3"], row["total"], row["max"], row["status"]) == ("2", "1", "", "3", "6", "graded")
    assert "awaiting marking" in row["reason"]
    text = (graded["feedback"] / "good.md").read_text("utf-8")
    assert "✔ Correct — 90.1." in text and "[3] names the three gaps" in text


def test_wrong_submission_gets_zero_with_feedback_that_teaches(graded):
    row = graded["rows"]["wrong.ipynb"]
    assert (row["q1"], row["q2"], row["total"], row["status"]) == ("0", "0", "0", "graded")
    text = (graded["feedback"] / "wrong.md").read_text("utf-8")
    assert "✘ Not yet — 90.1." in text and "id(s) are missing" in text
    assert "Your answer: `{'INS-SP'}`" in text
    assert "Hint 1 of 2 — 90.1" in text


def test_unchanged_student_version_is_not_attempted(graded):
    row = graded["rows"]["stub.ipynb"]
    assert (row["q1"], row["q2"], row["q3"], row["status"]) == ("0", "0", "0", "graded")
    assert "○ Not attempted" in (graded["feedback"] / "stub.md").read_text("utf-8")


def test_invalid_json_gets_a_row(graded):
    row = graded["rows"]["badjson.ipynb"]
    assert row["status"] == "invalid" and row["reason"].startswith("invalid JSON (line 1")


def test_binary_file_is_not_a_notebook(graded):
    row = graded["rows"]["picture.ipynb"]
    assert row["status"] == "invalid" and "not a notebook" in row["reason"]


def test_json_that_is_not_a_notebook(graded):
    row = graded["rows"]["notnb.ipynb"]
    assert row["status"] == "invalid" and "not a Jupyter notebook" in row["reason"]


def test_other_file_types_get_a_row(graded):
    row = graded["rows"]["essay.txt"]
    assert row["status"] == "invalid" and "expected a .ipynb file" in row["reason"]


def test_deleted_locked_cells_are_restored(graded):
    row = graded["rows"]["deleted.ipynb"]
    assert (row["total"], row["status"]) == ("3", "graded")
    assert "2 locked cell(s) were missing and were restored" in row["reason"]


def test_duplicated_locked_cells_are_dropped(graded):
    row = graded["rows"]["duplicated.ipynb"]
    assert (row["total"], row["status"]) == ("3", "graded")
    assert "2 duplicated locked cell(s) dropped" in row["reason"]


def test_students_copy_of_the_tests_is_never_run(graded):
    row = graded["rows"]["tampered.ipynb"]
    assert row["q1"] == "0"  # the lecturer's hidden test ran, not the student's print


def test_missing_metadata_matches_cells_by_text(graded):
    row = graded["rows"]["nometa.ipynb"]
    assert (row["exercise"], row["total"], row["status"]) == ("ex90", "3", "graded")
    assert "metadata missing" in row["reason"]


def test_infinite_loop_is_interrupted_and_the_rest_still_graded(graded):
    row = graded["rows"]["loop.ipynb"]
    assert row["status"] == "timeout" and f"longer than {TIMEOUT} s" in row["reason"]
    assert (row["q1"], row["q2"]) == ("0", "1")


def test_kernel_that_dies_gets_a_row(graded):
    row = graded["rows"]["dies.ipynb"]
    assert row["status"] == "kernel_died" and "the kernel stopped" in row["reason"]
    assert (row["q1"], row["q2"]) == ("2", "0")


def test_memory_exhaustion_is_capped(graded):
    row = graded["rows"]["memory.ipynb"]
    assert row["status"] == "out_of_memory" and f"cap {MEMORY_MB} MB" in row["reason"]
    assert row["q2"] == "1"


def test_huge_output_is_capped(graded):
    row = graded["rows"]["huge.ipynb"]
    assert row["status"] == "graded" and "capped at 20000 characters" in row["reason"]
    assert row["q1"] == "2"
    assert (graded["feedback"] / "huge.md").stat().st_size < 20_000


def test_code_cannot_overwrite_the_gradebook_or_the_hidden_tests(graded):
    row = graded["rows"]["attacker.ipynb"]
    assert row["q1"] == "0" and row["status"] == "graded"
    text = graded["out"].read_text("utf-8")
    assert "hacked" not in text and text.startswith("student,exercise,file,q1,q2,q3,total")
    # the sandbox hides the lecturer source: it is never changed (nor even seen)
    assert "lecturer source(s) changed on disk during grading" not in graded["progress"]
    assert "hacked" not in (graded["base"] / "source" / "ex90_fixture.ipynb").read_text("utf-8")


def test_symlinks_out_of_the_folder_are_refused(graded):
    for name in ("sneaky.ipynb", "mallory"):
        row = graded["rows"][name]
        assert row["status"] == "invalid" and row["reason"].startswith("refused: a symbolic link")


def test_names_that_try_to_escape_stay_inside_the_feedback_folder(graded):
    row = graded["rows"]["a\\..\\..\\evil.ipynb"]
    assert (row["student"], row["status"]) == ("a\\..\\..\\evil", "graded")  # kept as written
    written = {p.resolve() for p in graded["base"].rglob("*.md")}
    assert all(p.parent == graded["feedback"].resolve() for p in written)


def test_every_file_has_exactly_one_row_and_hidden_files_are_skipped(graded):
    with graded["out"].open(newline="", encoding="utf-8") as stream:
        files = [r["file"] for r in csv.DictReader(stream)]
    expected = sorted(p.name for p in graded["subs"].iterdir() if not p.name.startswith("."))
    assert sorted(files) == expected


def test_rerun_skips_unchanged_submissions_and_regrades_changed_ones(tree, student, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    write(subs, "ana.ipynb", make(student, GOOD))
    write(subs, "boris.ipynb", student)
    out = tmp_path / "grades.csv"
    first = grade_submissions(subs, source=tree / "source", out=out, timeout=TIMEOUT, memory_mb=MEMORY_MB,
                              progress_stream=io.StringIO())
    write(subs, "boris.ipynb", make(student, {"ex90-c05": "answer_2 = 13"}))
    stream = io.StringIO()
    second = grade_submissions(subs, source=tree / "source", out=out, timeout=TIMEOUT, memory_mb=MEMORY_MB,
                               progress_stream=stream)
    assert "ana.ipynb: unchanged, skipped" in stream.getvalue()
    assert "boris.ipynb: graded" in stream.getvalue()
    assert first[0] == second[0]
    assert (first[1]["total"], second[1]["total"]) == ("0", "1")
    # a manual mark added later is kept by every re-run and regrades only that submission
    out.with_name("marks.csv").write_text("student,exercise,question,criterion,level,points,comment,marker,time\n"
                                          "ana,ex90,q3,c1,4,3,,T,2026-12-01T10:00\n", "utf-8")
    stream = io.StringIO()
    third = grade_submissions(subs, source=tree / "source", out=out, timeout=TIMEOUT, memory_mb=MEMORY_MB,
                              progress_stream=stream)
    fourth = grade_submissions(subs, source=tree / "source", out=out, timeout=TIMEOUT, memory_mb=MEMORY_MB,
                               progress_stream=io.StringIO())
    assert "boris.ipynb: unchanged, skipped" in stream.getvalue()
    assert (third[0]["q3"], third[0]["total"]) == (fourth[0]["q3"], fourth[0]["total"]) == ("3", "6")


def test_gradebook_write_is_atomic(tmp_path, monkeypatch):
    out = tmp_path / "grades.csv"
    out.write_text("old gradebook\n", "utf-8")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    row = {"student": "a", "exercise": "ex90", "file": "a.ipynb", "q1": 1, "total": "1", "max": "1",
           "status": "graded", "reason": "", "sha256": "x"}
    with pytest.raises(OSError):
        grade_mod._write_gradebook(out, {"a.ipynb": row})
    assert out.read_text("utf-8") == "old gradebook\n"
    assert [p.name for p in tmp_path.iterdir()] == ["grades.csv"]


def test_assemble_inserts_hidden_only_cells_and_maps_tests(tree, student):
    source = load_sources(tree / "source")["ex90"]
    assembled = assemble(source, make(student, GOOD))
    sources = [cell.source for cell in assembled.nb.cells]
    assert any(s.startswith("### BEGIN HIDDEN TESTS\nex.q2.grade") for s in sources)
    assert sorted(set(assembled.tests.values())) == ["q1", "q2", "q3"]
    assert assembled.notes == []


def test_discover_rejects_a_file_instead_of_a_folder(tmp_path):
    from dcteach._errors import UsageError

    (tmp_path / "x.ipynb").write_text("{}")
    with pytest.raises(UsageError, match="must be a folder"):
        discover(tmp_path / "x.ipynb")


def test_nbformat_round_trip_of_the_student_version_is_valid(student):
    nbformat.validate(nbformat.from_dict(student))
