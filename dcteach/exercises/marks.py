"""Manual marks for open tasks, the final grade, and the feedback a student gets back.

Marks live in ``marks.csv`` beside the gradebook (contract with the grading
lane), one row per criterion marked::

    student, exercise, question, criterion, level, points, comment, marker, time

``level`` is 1–4 (the rubric's four level descriptors, lowest first); the
latest row for a (student, exercise, question, criterion) wins, so a lecturer
can change a mark by marking again, and re-grading never touches this file.

The final grade (:func:`final_rows`) adds the marked open tasks to the
automatic points of the gradebook, takes ``max`` from the bank (every
question's points), and applies the late penalty recorded by ``collect`` in
``submissions.csv``.

>>> crit = rubric_of({"checker": {"rubric": [{"points": 2, "criterion": {"en": "x", "ru": "x"}}]}})[0]
>>> crit["id"], [level["points"] for level in crit["levels"]]
('c1', [0.0, 0.67, 1.33, 2.0])
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import re
from pathlib import Path

from dcteach._atomic import write_text
from dcteach._errors import DcteachError, UsageError

__all__ = [
    "MARK_COLUMNS",
    "answer_text",
    "compose_feedback",
    "final_rows",
    "latest_marks",
    "mark_interactively",
    "marks_path",
    "read_csv",
    "record_mark",
    "rubric_of",
    "student_of",
]

MARK_COLUMNS = ["student", "exercise", "question", "criterion", "level", "points", "comment", "marker", "time"]
FINAL_COLUMNS = ["student", "exercise", "auto", "marked", "raw_total", "late_days", "penalty", "total", "max",
                 "status"]

_GENERIC_LEVELS = [
    {"en": "not shown", "ru": "не показано"},
    {"en": "partly shown", "ru": "показано частично"},
    {"en": "mostly shown", "ru": "показано в основном"},
    {"en": "fully shown", "ru": "показано полностью"},
]


def marks_path(gradebook: str | Path) -> Path:
    """``marks.csv`` in the gradebook's folder."""
    return Path(gradebook).with_name("marks.csv")


def read_csv(path: str | Path, *, required: tuple[str, ...] = ()) -> list[dict]:
    """Rows of a CSV file; a missing file is an empty list.

    Raises
    ------
    UsageError
        For an unreadable file or missing required columns (names the file and columns).
    """
    path = Path(path)
    if not path.exists():
        return []
    try:
        with path.open(newline="", encoding="utf-8") as stream:
            reader = csv.DictReader(stream)
            rows = list(reader)
            columns = reader.fieldnames or []
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"{path}: cannot read this CSV ({exc}); is it the right file?") from None
    missing = [c for c in required if c not in columns]
    if missing:
        raise UsageError(f"{path}: row 1: missing column(s) {', '.join(missing)}; expected a dcteach "
                         f"{'gradebook' if 'total' in required else 'file'}")
    return rows


def rubric_of(question: dict) -> list[dict]:
    """The criteria of an open question, each with an ``id`` and four ``levels``.

    Banks written before criteria had ids and levels get ``c1``, ``c2``… and
    four evenly spaced generic levels (0, ⅓, ⅔, full points).
    """
    out = []
    for index, item in enumerate(question.get("checker", {}).get("rubric", []), start=1):
        levels = item.get("levels")
        if not levels:
            full = float(item["points"])
            levels = [{"points": round(full * k / 3, 2), "descriptor": _GENERIC_LEVELS[k]} for k in range(4)]
        out.append({"id": item.get("id") or f"c{index}", "points": float(item["points"]),
                    "criterion": item["criterion"], "levels": levels})
    return out


def student_of(row: dict) -> str:
    """The student of a gradebook row: the folder of ``file`` (``alice/ex02.ipynb``), else ``student``."""
    file = row.get("file") or ""
    return file.split("/", 1)[0] if "/" in file else row.get("student", "")


def answer_text(notebook: str | Path, question: str) -> str:
    """The source of the student's answer cell(s) for ``question`` in a submitted notebook."""
    try:
        nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return "(the submission cannot be read)"
    parts = []
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        meta = (cell.get("metadata") or {}).get("dcteach") or {}
        if meta.get("question") == question and meta.get("role") == "answer":
            source = cell.get("source", "")
            parts.append("".join(source) if isinstance(source, list) else str(source))
    return "\n".join(parts) or "(no answer cell found)"


def latest_marks(path: str | Path) -> dict[tuple[str, str, str, str], dict]:
    """The latest mark per (student, exercise, question, criterion)."""
    marks: dict[tuple[str, str, str, str], dict] = {}
    for row in read_csv(path, required=("student", "exercise", "question", "criterion", "points")):
        marks[(row["student"], row["exercise"], row["question"], row["criterion"])] = row
    return marks


def record_mark(path: str | Path, *, student: str, exercise: str, question: str, criterion: dict,
                level: int, comment: str = "", marker: str = "", now: _dt.datetime | None = None) -> dict:
    """Append one mark (``level`` 1–4 of ``criterion``) to ``marks.csv`` atomically; return the row.

    Unknown columns already in the file are kept.
    """
    if not 1 <= int(level) <= len(criterion["levels"]):
        raise UsageError(f"level {level}: choose 1–{len(criterion['levels'])}")
    path = Path(path)
    rows = read_csv(path)
    columns = list(MARK_COLUMNS)
    for row in rows:
        columns += [c for c in row if c not in columns]
    moment = (now or _dt.datetime.now(_dt.timezone.utc)).astimezone(_dt.timezone.utc)
    new = {"student": student, "exercise": exercise, "question": question, "criterion": criterion["id"],
           "level": str(int(level)), "points": f"{float(criterion['levels'][int(level) - 1]['points']):g}",
           "comment": comment.strip(), "marker": marker,
           "time": moment.isoformat(timespec="seconds").replace("+00:00", "Z")}
    rows.append(new)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({c: r.get(c, "") for c in columns} for r in rows)
    write_text(path, buffer.getvalue())
    return new


def _bank(exercise: str, cache: dict) -> dict | None:
    if exercise not in cache:
        from dcteach.exercises._bank import load_bank
        try:
            cache[exercise] = load_bank(exercise)
        except DcteachError:
            cache[exercise] = None
    return cache[exercise]


def _number(text) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return 0.0


def final_rows(gradebook: str | Path, *, submissions: str | Path | None = None,
               marks: str | Path | None = None) -> list[dict]:
    """One final row per gradebook row: automatic + marked points, bank maximum, late penalty.

    ``status`` is ``complete``, ``awaiting marking`` (an open task not yet
    fully marked), ``after cut-off``, or the gradebook's status when the
    submission could not be graded.
    """
    gradebook = Path(gradebook)
    if not gradebook.is_file():
        raise UsageError(f"{gradebook}: no gradebook here; run `dcteach exercises grade` first")
    rows = read_csv(gradebook, required=("student", "exercise", "file", "total", "max", "status"))
    late = {(r["student"], r["exercise"]): r for r in read_csv(
        submissions or gradebook.with_name("submissions.csv"), required=("student", "exercise", "penalty"))}
    marked = latest_marks(marks or marks_path(gradebook))
    banks: dict = {}
    out = []
    for row in rows:
        student, exercise = student_of(row), row["exercise"]
        bank = _bank(exercise, banks)
        auto = marked_points = maximum = 0.0
        pending = False
        if bank:
            for q in bank["questions"]:
                maximum += float(q["points"])
                if q["kind"] != "open":
                    auto += _number(row.get(q["id"]))
                    continue
                criteria = rubric_of(q)
                got = [marked.get((student, exercise, q["id"], c["id"])) for c in criteria]
                if all(got):
                    marked_points += sum(_number(m["points"]) for m in got)
                elif str(row.get(q["id"], "")).strip() in ("0", "0.0"):
                    pass  # not attempted: nothing to mark
                else:
                    pending = True
                    marked_points += sum(_number(m["points"]) for m in got if m)
        else:
            auto, maximum = _number(row.get("total")), _number(row.get("max"))
        info = late.get((student, exercise), {})
        penalty = _number(info.get("penalty"))
        raw = auto + marked_points
        total = round(raw * (1 - min(1.0, penalty)), 4)
        status = row["status"] if row["status"] in ("invalid", "error") else \
            (info.get("status") if info.get("status") == "after cut-off" else
             "awaiting marking" if pending else "complete")
        out.append({"student": student, "exercise": exercise, "auto": f"{auto:g}",
                    "marked": f"{marked_points:g}", "raw_total": f"{raw:g}",
                    "late_days": info.get("late_days", "0") or "0", "penalty": f"{penalty:g}",
                    "total": f"{total:g}", "max": f"{maximum:g}", "status": status})
    return out


def compose_feedback(base: str, final: dict, *, lang: str = "en", marks: dict | None = None) -> str:
    """The grader's feedback ``base`` plus the rubric levels, comments, late penalty and final score.

    Shows each criterion's text, the level reached with its descriptor, and the
    marker's comment; never model answers or marking notes.
    """
    lang = "ru" if lang == "ru" else "en"
    t = {"en": ("Marked by your lecturer", "level", "comment", "Late", "day(s) late, penalty",
                "Final score", "awaiting marking"),
         "ru": ("Оценка преподавателя", "уровень", "комментарий", "Опоздание", "дн. опоздания, штраф",
                "Итоговый балл", "ещё не оценено")}[lang]
    lines = [base.rstrip(), ""]
    bank = _bank(final["exercise"], {})
    student, exercise = final["student"], final["exercise"]
    for q in (bank or {}).get("questions", []):
        if q["kind"] != "open":
            continue
        lines += [f"## {t[0]}: {q['number']} {q['title'][lang]}", ""]
        for c in rubric_of(q):
            m = (marks or {}).get((student, exercise, q["id"], c["id"]))
            criterion = c["criterion"][lang]
            if not m:
                lines.append(f"- {criterion}: {t[6]}")
                continue
            level = int(m["level"])
            descriptor = c["levels"][level - 1]["descriptor"][lang]
            lines.append(f"- {criterion}: {t[1]} {level}/4 — {descriptor} "
                         f"({_number(m['points']):g} / {c['points']:g})")
            if m.get("comment"):
                lines.append(f"  - {t[2]}: {m['comment']}")
        lines.append("")
    if _number(final.get("penalty")):
        lines += [f"**{t[3]}:** {final['late_days']} {t[4]} {_number(final['penalty']) * 100:g} %", ""]
    lines.append(f"**{t[5]}: {final['total']} / {final['max']}** ({final['status']})")
    return "\n".join(lines) + "\n"


def mark_interactively(gradebook: str | Path, *, submitted: str | Path | None = None,
                       exercise: str | None = None, student: str | None = None, marker: str = "",
                       remark: bool = False, lang: str = "en", ask=input, say=print) -> int:
    """Walk the open tasks submission by submission; return how many criteria were marked.

    For each criterion the four levels are shown; the lecturer types 1–4 (Enter
    skips, ``q`` stops), then an optional comment. Each mark is saved at once.
    """
    gradebook = Path(gradebook)
    if not gradebook.is_file():
        raise UsageError(f"{gradebook}: no gradebook here; run `dcteach exercises grade` first")
    rows = read_csv(gradebook, required=("student", "exercise", "file", "status"))
    folder = Path(submitted) if submitted else gradebook.with_name("submitted")
    path = marks_path(gradebook)
    existing = latest_marks(path)
    banks: dict = {}
    lang = "ru" if lang == "ru" else "en"
    count = 0
    for row in sorted(rows, key=lambda r: (r["exercise"], student_of(r))):
        who, ex = student_of(row), row["exercise"]
        if (exercise and ex != exercise) or (student and who != student) or row["status"] in ("invalid",):
            continue
        bank = _bank(ex, banks)
        for q in (bank or {}).get("questions", []):
            if q["kind"] != "open" or str(row.get(q["id"], "")).strip() in ("0", "0.0"):
                continue  # not an open task, or not attempted: nothing to mark
            criteria = [c for c in rubric_of(q) if remark or (who, ex, q["id"], c["id"]) not in existing]
            if not criteria:
                continue
            say("")
            say(f"=== {who} · {ex} {q['number']} {q['title'][lang]} ({q['points']:g} pt)")
            say(answer_text(folder / row["file"], q["id"]))
            for c in criteria:
                say(f"--- {c['id']}: {c['criterion'][lang]} ({c['points']:g} pt)")
                for k, level in enumerate(c["levels"], start=1):
                    say(f"  {k}) [{float(level['points']):g}] {level['descriptor'][lang]}")
                while True:
                    try:
                        choice = ask("level 1-4 (Enter skips, q stops): ").strip().lower()
                    except EOFError:
                        return count
                    if choice in ("", "q") or re.fullmatch(r"[1-4]", choice):
                        break
                    say("  type 1, 2, 3 or 4")
                if choice == "q":
                    return count
                if not choice:
                    continue
                try:
                    comment = ask("comment (optional): ")
                except EOFError:
                    comment = ""
                record_mark(path, student=who, exercise=ex, question=q["id"], criterion=c,
                            level=int(choice), comment=comment, marker=marker)
                count += 1
    return count


def write_final(path: str | Path, rows: list[dict]) -> Path:
    """Write the final grades CSV atomically."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FINAL_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return write_text(path, buffer.getvalue())
