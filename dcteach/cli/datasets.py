"""``dcteach datasets list | show NAME | export NAME --to FILE``."""

from __future__ import annotations

import sys
from pathlib import Path

from dcteach._atomic import atomic_write_text
from dcteach._errors import UsageError
from dcteach._paths import check_output_file
from dcteach.data import LANGUAGES

__all__ = ["add_parser"]

_FORMATS = {".csv": "csv", ".json": "json"}


def _list(args) -> int:
    from dcteach.data import list_datasets, load_dataset

    names = list_datasets()
    width = max(map(len, names))
    for name, title in names.items():
        rows = len(load_dataset(name))
        print(f"{name:<{width}}  {rows:>3} rows  {title}")
    return 0


def _show(args) -> int:
    from dcteach.data import describe, load_dataset

    df = load_dataset(args.name, lang=args.lang)
    if args.describe:
        print(describe(args.name))
        return 0
    cols = [c for c in ("id", f"name_{args.lang}", "source_id", "locator") if c in df.columns]
    import pandas as pd

    with pd.option_context("display.max_rows", None, "display.max_colwidth", 70, "display.width", 200):
        print(df[cols].to_string(index=False))
    return 0


def _export(args) -> int:
    from dcteach.data import load_dataset

    target = Path(args.to)
    fmt = _FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise UsageError(f"cannot export to {target.name!r}: use a file ending in .csv or .json")
    check_output_file(target, option="--to", overwrite=args.force)
    df = load_dataset(args.name, lang=args.lang, extra=args.extra)
    if fmt == "csv":
        text = df.to_csv(index=False, lineterminator="\n")
    else:
        text = df.to_json(orient="records", force_ascii=False, indent=2, date_format="iso")
    atomic_write_text(target, text)
    print(f"wrote {len(df)} rows of {args.name} to {target}", file=sys.stderr)
    return 0


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("datasets", help="list, show and export the data tables")
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    pl = sub.add_parser("list", help="names, row counts and titles")
    pl.set_defaults(func=_list)
    ps = sub.add_parser("show", help="print a table (id, name, source, locator)")
    ps.add_argument("name")
    ps.add_argument("--lang", choices=LANGUAGES, default="en")
    ps.add_argument("--describe", action="store_true", help="print fields, source and licence instead")
    ps.set_defaults(func=_show)
    pe = sub.add_parser("export", help="write a table to .csv or .json")
    pe.add_argument("name")
    pe.add_argument("--to", required=True, metavar="FILE")
    pe.add_argument("--lang", choices=LANGUAGES, default="en")
    pe.add_argument("--force", action="store_true", help="overwrite an existing file")
    pe.add_argument("--extra", metavar="PATH", default=None,
                    help="an extension folder: export its table, or the core table with its rows added")
    pe.set_defaults(func=_export)
