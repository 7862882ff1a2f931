"""``dcteach exercises submit|collect|mark|return|export``: running the exercises for a class.

Added to the ``exercises`` verb by :func:`add_subcommands` (one hook line in
``dcteach/cli/exercises.py``); the code lives in
``dcteach/exercises/exchange.py``, ``marks.py``, ``late.py`` and ``lms.py``.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

__all__ = ["add_subcommands"]


def _submit(args) -> int:
    from dcteach.exercises.exchange import submit

    path = submit(args.exercise, file=args.file, root=args.exchange, course_dir=args.course_dir)
    print(f"submitted {args.exercise} as {path.parent.name} at {path.name.split('+')[1]} (UTC)")
    return 0


def _policy(args):
    from dcteach.exercises.late import LatePolicy

    if args.deadline is None:
        if args.penalty_per_day or args.cutoff_days is not None:
            from dcteach._errors import UsageError
            raise UsageError("--penalty-per-day and --cutoff-days need --deadline")
        return None
    return LatePolicy.parse(args.deadline, penalty_per_day=args.penalty_per_day, cutoff_days=args.cutoff_days)


def _collect(args) -> int:
    from dcteach.exercises.exchange import collect

    results = collect(args.out, root=args.exchange, exercise=args.exercise, policy=_policy(args))
    for item in results:
        fields = [item.student, item.exercise, item.submitted_at.isoformat(timespec="seconds"),
                  f"{item.attempts} attempt(s)"] + ([item.late] if item.late else [])
        print("\t".join(fields))
    print(f"{len(results)} submission(s) collected into {Path(args.out) / 'submitted'}; "
          f"times in {Path(args.out) / 'submissions.csv'}", file=sys.stderr)
    return 0


def _mark(args) -> int:
    from dcteach.exercises.marks import mark_interactively

    count = mark_interactively(args.gradebook, submitted=args.submitted, exercise=args.exercise,
                               student=args.student, marker=args.marker, remark=args.remark, lang=args.lang)
    print(f"{count} criterion mark(s) saved in {Path(args.gradebook).with_name('marks.csv')}", file=sys.stderr)
    return 0


def _grader_feedback(folder: Path, row: dict) -> str:
    stem = row["file"].removesuffix(".ipynb")
    candidates = [stem.replace("/", "__"), re.sub(r"[^A-Za-z0-9._-]+", "_", stem.replace("/", "__")).strip("._")]
    for name in candidates:
        path = folder / f"{name}.md"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    path = folder / f"{stem}.md"
    return path.read_text(encoding="utf-8") if path.is_file() else f"# {row['exercise']} — {row['student']}\n"


def _return(args) -> int:
    from dcteach.exercises.exchange import return_feedback
    from dcteach.exercises.marks import (compose_feedback, final_rows, latest_marks, marks_path, read_csv,
                                         student_of, write_final)

    gradebook = Path(args.gradebook)
    finals = final_rows(gradebook)
    write_final(gradebook.with_name("final.csv"), finals)
    folder = Path(args.feedback) if args.feedback else gradebook.with_name(gradebook.stem + "_feedback")
    marks = latest_marks(marks_path(gradebook))
    rows = {(student_of(r), r["exercise"]): r for r in read_csv(gradebook)}
    texts = {}
    for final in finals:
        key = (final["student"], final["exercise"])
        if not final["exercise"]:
            continue
        texts[key] = compose_feedback(_grader_feedback(folder, rows[key]), final, lang=args.lang, marks=marks)
    written = return_feedback(texts, root=args.exchange, homes=args.homes)
    print(f"feedback returned to {len(texts)} student(s) ({len(written)} file(s)); final grades in "
          f"{gradebook.with_name('final.csv')}", file=sys.stderr)
    return 0


def _export(args) -> int:
    from dcteach._atomic import write_text
    from dcteach.exercises.lms import to_csv
    from dcteach.exercises.marks import final_rows, read_csv

    roster = None
    if args.roster:
        roster = {r["username"]: r for r in read_csv(args.roster, required=("username",))}
    text = to_csv(final_rows(args.gradebook), args.format, roster=roster, id_column=args.id_column)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        try:
            write_text(args.out, text)
        except OSError as exc:
            from dcteach._errors import UsageError
            raise UsageError(f"{args.out}: cannot write ({exc.strerror})") from None
        print(f"{args.format} grades written to {args.out}", file=sys.stderr)
    return 0


def add_subcommands(verbs) -> None:
    """Add submit, collect, mark, return and export under ``dcteach exercises``."""
    exchange_help = "the exchange folder (default $DCTEACH_EXCHANGE, else /srv/dcteach/exchange)"

    s = verbs.add_parser("submit", help="(student) hand in your notebook of an exercise",
                         description="Copy your notebook of EXERCISE into your inbox in the course exchange, "
                                     "with the time and your hub user name. Submit as often as you like: "
                                     "the latest submission counts.")
    s.add_argument("exercise", metavar="EXERCISE", help="e.g. ex02")
    s.add_argument("--file", default=None, help="the notebook (default: exNN_*.ipynb in ~/dcteach-course)")
    s.add_argument("--course-dir", default=None, metavar="DIR", help="your course folder (default ~/dcteach-course)")
    s.add_argument("--exchange", default=None, metavar="DIR", help=exchange_help)
    s.set_defaults(func=_submit)

    c = verbs.add_parser("collect", help="(lecturer) take each student's latest submission",
                         description="Copy the latest submission of every student into OUT/submitted/"
                                     "STUDENT/EXERCISE.ipynb and their times into OUT/submissions.csv.")
    c.add_argument("--exercise", default=None, help="only this exercise (default: all)")
    c.add_argument("--out", default=".", metavar="DIR", help="the lecturer's grading folder (default: here)")
    c.add_argument("--exchange", default=None, metavar="DIR", help=exchange_help)
    c.add_argument("--deadline", default=None, metavar="TIME", help="ISO time with offset, e.g. 2026-12-01T18:00+03:00")
    c.add_argument("--penalty-per-day", type=float, default=0.0, metavar="PCT",
                   help="percent of the points lost per started day late (default 0)")
    c.add_argument("--cutoff-days", type=float, default=None, metavar="D",
                   help="refuse submissions later than D days after the deadline")
    c.set_defaults(func=_collect)

    m = verbs.add_parser("mark", help="(lecturer) mark open tasks with the rubric, submission by submission",
                         description="Show each submission's answer to each open task and the rubric's four "
                                     "levels per criterion; type a level and a comment. Marks go to marks.csv "
                                     "beside the gradebook.")
    m.add_argument("gradebook", metavar="GRADEBOOK", help="the gradebook CSV written by grade")
    m.add_argument("--submitted", default=None, metavar="DIR", help="submissions folder (default: submitted/ beside it)")
    m.add_argument("--exercise", default=None)
    m.add_argument("--student", default=None)
    m.add_argument("--marker", default=os.environ.get("USER", ""), help="your name in marks.csv")
    m.add_argument("--remark", action="store_true", help="show criteria already marked too")
    m.add_argument("--lang", choices=("en", "ru"), default="en")
    m.set_defaults(func=_mark)

    r = verbs.add_parser("return", help="(lecturer) give each student their feedback",
                         description="Write final.csv (automatic + marked points, late penalty) and each "
                                     "student's feedback (grader's notes, rubric levels, comments, final score) "
                                     "into the exchange and the student's course folder.")
    r.add_argument("gradebook", metavar="GRADEBOOK")
    r.add_argument("--feedback", default=None, metavar="DIR", help="grader's feedback folder (default <stem>_feedback)")
    r.add_argument("--exchange", default=None, metavar="DIR", help=exchange_help)
    r.add_argument("--homes", default=None, metavar="TEMPLATE",
                   help="students' home folders, e.g. /home/{user} (default: the system user's home)")
    r.add_argument("--lang", choices=("en", "ru"), default="en")
    r.set_defaults(func=_return)

    e = verbs.add_parser("export", help="(lecturer) final grades as Moodle or Canvas CSV",
                         description="Write the final grades in Moodle's grade import CSV or Canvas's "
                                     "gradebook CSV (see docs/lecturers.md).")
    e.add_argument("gradebook", metavar="GRADEBOOK")
    e.add_argument("--format", required=True, choices=("moodle", "canvas"))
    e.add_argument("--out", required=True, metavar="CSV", help="file to write, or - for stdout")
    e.add_argument("--roster", default=None, metavar="CSV", help="username → LMS fields (email, id, name, section)")
    e.add_argument("--id-column", default="username", help="Moodle identifier column (default username)")
    e.set_defaults(func=_export)
