"""Export final grades for a learning management system.

Two formats, one row per student, one column per exercise:

- ``moodle``: Moodle's *Import grades from CSV* (Gradebook → Import → CSV file):
  a header row, a user identifier column (here ``username``; at import choose
  "Identify user by: username", or pass ``--id-column email`` with a roster)
  and a column per grade item, mapped to the item on the import form.
- ``canvas``: Canvas's gradebook CSV (Grades → Import): the columns
  ``Student, ID, SIS User ID, SIS Login ID, Section`` first, then a column per
  assignment; the second row is ``Points Possible``. The hub user name goes
  into ``SIS Login ID``, which Canvas matches against its users.

Scores are the final ones (:func:`dcteach.exercises.marks.final_rows`):
automatic + marked points, after the late penalty. A submission still
awaiting marking is exported empty, never as a wrong number.

>>> rows = [{"student": "alice", "exercise": "ex02", "total": "5.5", "max": "7", "status": "complete"}]
>>> print(to_csv(rows, "moodle"), end="")
username,ex02
alice,5.5
>>> print(to_csv(rows, "canvas"), end="")
Student,ID,SIS User ID,SIS Login ID,Section,ex02
Points Possible,,,,,7
alice,,,alice,,5.5
"""

from __future__ import annotations

import csv
import io

from dcteach._errors import UsageError

__all__ = ["FORMATS", "to_csv"]

FORMATS = ("moodle", "canvas")


def to_csv(final: list[dict], fmt: str, *, roster: dict[str, dict] | None = None,
           id_column: str = "username") -> str:
    """The CSV text of ``final`` rows in the LMS format ``fmt`` (``moodle`` or ``canvas``).

    ``roster`` maps a hub user name to LMS fields (``name``, ``id``,
    ``sis_user_id``, ``email``, ``section``…) for the identifier columns.
    """
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    roster = roster or {}
    exercises = sorted({r["exercise"] for r in final if r.get("exercise")})
    maxima = {}
    scores: dict[str, dict[str, str]] = {}
    for r in final:
        if not r.get("exercise"):
            continue
        maxima.setdefault(r["exercise"], r.get("max", ""))
        value = "" if r.get("status") in ("awaiting marking",) else r.get("total", "")
        scores.setdefault(r["student"], {})[r["exercise"]] = value
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if fmt == "moodle":
        writer.writerow([id_column] + exercises)
        for student in sorted(scores):
            ident = roster.get(student, {}).get(id_column, student)
            writer.writerow([ident] + [scores[student].get(e, "") for e in exercises])
    else:
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section"] + exercises)
        writer.writerow(["Points Possible", "", "", "", ""] + [maxima[e] for e in exercises])
        for student in sorted(scores):
            info = roster.get(student, {})
            writer.writerow([info.get("name", student), info.get("id", ""), info.get("sis_user_id", ""),
                             info.get("sis_login_id", student), info.get("section", "")]
                            + [scores[student].get(e, "") for e in exercises])
    return buffer.getvalue()
