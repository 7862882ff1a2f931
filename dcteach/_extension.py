"""Researchers' extensions of the core data package: load, merge, save, scaffold.

An extension is a folder with its own ``datapackage.json`` (marked
``"extends": "dcteach"``) and CSV files. A resource named like a core table
adds rows to it (the core's schema applies; extra columns are allowed); any
other resource is a new table, whose foreign keys may point into the core.

This module sits a floor above :mod:`dcteach.data`: it registers the loaders
behind ``load_dataset(..., extra=)`` and ``describe(..., extra=)`` there, and
``dcteach.data`` never imports it (nor the validator). Values are typed by the
same readers the validator uses, so what validates loads to the same values:

======================  =====================================================
Table Schema type       pandas column
======================  =====================================================
integer, year           ``Int64`` (``object`` of ``int`` beyond 64 bits)
number                  ``Float64``
boolean                 ``boolean``
date                    ``datetime64`` (``[s]`` for years outside 1678–2261)
datetime, time          ``object`` of :mod:`datetime` values
any enum                ordered ``category`` whose categories are typed alike
the others              the text as written (``object``)
======================  =====================================================
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dcteach import data
from dcteach._atomic import write_bytes
from dcteach._errors import DatasetError, UsageError

__all__ = ["describe_extended", "load_extended", "load_merged", "read_resource", "save_resource", "scaffold"]


def _core_dir(core_dir: str | os.PathLike | None) -> Path:
    return Path(core_dir) if core_dir is not None else data.core_dir()


def read_resource(
    path: str | os.PathLike, *, dialect: dict[str, Any] | None = None, encoding: str = "utf-8"
) -> pd.DataFrame:
    """Read a CSV losslessly: every cell the string as written, no guessing.

    The file's style (line endings, quoting, BOM, final newline) is kept in
    ``frame.attrs["dcteach_csv_style"]`` so :func:`save_resource` writes it back
    byte for byte.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_bytes("id,n\\r\\nA,007\\r\\nB,NA\\r\\nC,\\r\\n".encode())
    >>> df = read_resource(p)
    >>> df["n"].tolist()
    ['007', 'NA', '']
    """
    from dcteach._validation._read import read_csv_bytes

    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise DatasetError(f"{p}: cannot read the file ({exc.strerror})") from None
    table = read_csv_bytes(raw, dialect=dialect, encoding=encoding)
    if table.ragged:
        number, cells = table.ragged[0]
        raise DatasetError(
            f"{p}:{number}: the row has {cells} cells but the header has {len(table.labels)};"
            f" run `dcteach validate` on the package to see every problem"
        )
    frame = pd.DataFrame(
        {i: pd.Series(col.to_pylist(), dtype=object) for i, col in enumerate(table.columns)}
    )
    frame.columns = table.labels
    frame.attrs["dcteach_csv_style"] = table.style
    return frame


class _Rows:
    """A file-like sink that keeps each row the csv writer writes (one ``write`` call a row)."""

    def __init__(self) -> None:
        self.rows: list[str] = []

    def write(self, text: str) -> None:
        self.rows.append(text)


def _encode_csv(frame: pd.DataFrame, style: Any) -> bytes:
    # The writer ends rows with "\r\n" so that it quotes every cell holding "\r" or "\n"
    # (with "\n" alone it would leave a lone "\r" bare, and a reader would end the row
    # there); each row's ending is then replaced by the file's own.
    sink = _Rows()
    writer = csv.writer(
        sink,
        delimiter=style.delimiter,
        quotechar=style.quotechar,
        lineterminator="\r\n",
        quoting=csv.QUOTE_ALL if style.quote_all else csv.QUOTE_MINIMAL,
    )
    writer.writerow([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        writer.writerow(["" if v is None or (isinstance(v, float) and v != v) or v is pd.NA else str(v) for v in row])
    text = style.lineterminator.join(r[:-2] for r in sink.rows) + style.lineterminator
    if not style.final_newline:
        text = text[: -len(style.lineterminator)]
    data = text.encode(style.encoding)
    return (b"\xef\xbb\xbf" + data) if style.bom else data


def save_resource(
    frame: pd.DataFrame, path: str | os.PathLike, *, style: Any = None
) -> Path:
    """Write *frame* to the CSV file *path* atomically, keeping the file's style.

    All columns are written in the frame's order (unknown columns too); the
    style (line endings, quoting, BOM, final newline, encoding) is taken from
    *style*, else from ``frame.attrs`` (set by :func:`read_resource`), else from
    the file being replaced. The data go to a temporary file in the same folder
    which then replaces *path* in one step, so a failure leaves the old file whole.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> raw = 'id,name\\r\\nA,"Таможня, ВТамО"\\r\\nB,\\r\\n'.encode()
    >>> _ = p.write_bytes(raw)
    >>> _ = save_resource(read_resource(p), p)
    >>> p.read_bytes() == raw
    True
    """
    from dcteach._validation._read import CsvStyle, sniff_style

    target = Path(path)
    if style is None:
        style = frame.attrs.get("dcteach_csv_style")
    if style is None and target.is_file():
        style = sniff_style(target.read_bytes()[:65536])
    data = _encode_csv(frame, style or CsvStyle())
    write_bytes(target, data)
    return target


def load_merged(
    name: str, extra: str | os.PathLike, *, core_dir: str | os.PathLike | None = None
) -> pd.DataFrame:
    """Core table *name* plus the rows a researcher's extension *extra* adds.

    The extension is validated against the core first; if it has errors a
    :class:`~dcteach.DatasetError` lists them (file:row:column: problem). Cells
    are the strings as written (core rows first, then the extension's); a
    column that only one side has is filled with ``""`` on the other. A table
    that only the extension has is returned on its own. The merged Table Schema
    (core fields, then the extension's own) is in ``frame.attrs["schema"]``.

    >>> from dcteach.data import core_dir
    >>> ex = core_dir() / "examples" / "thesis_eeu"
    >>> df = load_merged("country_assessments", ex)
    >>> df.attrs["rows_from"]["extension"] > 0
    True
    """
    from dcteach._validation._engine import load_package
    from dcteach.validate import validate

    core = _core_dir(core_dir)
    ext_path = Path(extra)
    if not ext_path.exists():
        raise DatasetError(f"{ext_path}: no such extension folder")
    try:
        ext_pkg = load_package(ext_path)
        published = isinstance(ext_pkg.descriptor.get("extends"), dict)
        # a published extension (`dcteach extension publish`) is standalone: it holds the core rows it uses
        report = validate(ext_path, extra_of=False if published else core)
        core_pkg = load_package(core)
    except UsageError as exc:
        raise DatasetError(str(exc)) from None
    if not report.valid:
        shown = report.errors[:20]
        more = f"\n… and {len(report.errors) - 20} more" if len(report.errors) > 20 else ""
        raise DatasetError(
            f"the extension {ext_path} is not valid ({len(report.errors)} "
            f"error{'s' if len(report.errors) != 1 else ''}):\n"
            + "\n".join(p.format_text() for p in shown) + more
            + f"\nfix them, then check with `dcteach validate {ext_path}`"
        )
    if published and name in ext_pkg.resources and ext_pkg.resources[name].path is not None:
        res = ext_pkg.resources[name]
        frame = read_resource(res.path, dialect=res.dialect, encoding=res.encoding)
        from_core = int((res.descriptor.get("dcteach:core") or {}).get("rows", 0))
        frame.attrs = {"schema": dict(res.schema),
                       "rows_from": {"core": from_core, "extension": len(frame) - from_core}}
        return frame
    parts: list[pd.DataFrame] = []
    counts = {"core": 0, "extension": 0}
    schema: dict[str, Any] = {}
    for key, pkg in (("core", core_pkg), ("extension", ext_pkg)) if not published else (("core", core_pkg),):
        res = pkg.resources.get(name)
        if res is None or res.path is None:
            continue
        frame = read_resource(res.path, dialect=res.dialect, encoding=res.encoding)
        counts[key] = len(frame)
        parts.append(frame)
        if not schema:
            schema = dict(res.schema)
        else:
            known = {f["name"] for f in schema.get("fields", [])}
            schema["fields"] = list(schema.get("fields", [])) + [
                f for f in res.schema.get("fields", []) if f.get("name") not in known]
    if not parts:
        names = sorted(set(core_pkg.resources) | set(ext_pkg.resources))
        raise DatasetError(f"no table named {name!r} in the core or in {ext_path}; "
                           f"choose one of: {', '.join(names)}")
    merged = pd.concat(parts, ignore_index=True, sort=False).fillna("") if len(parts) > 1 else parts[0]
    merged.attrs = {"schema": schema, "rows_from": counts}
    return merged


_README = """# {name}: a dcteach extension

This folder adds your own data to the dcteach core data package without
changing the core. `datapackage.json` describes the tables; each table is a
CSV file (UTF-8, comma-separated, first line = column names).

## What to fill in

1. `datapackage.json`: replace every `TODO: ...` with your own: `title`,
   `description`, `created` (the date of this version), `licenses` (the SPDX
   id and web address of the licence you choose: dcteach never chooses one
   for you) and `contributors` (one `{{"title": "Family, Given", "role":
   "author", "path": "https://orcid.org/<your iD>"}}` per author). Raise
   `version` for each new release. Keep `"extends": "dcteach"`.
2. `country_assessments.csv`: one row per country × enabler. The header is
   already there; add rows below it, for example:

   ```
   {assessment_example}
   ```

   (These example rows are invented: replace them with your own. A cell
   that holds a comma is quoted, `"like, this"`.)

   - `id`: your own unique id with your own prefix, e.g.
     `MY-CA-<country>-<enabler>`; it may not reuse a core id.
   - `country_id`: an id from the core table `countries`
     (`dcteach datasets show countries`); `enabler_id`: from `enablers`.
   - `score`: a whole number from 0 to 4; `basis`: `seed` (from a source)
     or `editorial` (your judgement); `rationale`: why.
   - `source_id`: a core source (e.g. `SRC-ART`) or one you add to
     `sources.csv`; `locator`: page, footnote or line in that source.
3. `sources.csv`: the documents you cite, one row each, for example:

   ```
   {source_example}
   ```

   Your ids must not clash with core ids: use your own prefix (`MY-SRC-01`).
4. To add rows to a core table (e.g. more `glossary` terms), add a resource
   with the same name and a CSV with the core table's columns (optional
   columns may be left out; extra columns are kept with a warning).

## Check and use

```
dcteach validate {path}
```

lists every problem as `file:row:column: problem (value) — how to fix`.
In Python: `dcteach.load_dataset("country_assessments", extra="{path}")`.

## Publish

```
dcteach extension publish {path} OUT
```

writes OUT, a standalone data package with CITATION.cff, .zenodo.json,
LICENSE and CHANGELOG.md, ready to upload to a repository such as Zenodo.
"""


def _example_schema(core: Path) -> dict[str, Any]:
    return {
        "primaryKey": ["id"],
        "foreignKeys": [
            {"fields": ["country_id"], "reference": {"resource": "countries", "fields": ["id"]}},
            {"fields": ["enabler_id"], "reference": {"resource": "enablers", "fields": ["id"]}},
            {"fields": ["source_id"], "reference": {"resource": "sources", "fields": ["id"]}},
        ],
        "fields": [
            {"name": "id", "type": "string", "title": "Identifier",
             "constraints": {"required": True, "unique": True, "pattern": "^[A-Z][A-Z0-9]*(-[A-Za-z0-9]+)+$"}},
            {"name": "country_id", "type": "string", "title": "Country (core countries.id)",
             "constraints": {"required": True}},
            {"name": "enabler_id", "type": "string", "title": "Enabler (core enablers.id)",
             "constraints": {"required": True}},
            {"name": "score", "type": "integer", "title": "Maturity score (0–4)",
             "constraints": {"required": True, "minimum": 0, "maximum": 4}},
            {"name": "basis", "type": "string", "title": "Basis",
             "constraints": {"required": True, "enum": ["seed", "editorial"]}},
            {"name": "rationale", "type": "string", "title": "Rationale", "constraints": {"required": True}},
            {"name": "source_id", "type": "string", "title": "Source (sources.id)",
             "constraints": {"required": True}},
            {"name": "locator", "type": "string", "title": "Page, footnote or line in the source"},
        ],
    }


def _csv_lines(rows: list[list[str]]) -> str:
    """Rows as CSV lines (quoted where needed), indented for the README's code block."""
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().rstrip("\n").replace("\n", "\n   ")


def _source_columns(core: Path) -> list[str]:
    from dcteach._validation._engine import load_package

    try:
        fields = load_package(core).resources["sources"].schema["fields"]
    except Exception:  # pragma: no cover - core missing
        return ["id", "kind", "name_en", "name_ru", "title", "year", "url", "source_id", "locator"]
    wanted = {"id", "kind", "name_en", "name_ru", "authors", "title", "year", "url", "source_id", "locator"}
    return [f["name"] for f in fields if f["name"] in wanted or (f.get("constraints") or {}).get("required")]


def scaffold(path: str | os.PathLike, *, core_dir: str | os.PathLike | None = None) -> list[Path]:
    """Create a new extension in the folder *path*; return the files written.

    Refuses (:class:`~dcteach.UsageError`) if *path* is a file or a
    folder that is not empty. The result validates cleanly at once.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "my_thesis"
    >>> sorted(p.name for p in scaffold(d))
    ['README.md', 'country_assessments.csv', 'datapackage.json', 'sources.csv']
    >>> from dcteach.validate import validate
    >>> validate(d).valid
    True
    """
    import json

    target = Path(path)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(
            f"{target}: already exists and is not an empty folder; "
            "choose a new folder name (nothing was overwritten)"
        )
    core = _core_dir(core_dir)
    name = target.name or "extension"
    slug = "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-") or "extension"
    source_cols = _source_columns(core)
    example = {"id": "MY-SRC-01", "kind": "external", "name_en": "My interview notes",
               "name_ru": "Мои заметки интервью", "authors": "Doe, J.", "title": "Interview notes",
               "year": "", "url": "", "source_id": "MY-SRC-01", "locator": "whole document"}
    source_example = _csv_lines([source_cols, [example.get(c, "") for c in source_cols]])
    assessment_example = _csv_lines([
        [f["name"] for f in _example_schema(core)["fields"]],
        ["MY-CA-AM-EN-01", "CTY-AM", "EN-01", "2", "editorial", "Strategy adopted, not yet funded (example)",
         "MY-SRC-01", "p. 12"],
        ["MY-CA-AM-EN-02", "CTY-AM", "EN-02", "3", "editorial", "Example rationale: why this score", "MY-SRC-01",
         "p. 14"],
    ])
    # "TODO: ..." marks what the researcher must write; `dcteach extension publish` refuses it
    descriptor = {
        "name": slug,
        "title": f"TODO: the title of your data set, as it should be cited (e.g. {name}: ...)",
        "description": "TODO: describe what these data are, where they come from and how they were made.",
        "extends": "dcteach",
        "version": "0.1.0",
        "created": "TODO: the date you publish this version, as 2026-12-01",
        "licenses": [{"name": "TODO: the SPDX id of the licence you choose, e.g. CC-BY-4.0 or CC0-1.0",
                      "path": "TODO: the licence's web address"}],
        "contributors": [{"title": "TODO: Family, Given", "role": "author",
                          "path": "TODO: https://orcid.org/ and your ORCID iD (or delete this line)"}],
        "resources": [
            {"name": "country_assessments", "path": "country_assessments.csv", "format": "csv",
             "encoding": "utf-8", "title": "Country × enabler assessments",
             "description": "One row per country and enabler: a 0–4 maturity score with its rationale and source.",
             "schema": _example_schema(core)},
            {"name": "sources", "path": "sources.csv", "format": "csv", "encoding": "utf-8",
             "title": "My sources", "description": "Documents cited by this extension (adds rows to the core sources)."},
        ],
    }
    target.mkdir(parents=True, exist_ok=True)
    files = [target / "datapackage.json", target / "country_assessments.csv",
             target / "sources.csv", target / "README.md"]
    files[0].write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    files[1].write_text(",".join(f["name"] for f in descriptor["resources"][0]["schema"]["fields"]) + "\n",
                        encoding="utf-8")
    files[2].write_text(",".join(source_cols) + "\n", encoding="utf-8")
    files[3].write_text(_README.format(name=name, path=target, source_example=source_example,
                                       assessment_example=assessment_example), encoding="utf-8")
    return files


# -- typed loading (load_dataset(..., extra=)) --------------------------------------------

_INT64 = (-(2**63), 2**63 - 1)


def _as_column(values: list[Any], ftype: str, index: pd.Index) -> pd.Series:
    """Typed *values* (None where missing) as a pandas column of the type's dtype (see the module docstring)."""
    present = [v for v in values if v is not None]
    if ftype in ("integer", "year"):
        if all(_INT64[0] <= v <= _INT64[1] for v in present):
            return pd.Series(pd.array(values, dtype="Int64"), index=index)
        return pd.Series(values, index=index, dtype=object)
    if ftype == "number":
        return pd.Series(pd.array([None if v is None else float(v) for v in values], dtype="Float64"), index=index)
    if ftype == "boolean":
        return pd.Series(pd.array(values, dtype="boolean"), index=index)
    if ftype == "date" and all(not isinstance(v, _dt.datetime) for v in present):
        days = np.array([np.datetime64("NaT") if v is None else np.datetime64(v, "D") for v in values],
                        dtype="datetime64[D]")
        inside = all(1678 <= v.year <= 2261 for v in present)
        return pd.Series(days.astype("datetime64[ns]" if inside else "datetime64[s]"), index=index)
    return pd.Series(values, index=index, dtype=object)


def _typed_column(cells: pd.Series, field: dict, missing: list[str], lang: str, where: str) -> pd.Series:
    """Cells as written → the column of typed values (``None`` read for missing cells)."""
    from dcteach._validation._fields import cell_reader, value_text

    ftype = field.get("type", "string")
    read = cell_reader(field)
    keep_text = ftype not in ("integer", "number", "boolean", "date", "datetime", "time", "year")
    values: list[Any] = []
    for i, cell in enumerate(cells.tolist()):
        if cell is None or cell in missing:
            values.append(None)
            continue
        value = read(cell)
        if value is None:  # cannot happen after validation; said clearly if it does
            raise DatasetError(f"{where}: row {i + 2}, column {field['name']!r}: {cell!r} is not a valid {ftype}; "
                               "run `dcteach validate` on the extension")
        values.append(cell if keep_text else value)
    column = _as_column(values, "string" if keep_text else ftype, cells.index)
    enum = (field.get("constraints") or {}).get("enum")
    if enum:
        texts = [value_text(ftype, v) for v in enum]
        typed = [t if keep_text else read(t) for t in texts]
        cats = _as_column(typed, "string" if keep_text else ftype, pd.RangeIndex(len(typed)))
        cats = pd.Index(cats.dropna().drop_duplicates())
        cat = pd.Categorical(column, categories=cats, ordered=True)
        labels = field.get("dcteach:labels") or {}
        if lang != "en" and labels:
            names = [labels.get(t, {}).get(lang, t) for t in dict.fromkeys(texts)]
            if len(set(names)) == len(cats):
                cat = cat.rename_categories(names)
        column = pd.Series(cat, index=cells.index)
    return column


def load_extended(name: str, *, lang: str = "en", extra: str | os.PathLike) -> pd.DataFrame:
    """``load_dataset(name, lang=lang, extra=extra)``: a core table plus an extension's rows, or its own table.

    The extension is validated first; then every cell is typed by the reader
    the validator used, so a valid extension loads to the values it holds
    (an integer ``year`` enum ``[2019, 2023]`` is a category of the integers
    2019 and 2023). Unknown columns are kept as written.
    """
    if not isinstance(name, str):
        data._resource(name)  # raises the beginner-friendly type error
    data.check_lang(lang)
    raw = load_merged(name, extra, core_dir=data.core_dir())
    schema = raw.attrs["schema"]
    known = [f["name"] for f in schema["fields"]]
    missing = schema.get("missingValues", [""])
    out: dict[str, pd.Series] = {}
    for field in schema["fields"]:
        cells = raw[field["name"]] if field["name"] in raw.columns else pd.Series([""] * len(raw), index=raw.index,
                                                                                    dtype=object)
        out[field["name"]] = _typed_column(cells, field, field.get("missingValues", missing), lang, str(extra))
    df = pd.DataFrame(out, index=raw.index)
    for col in raw.columns:
        if col not in known:  # unknown columns are kept, as written
            df[col] = raw[col].mask(raw[col] == "")
    df = data._order_columns(df, lang)
    df.attrs.update(name=name, lang=lang, extra=str(extra), rows_from=dict(raw.attrs["rows_from"]))
    return df


def describe_extended(name: str, *, extra: str | os.PathLike) -> data.Description:
    """``describe(name, extra=extra)``: a table of the extension, or a core table with the extension's columns."""
    from dcteach._validation._engine import load_package

    ext_path = Path(extra)
    try:
        ext = load_package(ext_path)
        core = load_package(data.core_dir())
    except UsageError as exc:
        raise DatasetError(str(exc)) from None
    own = ext.resources.get(name)
    if name in core.resources:
        resource = dict(core.resources[name].descriptor)
        fields = list(resource["schema"]["fields"])
        if own is not None:
            known = {f["name"] for f in fields}
            fields += [f for f in own.schema.get("fields", []) if isinstance(f, dict) and f.get("name") not in known]
        resource["schema"] = dict(resource["schema"], fields=fields)
        package, folder = data._descriptor(data.core_dir()), "datasets"
        if own is not None:
            resource["description"] = (resource.get("description", "") +
                                       f" With the rows of the extension {ext_path} ({own.descriptor.get('path')}).")
    elif own is not None:
        resource = dict(own.descriptor, schema=own.schema)
        package, folder = ext.descriptor, str(ext_path)
    else:
        names = sorted(set(core.resources) | set(ext.resources))
        raise UsageError(f"no table named {name!r} in the core or in {ext_path}; choose one of: {', '.join(names)}")
    return data.Description(name, resource, package, folder)


data._EXTENSION_HOOKS.update(load=load_extended, describe=describe_extended)
