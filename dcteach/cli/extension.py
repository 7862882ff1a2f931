"""``dcteach extension new PATH``: scaffold a researcher's extension folder."""

from __future__ import annotations

import argparse

__all__ = ["add_parser", "run_new"]


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
    new.set_defaults(func=run_new)
    return p


def run_new(args: argparse.Namespace) -> int:
    """Create the extension and say what to do next."""
    from dcteach._extension import scaffold
    from dcteach._paths import check_output_dir

    check_output_dir(args.path, option="PATH")
    files = scaffold(args.path)
    for f in files:
        print(f"created {f}")
    print(f"next: read {files[-1]}, fill in the CSV files, then run `dcteach validate {args.path}`")
    return 0
