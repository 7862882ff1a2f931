"""``dcteach cite [ID ...] [--package [PATH]] --format bibtex|csl-json``."""

from __future__ import annotations

__all__ = ["add_parser"]


def _run(args) -> int:
    from dcteach._errors import UsageError
    from dcteach.cite import cite, cite_package

    if args.package is not None:
        if args.ids or args.extra:
            raise UsageError("--package cites a whole data package: give no source ids and no --extra with it")
        print(cite_package(args.package or None, style=args.format), end="")
        return 0
    kwargs = {"extra": args.extra} if args.extra else {}
    print(cite(args.ids or None, style=args.format, **kwargs), end="")
    return 0


def add_parser(subparsers) -> None:
    from dcteach.cite import STYLES

    p = subparsers.add_parser(
        "cite",
        help="export sources, or a data package, as BibTeX or CSL-JSON",
        description=(
            "Print citations of the article's sources (all works by default), or with --package "
            "a citation of a data package itself (the core one, or an extension at PATH) as a dataset."
        ),
    )
    p.add_argument("ids", nargs="*", metavar="ID", help="source ids, e.g. SRC-04 FN-23 SRC-ART")
    p.add_argument("--format", choices=STYLES, default="bibtex")
    p.add_argument("--extra", default=None, metavar="PATH", help="also cite sources of an extension")
    p.add_argument(
        "--package", nargs="?", const="", default=None, metavar="PATH",
        help="cite a data package as a dataset (@dataset / CSL dataset) with its version: the core one, or the extension at PATH",
    )
    p.set_defaults(func=_run)
