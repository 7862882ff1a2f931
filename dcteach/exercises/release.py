"""Make student versions of lecturer sources, and prove nothing leaked.

``release_notebook`` is a pure function (source dict -> student dict);
``find_leaks`` compares the two; ``release_sources`` does both for a file or a folder
and writes only if every notebook is clean.

What changes in a student version
---------------------------------
* ``### BEGIN SOLUTION`` … ``### END SOLUTION`` becomes
  ``raise NotImplementedError("Exercise 4.1: …")`` and the cell is tagged
  ``raises-exception`` (so "Run all" goes on past it);
* a line ending in ``# SOLUTION`` keeps only its target: ``x = ...``;
* ``### BEGIN HIDDEN TESTS`` … ``### END HIDDEN TESTS`` disappears (a cell that
  only held hidden tests disappears too; the grader puts it back);
* outputs and execution counts are cleared; lecturer metadata is dropped;
* every cell gets ``metadata.dcteach = {"cell", "role", "question"}`` and a
  stable ``id`` so the grader can match it; locked cells are marked
  ``editable: false`` and ``deletable: false``.

>>> src = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
...   {"cell_type": "code", "id": "a1", "metadata": {"dcteach": {"question": "q1"}}, "outputs": [],
...    "execution_count": 3,
...    "source": "answer = ...\\n### BEGIN SOLUTION\\nanswer = sorted(ids)\\n### END SOLUTION"}]}
>>> student = release_notebook(src, exercise_id="ex99")
>>> print(student["cells"][0]["source"])
answer = ...
raise NotImplementedError('Exercise ex99, q1: write your answer here')
>>> student["cells"][0]["metadata"]["tags"]
['raises-exception']
>>> find_leaks(src, student)
[]
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path

from dcteach._errors import DcteachError, UsageError
from dcteach._atomic import write_text
from dcteach.exercises._bank import load_bank, normalise_id
from dcteach.exercises._markers import MARKER_TEXTS, secret_lines, split_regions, strip_one_line
from dcteach.exercises._notebook import analyse, cell_source, exercise_of

__all__ = ["LeakError", "find_leaks", "read_notebook", "release_notebook", "release_sources", "source_notebooks"]

_VALID_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_ANSWER_HERE = "_Your answer here. / Ваш ответ._"
_LOCKED = {"editable": False, "deletable": False}


class LeakError(DcteachError):
    """A student version still contains solution text or hidden tests."""


def _stub_text(exercise_id: str, question: str | None, bank: dict | None) -> str:
    spec = next((q for q in (bank or {}).get("questions", []) if q["id"] == question), None)
    if spec:
        return f"Exercise {spec['number']}: {spec['title']['en']} (replace this line with your answer)"
    return f"Exercise {exercise_id}, {question or 'answer'}: write your answer here"


def _cell_id(key: str) -> str:
    return key if _VALID_ID.match(key) else "c-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def _release_source(source: str, cell_type: str, stub: str) -> tuple[str, bool]:
    """Return (student source, whether a raising stub was inserted)."""
    lines: list[str] = []
    raised = False
    for region in split_regions(source):
        if region.kind == "hidden":
            continue
        if region.kind == "solution":
            if cell_type == "code":
                lines.append(f"{region.indent}raise NotImplementedError({stub!r})")
                raised = True
            else:
                lines.append(_ANSWER_HERE)
            continue
        for line in region.lines:
            student = strip_one_line(line) if cell_type == "code" else None
            lines.append(line if student is None else student)
    return "\n".join(lines).strip("\n"), raised


def release_notebook(source_nb: dict, *, exercise_id: str | None = None, bank: dict | None = None) -> dict:
    """Return the student version of a lecturer source notebook (a new dict).

    ``exercise_id`` defaults to the notebook's ``metadata.dcteach.exercise``;
    ``bank`` (for the stub wording) is loaded if available.

    Raises
    ------
    dcteach.exercises._markers.MarkerError
        If markers are unbalanced.
    """
    exercise_id = exercise_id or exercise_of(source_nb) or "exercise"
    if bank is None:
        try:
            bank = load_bank(exercise_id)
        except DcteachError:
            bank = None
    infos = analyse(source_nb, strict=True)
    cells = []
    for info, cell in zip(infos, source_nb["cells"]):
        where = f"cell {info.index + 1}"
        cell_type = cell.get("cell_type", "raw")
        stub = _stub_text(exercise_id, info.question, bank)
        try:
            text, raised = _release_source(cell_source(cell), cell_type, stub)
        except DcteachError as exc:
            raise type(exc)(f"{exercise_id}, {where}: {exc}") from None
        if not text.strip() and cell_source(cell).strip():
            continue  # the cell held only hidden tests: the grader re-inserts it
        tags = [t for t in cell.get("metadata", {}).get("tags", []) if t != "raises-exception"]
        if raised:
            tags.append("raises-exception")
        metadata: dict = {"dcteach": {"cell": info.key, "role": info.role}}
        if info.question:
            metadata["dcteach"]["question"] = info.question
        if tags:
            metadata["tags"] = tags
        if info.role in ("tests", "locked"):
            metadata.update(_LOCKED)
        new = {"cell_type": cell_type, "id": _cell_id(info.key), "metadata": metadata, "source": text}
        if cell_type == "code":
            new.update(outputs=[], execution_count=None)
        cells.append(new)
    metadata = {k: copy.deepcopy(v) for k, v in source_nb.get("metadata", {}).items()
                if k in ("kernelspec", "language_info")}
    metadata["dcteach"] = {"exercise": exercise_id, "student_version": True}
    return {"nbformat": 4, "nbformat_minor": max(5, source_nb.get("nbformat_minor", 5)),
            "metadata": metadata, "cells": cells}


def _haystack(cell: dict) -> str:
    parts = [cell_source(cell), json.dumps(cell.get("metadata", {}), ensure_ascii=False)]
    for output in cell.get("outputs", []) or []:
        parts.append(json.dumps(output, ensure_ascii=False))
    return "\n".join(parts)


def find_leaks(source_nb: dict, student_nb: dict) -> list[str]:
    """List everything in ``student_nb`` that must not be there (empty = clean).

    Checks for marker text, any line of a solution or hidden test that does
    not also appear in public text, outputs and execution counts.

    >>> src = {"cells": [{"cell_type": "code", "source": "x = len(rows)  # SOLUTION"}]}
    >>> find_leaks(src, {"cells": [{"cell_type": "code", "source": "x = len(rows)", "outputs": []}]})[0]
    "cell 1: solution or hidden-test text survives: 'x = len(rows)'"
    """
    secrets = secret_lines([cell_source(c) for c in source_nb.get("cells", [])])
    problems = []
    for number, cell in enumerate(student_nb.get("cells", []), start=1):
        haystack = _haystack(cell)
        problems += [f"cell {number}: marker {m!r} survives" for m in MARKER_TEXTS if m in haystack]
        if re.search(r"#\s*SOLUTION\s*$", cell_source(cell), re.MULTILINE):
            problems.append(f"cell {number}: a '# SOLUTION' line survives")
        problems += [f"cell {number}: solution or hidden-test text survives: {s!r}"
                     for s in secrets if s in haystack]
        if cell.get("outputs") or cell.get("execution_count") is not None:
            problems.append(f"cell {number}: outputs or execution count not cleared")
    return problems


def read_notebook(path: Path) -> dict:
    """Read a notebook file as nbformat 4 (a plain dict tree).

    Raises
    ------
    UsageError
        If the file is not valid JSON or not a notebook.
    """
    import nbformat

    try:
        return nbformat.reads(Path(path).read_text("utf-8"), as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types
        raise UsageError(f"{path}: not a readable notebook ({type(exc).__name__}: {exc})") from None


def source_notebooks(src: Path) -> list[Path]:
    """Lecturer sources under ``src``: the file itself or ``ex*.ipynb`` in the folder.

    Raises
    ------
    UsageError
        If ``src`` does not exist or holds no exercise notebook.
    """
    src = Path(src)
    if src.is_file():
        return [src]
    if not src.is_dir():
        raise UsageError(f"{src}: no such file or folder")
    paths = sorted(p for p in src.glob("ex[0-9]*.ipynb") if p.is_file())
    if not paths:
        raise UsageError(f"{src}: no exercise notebooks (ex*.ipynb) found")
    return paths


def _lecturer_banks(src: Path) -> dict[str, dict]:
    """Every lecturer bank for a release: ``banks/`` beside the source folder, else the usual lookup."""
    from dcteach.exercises._bank import _load_bank_cached, bank_paths, is_student_bank

    folder = (src if src.is_dir() else src.parent).resolve().parent / "banks"
    if folder.is_dir():
        paths = {p.stem: p for pattern in ("ex[0-9][0-9].json", "p[0-9][0-9].json")
                 for p in sorted(folder.glob(pattern))}
    else:
        paths = bank_paths()
    banks = {}
    for bank_id, path in sorted(paths.items()):
        bank = _load_bank_cached(str(path), path.stat().st_mtime, False)
        if not is_student_bank(bank):
            banks[bank_id] = bank
    return banks


def student_bank_texts(src: Path) -> dict[str, str]:
    """``{relative path: text}`` of the student banks and quiz banks a release writes.

    ``banks/<id>.json`` for every lecturer bank (exercises and practice) and
    ``quiz/<name>.json`` for every quiz bank of the package.
    """
    from dcteach.exercises._student import student_bank, student_quiz_bank
    from dcteach.quiz import BANKS_DIR, load_bank as load_quiz

    texts = {}
    for bank_id, bank in _lecturer_banks(Path(src)).items():
        texts[f"banks/{bank_id}.json"] = json.dumps(student_bank(bank), ensure_ascii=False, indent=1) + "\n"
    for path in sorted(BANKS_DIR.glob("*.json")):
        quiz = load_quiz(path)
        if not (quiz.get("release") or {}).get("student"):
            texts[f"quiz/{path.name}"] = json.dumps(student_quiz_bank(quiz), ensure_ascii=False, indent=1) + "\n"
    return texts


def release_sources(src: str | Path, out: str | Path) -> list[Path]:
    """Write the student version of every source in ``src`` into folder ``out``.

    All notebooks are built and leak-checked first; files are written
    (atomically) only if every one is clean. The student versions of the
    banks (``OUT/banks``: keys replaced by salted hashes computed from the
    data now) and of the quiz banks (``OUT/quiz``) are written too; release
    again when the data or a bank change.

    Raises
    ------
    UsageError
        If ``out`` would overwrite the sources.
    LeakError
        If any student version still contains solution or hidden-test text.
    """
    import nbformat

    sources = source_notebooks(Path(src))
    out = Path(out)
    source_dirs = {p.resolve().parent for p in sources}
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: OUT must be a folder")
    if out.resolve() in source_dirs:
        raise UsageError(f"{out}: OUT is the source folder; choose another folder for student versions")
    built = []
    problems = []
    for path in sources:
        nb = read_notebook(path)
        exercise_id = exercise_of(nb, path.name)
        if exercise_id:
            exercise_id = normalise_id(exercise_id)
        student = release_notebook(nb, exercise_id=exercise_id)
        problems += [f"{path.name}: {p}" for p in find_leaks(nb, student)]
        built.append((out / path.name, student))
    banks = student_bank_texts(Path(src))
    from dcteach.exercises._student import lecturer_secrets

    for bank_id, bank in _lecturer_banks(Path(src)).items():
        shipped = "\n".join(banks.values()) + "\n".join(json.dumps(json.loads(t)) for t in banks.values())
        problems += [f"banks/{bank_id}.json: a key survives: {secret[:60]!r}" for secret in lecturer_secrets(bank)
                     if secret in shipped]
    if problems:
        raise LeakError("leak check failed, nothing written:\n  " + "\n  ".join(problems))
    written = []
    for target, student in built:
        write_text(target, nbformat.writes(nbformat.from_dict(student)) + "\n")
        written.append(target)
    for relative, text in banks.items():
        write_text(out / relative, text)
        written.append(out / relative)
    return written
