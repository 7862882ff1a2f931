"""Exercises: self-checks for students, release and grading for lecturers.

Students::

    import dcteach.exercises as dx
    ex = dx.load("ex04")          # or dx.load("ex04", lang="ru")
    ex.q1.check(answer)           # ✔ Correct — / ✘ Not yet — / ○ Not attempted —
    ex.q1.hint()                  # hint 1; ex.q1.hint(2) for the next one
    ex.q1.solution()              # only where the lecturer source is present

Lecturers (see ``exercises/README.md``)::

    dcteach exercises release exercises/source exercises/student
    dcteach exercises check exercises/source
    dcteach exercises grade submissions/ --source exercises/source --out grades.csv

Questions, checker specs, hints and feedback are data: ``exercises/banks/*.json``
validated against ``dcteach/exercises/schema/bank.schema.json``.

>>> import dcteach.exercises as dx
>>> dx.list_exercises()[:2]
['ex01', 'ex02']
>>> dx.load("ex02").q1.number
'2.1'
"""

from __future__ import annotations

import importlib

from dcteach.exercises._bank import BankError, bank_paths
from dcteach.exercises.check import (
    Exercise,
    Feedback,
    IncorrectAnswer,
    Message,
    NotAttempted,
    Outcome,
    Question,
    load,
)

__all__ = [
    "BankError",
    "Exercise",
    "Feedback",
    "IncorrectAnswer",
    "Message",
    "NotAttempted",
    "Outcome",
    "Question",
    "check_sources",
    "find_leaks",
    "grade_submissions",
    "list_exercises",
    "load",
    "release_notebook",
    "release_sources",
]

# lecturer tools import nbformat/nbclient: load them on first use only
_LAZY = {
    "release_sources": "dcteach.exercises.release",
    "release_notebook": "dcteach.exercises.release",
    "find_leaks": "dcteach.exercises.release",
    "grade_submissions": "dcteach.exercises.grade",
    "check_sources": "dcteach.exercises._verify",
}


def list_exercises() -> list[str]:
    """Ids of all exercises with a question bank, sorted.

    >>> "ex04" in list_exercises()
    True
    """
    return list(bank_paths())


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'dcteach.exercises' has no attribute {name!r}")
    module = importlib.import_module(_LAZY[name])
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
