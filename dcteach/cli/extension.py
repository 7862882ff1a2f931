"""``dcteach extension new PATH`` and ``dcteach extension publish PATH OUT``.

``new`` scaffolds a researcher's extension folder; ``publish`` writes it as a
standalone, versioned, citable Frictionless data package (see
:mod:`dcteach._publish`). Exit status of ``publish``: 0 published, 1 the
extension is not valid or lacks a publishing field, 2 a usage error.
"""

from __future__ import annotations

import argparse

__all__ = ["add_parser", "run_new", "run_publish"]


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
    pub = sub.add_parser(
        "publish", help="write the extension at PATH as a standalone, citable data package in OUT",
        description="Validate the extension, then write OUT (a new or empty folder): a Frictionless data package "
                    "with the core tables it refers to, CITATION.cff, .zenodo.json, LICENSE and CHANGELOG.md. "
                    "Title, description, version, licence and authors come from PATH/datapackage.json. "
                    "Exit 0 published, 1 invalid extension or missing field, 2 usage error.")
    pub.add_argument("path", metavar="PATH", help="the extension folder")
    pub.add_argument("out", metavar="OUT", help="the folder to create (new or empty)")
    pub.set_defaults(func=run_publish)
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


def run_publish(args: argparse.Namespace) -> int:
    """Publish; on validation errors list them (located) on stderr before the one-line error."""
    import sys

    from dcteach._publish import InvalidExtension, publish

    try:
        files = publish(args.path, args.out)
    except InvalidExtension as exc:
        for problem in exc.report.errors:
            print(problem.format_text(), file=sys.stderr)
        raise
    print(f"published {args.path} as {args.out} ({len(files)} files)")
    print(f"check: frictionless validate {args.out}/datapackage.json; cite: dcteach cite --package {args.out}")
    return 0
