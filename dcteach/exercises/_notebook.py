"""Classify the cells of an exercise notebook (lecturer source or student copy).

Works on plain dicts (``nbformat.NotebookNode`` is one), so the student-side
API needs no nbformat import.

Roles
-----
``answer``   code cell with a solution (block or one-line marker): the student's
``tests``    code cell with hidden tests or a ``.check(`` / ``.grade(`` call: locked
``locked``   any other code cell (setup, data loading): locked
``markdown`` / ``raw``  text cells

Locked cells are replaced by the lecturer's version at grading time.

>>> nb = {"cells": [
...     {"cell_type": "code", "id": "setup", "metadata": {}, "source": "import dcteach"},
...     {"cell_type": "code", "id": "a1", "metadata": {}, "source": "x = 4  # SOLUTION"},
...     {"cell_type": "code", "id": "t1", "metadata": {}, "source": "ex.q1.check(x)"}]}
>>> [(c.key, c.role, c.question) for c in analyse(nb)]
[('setup', 'locked', None), ('a1', 'answer', 'q1'), ('t1', 'tests', 'q1')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dcteach.exercises._markers import MarkerError, has_hidden_tests, has_solution

__all__ = ["CellInfo", "analyse", "cell_source", "exercise_of"]

_QUESTION = re.compile(r"\bq([0-9]+)\b")
_CHECK_CALL = re.compile(r"\.(?:check|grade)\(")
_EXERCISE = re.compile(r"^(ex[0-9]{2})(?:_|\.|$)")


@dataclass(frozen=True)
class CellInfo:
    """Where a cell is, its stable key, its role and the question it serves."""

    index: int
    key: str
    role: str
    question: str | None


def cell_source(cell: dict) -> str:
    """Cell source as one string (notebook files may store a list of lines).

    >>> cell_source({"source": ["a\\n", "b"]})
    'a\\nb'
    """
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _meta(cell: dict) -> dict:
    meta = cell.get("metadata")
    meta = meta.get("dcteach") if isinstance(meta, dict) else None
    return meta if isinstance(meta, dict) else {}


def _code_role(source: str, strict: bool, number: int) -> str:
    try:
        if has_solution(source):
            return "answer"
        if has_hidden_tests(source) or _CHECK_CALL.search(source):
            return "tests"
    except MarkerError as exc:
        if strict:
            raise MarkerError(f"cell {number}: {str(exc).removeprefix('cell: ')}") from None
        return "answer"  # a student's copy with broken markers is the student's text
    return "locked"


def analyse(nb: dict, *, strict: bool = True) -> list[CellInfo]:
    """Return a :class:`CellInfo` for every cell, in order.

    With ``strict`` (lecturer sources) unbalanced markers raise
    :class:`~dcteach.exercises._markers.MarkerError`; without it (student
    copies) such a cell counts as the student's own.
    """
    infos: list[CellInfo] = []
    for index, cell in enumerate(nb.get("cells", [])):
        meta = _meta(cell)
        source = cell_source(cell)
        key = meta.get("cell") or cell.get("id") or f"c{index:03d}"
        if cell.get("cell_type") != "code":
            role = cell.get("cell_type", "raw") if cell.get("cell_type") == "markdown" else "raw"
        elif meta.get("role") in ("answer", "tests", "locked"):
            role = meta["role"]
        else:
            role = _code_role(source, strict, index + 1)
        question = meta.get("question")
        if question is None and role in ("answer", "tests"):
            match = _QUESTION.search(source)
            question = f"q{int(match[1])}" if match else None
        infos.append(CellInfo(index, str(key), role, question))
    # an answer cell without a question serves the next tests cell's question
    for position, info in enumerate(infos):
        if info.role == "answer" and info.question is None:
            following = next((i.question for i in infos[position + 1:] if i.role == "tests"), None)
            infos[position] = CellInfo(info.index, info.key, info.role, following)
    return infos


def exercise_of(nb: dict, filename: str = "") -> str | None:
    """The exercise id of a notebook: its metadata, else its file name.

    >>> exercise_of({"metadata": {"dcteach": {"exercise": "ex03"}}})
    'ex03'
    >>> exercise_of({"metadata": {}}, "ex05_ict.ipynb")
    'ex05'
    >>> exercise_of({}, "homework.ipynb") is None
    True
    """
    meta = nb.get("metadata") if isinstance(nb, dict) else None
    meta = meta.get("dcteach") if isinstance(meta, dict) else None
    if isinstance(meta, dict) and isinstance(meta.get("exercise"), str):
        return meta["exercise"]
    match = _EXERCISE.match(filename.rsplit("/", 1)[-1])
    return match[1] if match else None
