"""``dcteach extension new|coding|qdpx``: scaffold an extension, add coding tables, export to REFI-QDA."""

from __future__ import annotations

import argparse

__all__ = ["add_parser", "run_coding", "run_new", "run_qdpx"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``extension`` verb (sub-command ``new``)."""
    p = subparsers.add_parser(
        "extension",
        help="create a folder for your own data that extends the core",
        description="Work with extensions: your own tables and rows next to the core data package.",
    )
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    new = sub.add_parser("new", help="scaffold a new extension in PATH (an empty or new folder)",
                         description="Create datapackage.json, empty CSV tables and a README saying what to fill in.")
    new.add_argument("path", metavar="PATH")
    new.add_argument("--coding", action="store_true",
                     help="also add the tables for coding documents (documents, segments, codebook, codings)")
    new.set_defaults(func=run_new)
    coding = sub.add_parser("coding", help="add the coding tables to the extension in PATH",
                            description="Add documents, segments, a codebook (the article's taxonomy, ready to "
                                        "extend) and codings to an existing extension, with example rows.")
    coding.add_argument("path", metavar="PATH")
    coding.add_argument("--no-example", action="store_true", help="leave the tables empty (no example rows)")
    coding.set_defaults(func=run_coding)
    qdpx = sub.add_parser("qdpx", help="export the extension's coding project to REFI-QDA (.qdpx)",
                          description="Write a .qdpx file (REFI-QDA project) that ATLAS.ti, MAXQDA, NVivo "
                                      "or QualCoder can import: codebook, documents, segments, coders, codings, memos.")
    qdpx.add_argument("path", metavar="PATH")
    qdpx.add_argument("out", metavar="OUT.qdpx")
    qdpx.add_argument("--force", action="store_true", help="overwrite OUT.qdpx if it exists")
    qdpx.set_defaults(func=run_qdpx)
    return p


def run_new(args: argparse.Namespace) -> int:
    """Create the extension and say what to do next."""
    from dcteach._extension import scaffold
    from dcteach._paths import check_output_dir

    check_output_dir(args.path, option="PATH")
    files = scaffold(args.path)
    if getattr(args, "coding", False):
        from dcteach.coding import add_coding

        added = add_coding(args.path)
        files = [*files[:-1], *[f for f in added if f not in files], files[-1]]
    for f in files:
        print(f"created {f}")
    print(f"next: read {files[-1]}, fill in the CSV files, then run `dcteach validate {args.path}`")
    return 0


def _extension_dir(path: str) -> None:
    from pathlib import Path

    from dcteach._errors import UsageError

    p = Path(path)
    if not p.is_dir():
        raise UsageError(f"{p}: no such folder; give the folder of your extension")


def run_coding(args: argparse.Namespace) -> int:
    """Add the coding tables to an existing extension."""
    from dcteach.coding import add_coding

    _extension_dir(args.path)
    for f in add_coding(args.path, example=not args.no_example):
        print(f"wrote {f}")
    print(f"next: add your documents and passages, then run `dcteach validate {args.path}`")
    return 0


def run_qdpx(args: argparse.Namespace) -> int:
    """Export the coding project as a REFI-QDA .qdpx file."""
    from dcteach._errors import UsageError
    from dcteach._paths import check_output_file
    from dcteach.coding import export_qdpx

    _extension_dir(args.path)
    if not args.out.lower().endswith(".qdpx"):
        raise UsageError(f"{args.out}: a REFI-QDA project file ends in .qdpx; choose a name like project.qdpx")
    check_output_file(args.out, option="OUT.qdpx", overwrite=args.force)
    out = export_qdpx(args.path, args.out)
    print(f"wrote {out}")
    return 0
