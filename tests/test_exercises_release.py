"""Release: markers removed, stubs and tags, outputs cleared, the leak check, atomic writes, the CLI."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat
import pytest

import _exercises_fixtures as fx
from dcteach import cli
from dcteach.exercises import release as release_mod
from dcteach.exercises._markers import MarkerError
from dcteach.exercises.release import find_leaks, release_notebook, release_sources

ROOT = Path(__file__).resolve().parent.parent / "exercises"


@pytest.fixture
def source():
    nb = fx.source_notebook()
    nb.cells[4].outputs = [nbformat.v4.new_output("stream", name="stdout", text="✔ Correct — 90.1.")]
    nb.cells[4].execution_count = 7
    return nb


@pytest.fixture
def student(source, monkeypatch, tmp_path):
    monkeypatch.setenv("DCTEACH_EXERCISES", str(fx.make_tree(tmp_path)))
    return release_notebook(source, exercise_id="ex90")


def cell(nb, key):
    return next(c for c in nb["cells"] if c["metadata"]["dcteach"]["cell"] == key)


def test_solution_block_becomes_a_tagged_stub(student):
    answer = cell(student, "ex90-c03")
    assert answer["source"] == ("answer_1 = ...\nraise NotImplementedError('Exercise 90.1: Operational instruments "
                                "citing a WCO document (replace this line with your answer)')")
    assert answer["metadata"]["tags"] == ["raises-exception"]
    assert answer["metadata"]["dcteach"] == {"cell": "ex90-c03", "role": "answer", "question": "q1"}


def test_one_line_solution_keeps_only_its_target(student):
    answer = cell(student, "ex90-c05")
    assert answer["source"] == "answer_2 = ..." and "tags" not in answer["metadata"]


def test_hidden_tests_are_removed_and_hidden_only_cells_dropped(student):
    tests = cell(student, "ex90-c04")
    assert tests["source"] == "ex.q1.check(answer_1)"
    assert tests["metadata"]["editable"] is False and tests["metadata"]["deletable"] is False
    keys = [c["metadata"]["dcteach"]["cell"] for c in student["cells"]]
    assert "ex90-c07" not in keys and "ex90-c09" not in keys


def test_outputs_and_counts_are_cleared_and_ids_are_stable(student):
    code = [c for c in student["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert [c["id"] for c in student["cells"]][:3] == ["ex90-c00", "ex90-c01", "ex90-c02"]
    nbformat.validate(nbformat.from_dict(student))


def test_release_is_deterministic(source, student):
    assert release_notebook(copy.deepcopy(source), exercise_id="ex90") == student


def test_clean_release_has_no_leaks(source, student):
    assert find_leaks(source, student) == []


@pytest.mark.parametrize("inject, expected", [
    (lambda nb: cell(nb, "ex90-c03").update(source=cell(nb, "ex90-c03")["source"] + "\n" + fx.SOLUTION_Q1.splitlines()[1]),
     "solution or hidden-test text survives"),
    (lambda nb: cell(nb, "ex90-c04").update(source="ex.q1.check(answer_1)\nex.q1.grade(answer_1)"),
     "solution or hidden-test text survives: 'ex.q1.grade(answer_1)'"),
    (lambda nb: cell(nb, "ex90-c04").update(outputs=[{"output_type": "stream", "name": "stdout", "text": "x"}]),
     "outputs or execution count not cleared"),
    (lambda nb: cell(nb, "ex90-c05").update(source="answer_2 = 13  # SOLUTION"), "a '# SOLUTION' line survives"),
    (lambda nb: cell(nb, "ex90-c00").update(source="### END SOLUTION"), "marker 'END SOLUTION' survives"),
])
def test_leak_check_catches_an_injected_leak(source, student, inject, expected):
    leaky = copy.deepcopy(student)
    inject(leaky)
    assert any(expected in problem for problem in find_leaks(source, leaky))


def test_unbalanced_markers_are_the_lecturers_error(source):
    source.cells[3].source = "### BEGIN SOLUTION\nx = 1"
    with pytest.raises(MarkerError, match="cell 4: '### BEGIN SOLUTION' is never closed"):
        release_notebook(source, exercise_id="ex90")


def test_release_writes_nothing_when_a_leak_is_found(tmp_path, monkeypatch):
    tree = fx.make_tree(tmp_path / "tree")
    monkeypatch.setenv("DCTEACH_EXERCISES", str(tree))
    real = release_mod.release_notebook

    def leaky(nb, **kwargs):
        out = real(nb, **kwargs)
        out["cells"][3]["source"] += "\n" + fx.SOLUTION_Q1.splitlines()[1]
        return out

    monkeypatch.setattr(release_mod, "release_notebook", leaky)
    out = tmp_path / "student"
    assert cli.main(["exercises", "release", str(tree / "source"), str(out)]) == 1
    assert not out.exists() or not any(out.iterdir())


def test_release_cli_writes_student_versions(tmp_path, monkeypatch, capsys):
    tree = fx.make_tree(tmp_path / "tree")
    monkeypatch.setenv("DCTEACH_EXERCISES", str(tree))
    assert cli.main(["exercises", "release", str(tree / "source"), str(tmp_path / "out")]) == 0
    written = tmp_path / "out" / "ex90_fixture.ipynb"
    assert str(written) in capsys.readouterr().out
    text = written.read_text("utf-8")
    assert "BEGIN SOLUTION" not in text and "raises-exception" in text
    written = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert "ex90_fixture.ipynb" in written and "banks/ex90.json" in written
    assert not [n for n in written if ".tmp" in n]  # no temporary files left
    student_bank = json.loads((tmp_path / "out" / "banks" / "ex90.json").read_text("utf-8"))
    assert student_bank["release"]["student"] and "value" not in student_bank["questions"][1]["checker"]


@pytest.mark.parametrize("argv, message", [
    (["exercises", "release", "nowhere", "out"], "nowhere: no such file or folder"),
    (["exercises", "release", str(ROOT / "source"), str(ROOT / "source")], "OUT is the source folder"),
])
def test_release_usage_errors_exit_2_with_one_line(argv, message, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_committed_student_versions_are_up_to_date_and_clean(tmp_path):
    release_sources(ROOT / "source", tmp_path)
    for path in sorted(p for p in tmp_path.rglob("*") if p.is_file()):
        relative = path.relative_to(tmp_path)
        committed = ROOT / "student" / relative
        assert committed.is_file(), f"re-run: dcteach exercises release exercises/source exercises/student ({relative})"
        assert committed.read_text("utf-8") == path.read_text("utf-8"), f"re-run: dcteach exercises release exercises/source exercises/student ({relative})"
        if relative.parts[0] in ("banks", "quiz"):
            continue
        assert committed.read_text("utf-8") == path.read_text("utf-8"), f"re-run: dcteach exercises release exercises/source exercises/student ({path.name})"
        source = json.loads((ROOT / "source" / path.name).read_text("utf-8"))
        assert find_leaks(source, json.loads(committed.read_text("utf-8"))) == []


def test_every_course_notebook_has_an_exercise():
    numbers = {json.loads(p.read_text("utf-8"))["notebook"] for p in (ROOT / "banks").glob("ex*.json")}
    assert {f"{n:02d}" for n in range(1, 9)} <= numbers


def _shipped_texts(wheel_or_folder) -> dict[str, str]:
    import zipfile

    if str(wheel_or_folder).endswith(".whl"):
        archive = zipfile.ZipFile(wheel_or_folder)
        return {n: archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
                if n.endswith((".json", ".ipynb", ".py", ".md", ".txt"))}
    return {str(p): p.read_text("utf-8", "replace") for p in Path(wheel_or_folder).rglob("*")
            if p.is_file() and p.suffix in (".json", ".ipynb", ".md")}


def _lecturer_keys(*, quiz: bool = True, min_length: int = 0) -> list[str]:
    from dcteach.exercises._student import lecturer_secrets, quiz_secrets
    from dcteach.quiz import BANKS_DIR

    secrets = []
    for path in sorted((ROOT / "banks").glob("*.json")):
        secrets += lecturer_secrets(json.loads(path.read_text("utf-8")))
    for path in sorted(BANKS_DIR.glob("*.json")) if quiz else []:
        bank = json.loads(path.read_text("utf-8"))
        if not (bank.get("release") or {}).get("student"):
            secrets += quiz_secrets(bank)
    return sorted(s for s in set(secrets) if len(s) >= min_length)


def _leaks(texts: dict[str, str], secrets: list[str]) -> list[str]:
    found = []
    for name, text in texts.items():
        variants = (text, json.dumps(text)[1:-1])  # as written, and as escaped inside JSON
        found += [f"{name}: {s[:50]!r}" for s in secrets if any(s in v for v in variants)]
    return found


def _scan(texts: dict[str, str]) -> list[str]:
    """Banks and exercise files: every key; everything else but code: the long keys of the exercise banks.

    Short quiz answers ("Brussels") and the data they come from are rightly everywhere in the course; a
    model answer, a solution, a computed id list or a query is not.
    """
    banks = {n: t for n, t in texts.items() if "/banks/" in n or "exercises/student" in n or n.startswith("banks/")
             or n.startswith("quiz/")}
    rest = {n: t for n, t in texts.items() if n not in banks and not n.endswith(".py")}
    return _leaks(banks, _lecturer_keys()) + _leaks(rest, _lecturer_keys(quiz=False, min_length=20))


def test_the_release_holds_no_key_of_the_lecturer_banks(tmp_path):
    release_sources(ROOT / "source", tmp_path)
    texts = {str(Path(n).relative_to(tmp_path)): t for n, t in _shipped_texts(tmp_path).items()}
    assert any(n.startswith("banks/") for n in texts) and any(n.startswith("quiz/") for n in texts)
    assert _scan(texts) == []


def test_the_wheel_holds_no_key_of_the_lecturer_banks(tmp_path):
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(ROOT.parent)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("dcteach-*.whl"))
    texts = _shipped_texts(wheel)
    shipped_banks = [n for n in texts if "/banks/" in n]
    assert any(n.startswith("dcteach/exercises/banks/") for n in shipped_banks)
    assert any(n.startswith("dcteach/quiz/banks/") for n in shipped_banks)
    for name in shipped_banks:
        assert json.loads(texts[name])["release"]["student"] is True, name
    assert _scan(texts) == []
