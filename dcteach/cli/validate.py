"""``dcteach validate PATH``: check a data package or an extension, cell by cell.

Exit status: 0 valid, 1 invalid, 2 usage error (no such path, not a data package).
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_parser", "run"]


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``validate`` verb."""
    p = subparsers.add_parser(
        "validate",
        help="validate a data package or an extension (every bad cell, located)",
        description=(
            "Validate a Frictionless data package or a dcteach extension by its Table Schemas. "
            "Prints file:row:column: problem (value) — how to fix, then a summary. "
            "Exit 0 valid, 1 invalid, 2 usage error."
        ),
    )
    p.add_argument("path", metavar="PATH", help="folder with datapackage.json (or the file itself)")
    p.add_argument("--format", choices=["text", "json"], default="text", help="output format (default text)")
    p.add_argument("--max-errors", type=_positive, default=None, metavar="N",
                   help="list at most N errors (default: all; the summary says if the cap was hit)")
    p.add_argument("--allow-extra-columns", action="store_true", default=None,
                   help="allow columns the schema does not describe (kept, not checked); "
                        "the same as \"fieldsMatch\": \"subset\" in a schema")
    core = p.add_mutually_exclusive_group()
    core.add_argument("--core", dest="core", action="store_true", default=None,
                      help="validate PATH as an extension of the dcteach core")
    core.add_argument("--no-core", dest="core", action="store_false",
                      help="validate PATH on its own, even if it declares \"extends\": \"dcteach\"")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Validate, print the report, return 0 (valid) or 1 (invalid)."""
    from dcteach.validate import validate

    report = validate(args.path, extra_of=args.core, max_errors=args.max_errors,
                      extra_columns=args.allow_extra_columns)
    if args.format == "json":
        print(report.to_json())
    else:
        print(report.format_text())
    sys.stdout.flush()
    return 0 if report.valid else 1
