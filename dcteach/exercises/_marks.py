"""Read the manual marks of open tasks (``marks.csv`` beside the gradebook).

The file is written by the marking tool (``dcteach exercises mark``, hub lane);
grading only reads it, so re-grading keeps every manual mark. Columns (the
contract between the two; others are ignored):

``student, exercise, question, criterion, level, points, comment, marker, time``

One row per rubric criterion marked; when a criterion was marked more than once
the row with the latest ``time`` (ISO 8601) wins. A question's mark is the sum
of its criteria's points.

>>> import io
>>> rows = read_marks(io.StringIO("student,exercise,question,criterion,level,points,comment,marker,time\\n"
...     "Иванов,ex01,q4,c1,4,1,good,T,2026-12-01T10:00\\nИванов,ex01,q4,c2,2,1,,T,2026-12-01T10:00\\n"))
>>> question_points(rows, "Иванов", "ex01", "q4")
2.0
"""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from pathlib import Path

__all__ = ["MARKS_COLUMNS", "marks_file", "question_points", "read_marks"]

MARKS_COLUMNS = ["student", "exercise", "question", "criterion", "level", "points", "comment", "marker", "time"]


def marks_file(gradebook: Path) -> Path:
    """``marks.csv`` in the gradebook's folder."""
    return Path(gradebook).with_name("marks.csv")


def _key(student: str, exercise: str, question: str) -> tuple[str, str, str]:
    return unicodedata.normalize("NFC", student), exercise.strip().lower(), question.strip().lower()


def read_marks(source) -> dict[tuple[str, str, str], dict[str, dict]]:
    """``{(student, exercise, question): {criterion: row}}`` (latest row per criterion).

    ``source`` is a path or a text stream; a missing file means no marks. Rows
    whose points are not a number are skipped.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            return {}
        source = io.StringIO(path.read_text("utf-8-sig"))
    marks: dict[tuple[str, str, str], dict[str, dict]] = {}
    for row in csv.DictReader(source):
        try:
            points = float(row.get("points") or "")
        except ValueError:
            continue
        if not math.isfinite(points):
            continue
        key = _key(row.get("student") or "", row.get("exercise") or "", row.get("question") or "")
        criterion = (row.get("criterion") or "").strip() or "-"
        kept = marks.setdefault(key, {})
        old = kept.get(criterion)
        if old is None or (row.get("time") or "") >= (old.get("time") or ""):
            kept[criterion] = {**row, "points": points}
    return marks


def question_points(marks: dict, student: str, exercise: str, question: str) -> float | None:
    """The manual mark of one open task, or None if it has not been marked."""
    rows = marks.get(_key(student, exercise, question))
    if not rows:
        return None
    return float(sum(r["points"] for r in rows.values()))


def criterion_rows(marks: dict, student: str, exercise: str, question: str) -> dict[str, dict]:
    """The marked criteria of one open task (``{criterion: row}``)."""
    return marks.get(_key(student, exercise, question), {})
