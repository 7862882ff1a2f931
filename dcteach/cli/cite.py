"""``dcteach cite [ID ...] --format bibtex|csl-json``."""

from __future__ import annotations

__all__ = ["add_parser"]


def _run(args) -> int:
    from dcteach.cite import cite

    kwargs = {"extra": args.extra} if args.extra else {}
    print(cite(args.ids or None, style=args.format, **kwargs), end="")
    return 0


def add_parser(subparsers) -> None:
    from dcteach.cite import STYLES

    p = subparsers.add_parser(
        "cite",
        help="export sources as BibTeX or CSL-JSON",
        description="Print citations of the article's sources (all works by default).",
    )
    p.add_argument("ids", nargs="*", metavar="ID", help="source ids, e.g. SRC-04 FN-23 SRC-ART")
    p.add_argument("--format", choices=STYLES, default="bibtex")
    p.add_argument("--extra", default=None, metavar="PATH", help="also cite sources of an extension")
    p.set_defaults(func=_run)
