"""``dcteach extension new|publish|coding|qdpx``.

``new`` scaffolds a researcher's extension folder; ``publish`` writes it as a
standalone, versioned, citable Frictionless data package (see
:mod:`dcteach._publish`; exit 0 published, 1 the extension is not valid or
lacks a publishing field, 2 a usage error); ``coding`` adds the tables for
coding documents; ``qdpx`` exports them to REFI-QDA.
"""

from __future__ import annotations

import argparse

__all__ = ["add_parser", "run_coding", "run_new", "run_publish", "run_qdpx"]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``extension`` verb (sub-commands ``new``, ``publish``, ``coding``, ``qdpx``)."""
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
    pub = sub.add_parser(
        "publish", help="write the extension at PATH as a standalone, citable data package in OUT",
        description="Validate the extension, then write OUT (a new or empty folder): a Frictionless data package "
                    "with the core tables it refers to, CITATION.cff, .zenodo.json, LICENSE and CHANGELOG.md. "
                    "Title, description, version, licence and authors come from PATH/datapackage.json. "
                    "Exit 0 published, 1 invalid extension or missing field, 2 usage error.")
    pub.add_argument("path", metavar="PATH", help="the extension folder")
    pub.add_argument("out", metavar="OUT", help="the folder to create (new or empty)")
    pub.set_defaults(func=run_publish)
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
