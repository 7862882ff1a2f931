"""``dcteach exercises release|check|grade``: the lecturer's verbs."""

from __future__ import annotations

import sys

from dcteach._paths import check_grade_outputs, check_output_dir

__all__ = ["add_parser"]


def _release(args) -> int:
    from dcteach.exercises.release import release_sources

    check_output_dir(args.out, option="OUT")

    written = release_sources(args.src, args.out)
    for path in written:
        print(path)
    print(f"{len(written)} student notebook(s) written; leak check passed", file=sys.stderr)
    return 0


def _check(args) -> int:
    from dcteach.exercises._verify import check_sources

    report = check_sources(args.src, timeout=args.timeout, workers=args.workers, no_sandbox=args.no_sandbox)
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


def _grade(args) -> int:
    from dcteach.exercises.grade import grade_submissions

    check_grade_outputs(args.submissions, args.out, args.feedback)

    rows = grade_submissions(
        args.submissions, source=args.source, out=args.out, timeout=args.timeout,
        workers=args.workers, memory_mb=args.memory_mb, feedback=args.feedback, lang=args.lang,
        no_sandbox=args.no_sandbox,
    )
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    print(f"{len(rows)} submission(s): {summary or 'none'}; gradebook {args.out}", file=sys.stderr)
    return 0


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "exercises",
        help="release student versions, check and grade exercises",
        description="Lecturer tools for the exercises (see exercises/README.md).",
    )
    verbs = p.add_subparsers(dest="exercises_command", metavar="VERB")
    p.set_defaults(func=lambda args: (p.print_help(sys.stderr), 2)[1])

    r = verbs.add_parser("release", help="write student versions (solutions and hidden tests removed)",
                         description="Write student versions of lecturer sources; fails (exit 1, nothing "
                                     "written) if any solution text or hidden test would survive.")
    r.add_argument("src", metavar="SRC", help="a lecturer source notebook or a folder of them")
    r.add_argument("out", metavar="OUT", help="folder for the student versions")
    r.set_defaults(func=_release)

    c = verbs.add_parser("check", help="every solution passes, every released stub is 'not attempted'",
                         description="Run every lecturer source and its student version; exit 0 if "
                                     "all solutions pass and all stubs report 'not attempted', else 1.")
    c.add_argument("src", metavar="SRC", help="a lecturer source notebook or a folder of them")
    c.add_argument("--timeout", type=float, default=60.0, metavar="S", help="seconds per cell (default 60)")
    c.add_argument("--workers", type=int, default=2, metavar="N", help="kernels at once (default 2)")
    c.add_argument("--no-sandbox", action="store_true",
                   help="run without bubblewrap (only for sources you trust, on a machine without bwrap)")
    c.set_defaults(func=_check)

    g = verbs.add_parser("grade", help="grade a folder of submissions into a gradebook CSV",
                         description="Run every submission in a fresh capped kernel in a bubblewrap sandbox, "
                                     "judge the answers outside it against keys computed from the lecturer's "
                                     "banks and data; write a gradebook CSV and a Markdown feedback per "
                                     "student. Manual marks in marks.csv beside the gradebook are kept.")
    g.add_argument("submissions", metavar="SUBMISSIONS", help="folder of submitted notebooks")
    g.add_argument("--source", required=True, metavar="SRC", help="lecturer source notebook or folder")
    g.add_argument("--out", required=True, metavar="CSV", help="gradebook to write, e.g. grades.csv")
    g.add_argument("--timeout", type=float, default=30.0, metavar="S", help="seconds per cell (default 30)")
    g.add_argument("--workers", type=int, default=2, metavar="N", help="kernels at once (default 2)")
    g.add_argument("--memory-mb", type=int, default=2048, metavar="MB",
                   help="address-space cap per kernel (default 2048)")
    g.add_argument("--feedback", default=None, metavar="DIR", help="feedback folder (default: <CSV stem>_feedback)")
    g.add_argument("--lang", choices=("en", "ru"), default="en", help="language of the feedback files")
    g.add_argument("--no-sandbox", action="store_true",
                   help="grade without the bubblewrap sandbox (Linux only has it; every row's reason then "
                        "carries a warning): student code can then read and write your files")
    g.set_defaults(func=_grade)

    from dcteach.cli._exercises_hub import add_subcommands  # submit, collect, mark, return, export (hub lane)
    add_subcommands(verbs)
