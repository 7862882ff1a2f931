"""Validate a data package (or an extension against the core) resource by resource.

Findings are kept as arrays of row numbers per (resource, field, problem) and
turned into :class:`Problem` records only at the end, sorted by file, row and
column, so even a million bad cells cost little until they are printed.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dcteach._errors import UsageError
from dcteach._jsondoc import loads_located, read_user_text
from dcteach._validation._fields import FieldResult, Finding, check_column, dictionary_encode, fix_for_value
from dcteach._validation._read import RawTable, read_csv_file

__all__ = ["Problem", "Package", "Resource", "load_package", "run", "CODE_CLASSES"]

#: our problem codes → the Frictionless error type that reports the same thing
CODE_CLASSES = {
    "type": "type-error",
    "required": "constraint-error",
    "enum": "constraint-error",
    "pattern": "constraint-error",
    "minimum": "constraint-error",
    "maximum": "constraint-error",
    "exclusiveMinimum": "constraint-error",
    "exclusiveMaximum": "constraint-error",
    "minLength": "constraint-error",
    "maxLength": "constraint-error",
    "unique": "unique-error",
    "primary-key": "primary-key",
    "id-clash": "primary-key",
    "foreign-key": "foreign-key",
    "missing-cell": "missing-cell",
    "extra-cell": "extra-cell",
    "blank-row": "blank-row",
    "encoding": "encoding-error",
    "missing-column": "missing-label",
    "duplicate-column": "duplicate-label",
    "blank-column": "blank-label",
    "missing-file": "scheme-error",
    "schema": "schema-error",
    "extra-column": "extra-label",
    "column-order": "incorrect-label",
}


@dataclasses.dataclass(frozen=True)
class Problem:
    """One located problem: a bad cell, row, column or file.

    ``row`` counts as Frictionless does (header line = 1, first data row = 2);
    ``column`` is the 1-based position in the file (``None`` if the column is missing).
    """

    resource: str
    row: int | None
    field: str | None
    type: str
    message: str
    value: str | None
    fix: str
    path: str = ""
    column: int | None = None
    severity: str = "error"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def format_text(self) -> str:
        """``file:row:column: problem (value) — how to fix``."""
        loc = self.path or self.resource
        if self.row is not None:
            loc += f":{self.row}"
            if self.column is not None:
                loc += f":{self.column}"
        value = "" if self.value is None else f" ({self.value!r})" if len(self.value) <= 80 else f" ({self.value[:77]!r}…)"
        label = "" if self.severity == "error" else f"{self.severity}: "
        return f"{loc}: {label}{self.message}{value} — {self.fix}"


@dataclasses.dataclass
class _Batch:
    resource: str
    path: str
    order: int
    field: str | None
    column: int | None
    code: str
    message: str
    fix: str
    rows: np.ndarray
    values: Any = None  # pa.Array or list aligned with rows, or None
    finding: Finding | None = None
    missing_values: list[str] | None = None
    severity: str = "error"


@dataclasses.dataclass
class Resource:
    name: str
    path: Path | None
    display: str
    schema: dict
    dialect: dict
    encoding: str
    order: int
    descriptor: dict


@dataclasses.dataclass
class Package:
    base: Path
    descriptor: dict
    resources: dict[str, Resource]


def _load_json(path: Path, what: str) -> Any:
    text = read_user_text(path, UsageError, not_text=f"save the {what} as UTF-8")
    return loads_located(text, str(path), UsageError, f"fix the JSON syntax of the {what} (a missing comma or quote?)")


def load_package(path: str | os.PathLike) -> Package:
    """Read a ``datapackage.json`` (or the folder holding one); UsageError if it is not one."""
    p = Path(path)
    if not p.exists():
        raise UsageError(f"{p}: no such file or folder; give the folder that holds datapackage.json")
    desc_path = p / "datapackage.json" if p.is_dir() else p
    if p.is_dir() and not desc_path.exists():
        raise UsageError(
            f"{p}: not a data package (no datapackage.json in this folder);"
            " create one with `dcteach extension new PATH` or point to the right folder"
        )
    if desc_path.suffix.lower() != ".json":
        raise UsageError(
            f"{p}: not a data package descriptor; give the folder that holds datapackage.json"
        )
    descriptor = _load_json(desc_path, "datapackage.json")
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise UsageError(f"{desc_path}: not a data package (it needs a \"resources\" list)")
    base = desc_path.parent
    resources: dict[str, Resource] = {}
    for i, res in enumerate(descriptor["resources"]):
        if not isinstance(res, dict):
            continue
        name = res.get("name") or f"resource{i + 1}"
        rpath = res.get("path")
        if isinstance(rpath, list):
            rpath = rpath[0] if rpath else None
        file = (base / rpath) if isinstance(rpath, str) else None
        schema = res.get("schema") or {}
        if isinstance(schema, str):
            schema = _load_json(base / schema, f"schema of {name}")
        dialect = res.get("dialect") or {}
        if isinstance(dialect, str):
            dialect = _load_json(base / dialect, f"dialect of {name}")
        dialect = dict(dialect.get("csv", {}), **{k: v for k, v in dialect.items() if k != "csv"})
        # shown as the user gave the package's path (relative stays relative, absolute
        # stays absolute), so the output does not depend on the working directory
        display = str(file) if file is not None else name
        resources[name] = Resource(name, file, display, schema, dialect,
                                   res.get("encoding") or "utf-8", i, res)
    return Package(base, descriptor, resources)


def _is_tabular(res: Resource) -> bool:
    if res.schema.get("fields"):
        return True
    fmt = (res.descriptor.get("format") or "").lower()
    suffix = res.path.suffix.lower() if res.path else ""
    return fmt in ("csv", "tsv") or suffix in (".csv", ".tsv")


class _Checked:
    """A read and checked resource: its raw table, field → column, field results."""

    def __init__(self, res: Resource, table: RawTable, schema: dict):
        self.res = res
        self.table = table
        self.schema = schema
        self.fields = {f["name"]: f for f in schema.get("fields", []) if isinstance(f, dict) and "name" in f}
        self.col_of: dict[str, int] = {}
        for i, label in enumerate(table.labels):
            if label in self.fields and label not in self.col_of:
                self.col_of[label] = i
        self.results: dict[str, FieldResult] = {}
        self.blank = np.zeros(table.num_rows, bool)

    def key(self, names: list[str]) -> pa.Array | None:
        """Joined canonical key of *names*; null where every part is missing/invalid."""
        parts = []
        for n in names:
            if n not in self.col_of:
                return None
            if n not in self.results or not self.results[n].has_key:
                self.results[n] = check_column(
                    self.table.column(self.col_of[n]), self.fields[n], self.schema.get("missingValues"))
            parts.append(self.results[n].key)
        if len(parts) == 1:
            return parts[0]
        all_null = np.logical_and.reduce([p.is_null().to_numpy(zero_copy_only=False) for p in parts])
        joined = pc.binary_join_element_wise(*parts, "\x1f", null_handling="replace", null_replacement="\x00")
        return pc.if_else(pa.array(all_null), pa.scalar(None, pa.string()), joined)


_K0 = np.uint64(0x9E3779B97F4A7C15)
_K1 = np.uint64(0xBF58476D1CE4E5B9)


def _hash_strings(key: pa.Array | pa.ChunkedArray, max_len: int = 64) -> np.ndarray | None:
    """A 64-bit hash of every string (vectorised, cache-friendly); None if a string is longer than *max_len*.

    Equal strings get equal hashes; different ones rarely do, and callers
    compare the actual strings of any rows whose hashes repeat.
    """
    if key.type != pa.string():
        return None
    chunks = key.chunks if isinstance(key, pa.ChunkedArray) else [key]
    out = np.empty(len(key), np.uint64)
    at = 0
    for chunk in chunks:
        n = len(chunk)
        if not n:
            continue
        bufs = chunk.buffers()
        off = np.frombuffer(bufs[1], np.int32, count=n + 1, offset=chunk.offset * 4)
        lengths = np.diff(off)
        width = int(lengths.max(initial=0))
        if width > max_len:
            return None
        words = max(1, (width + 7) // 8)
        data = np.frombuffer(bufs[2], np.uint8) if bufs[2] is not None and width else np.zeros(0, np.uint8)
        data = data[off[0]:off[-1]]
        padded = np.zeros((n, words * 8), np.uint8)
        if width and (lengths == width).all():
            padded[:, :width] = data.reshape(n, width)
        elif width:
            starts = np.repeat(off[:-1] - off[0] - np.arange(n, dtype=np.int64) * words * 8, lengths)
            padded.reshape(-1)[np.arange(len(data), dtype=np.int64) - starts] = data
        w = padded.view(np.uint64)
        h = lengths.astype(np.uint64) * _K0
        for j in range(words):
            h ^= w[:, j]
            h *= _K1
            h ^= h >> np.uint64(31)
        out[at:at + n] = h
        at += n
    return out


def _repeated_rows(key: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Indices of the rows whose non-null value occurs more than once (sorted)."""
    hashes = _hash_strings(key)
    if hashes is None:  # long strings: pyarrow's hash table
        counted = pc.value_counts(key)
        values, counts = counted.field("values"), counted.field("counts")
        repeated = pc.filter(values, pc.and_(pc.greater(counts, 1), pc.is_valid(values)))
        if not len(repeated):
            return np.zeros(0, np.int64)
        return np.flatnonzero(_np_mask(pc.is_in(key, value_set=repeated)))
    valid = _np_mask(key.is_valid()) if key.null_count else None
    ordered = np.sort(hashes if valid is None else hashes[valid])
    same = ordered[1:] == ordered[:-1]
    if not same.any():  # the common case: no duplicate at all
        return np.zeros(0, np.int64)
    twice = np.unique(ordered[1:][same])
    del ordered, same
    hit = np.empty(len(hashes), bool)
    step = 1 << 17  # in slices: small temporaries
    for at in range(0, len(hashes), step):
        part = hashes[at:at + step]
        pos = np.minimum(np.searchsorted(twice, part), len(twice) - 1)
        np.equal(twice[pos], part, out=hit[at:at + step])
    if valid is not None:
        hit &= valid
    return np.flatnonzero(hit)


def _duplicates(key: pa.Array | pa.ChunkedArray, table: RawTable | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Indices of non-null values seen in an earlier row, and for each the index of the first one.

    One vectorised pass finds the rows whose value repeats (hashes sorted);
    only those are then compared as strings. *table* gives the rows' numbers
    in the file when its rows are not in file order.

    >>> _duplicates(pa.array(["a", "b", "a", None, None, "a", "", "bb", ""]))
    (array([2, 5, 8]), array([0, 0, 6]))
    """
    cand = _repeated_rows(key)
    if not cand.size:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if table is not None and not table.in_file_order:
        cand = cand[np.argsort(table.row_numbers_of(cand), kind="stable")]
    seen: dict[str, int] = {}
    dup: list[int] = []
    firsts: list[int] = []
    for i, v in zip(cand.tolist(), pc.take(key, pa.array(cand)).to_pylist()):
        if v in seen:
            dup.append(i)
            firsts.append(seen[v])
        else:
            seen[v] = i
    order = np.argsort(dup, kind="stable")
    return np.asarray(dup, np.int64)[order], np.asarray(firsts, np.int64)[order]


class _Run:
    def __init__(self, pkg: Package, core: Package | None):
        self.pkg = pkg
        self.core = core
        self.batches: list[_Batch] = []
        self.checked: dict[str, _Checked] = {}
        self.core_checked: dict[str, _Checked] = {}
        self.rows = 0
        #: resource name → fields whose keys are needed (keys, foreign keys and what they refer to)
        self.key_fields: dict[str, set[str]] = {}
        for res in pkg.resources.values():
            schema = self.schema_for(res)
            mine = self.key_fields.setdefault(res.name, set())
            pk = schema.get("primaryKey") or []
            mine.update([pk] if isinstance(pk, str) else pk)
            mine.update(f.get("name") for f in schema.get("fields", [])
                        if isinstance(f, dict) and (f.get("constraints") or {}).get("unique"))
            for fk in schema.get("foreignKeys", []) or []:
                fields = fk.get("fields")
                mine.update([fields] if isinstance(fields, str) else fields or [])
                ref = fk.get("reference", {}) or {}
                rfields = ref.get("fields")
                self.key_fields.setdefault(ref.get("resource") or res.name, set()).update(
                    [rfields] if isinstance(rfields, str) else rfields or [])

    # -- helpers ---------------------------------------------------------
    def add(self, c: _Checked | Resource, code: str, message: str, fix: str, rows: Iterable[int] | np.ndarray,
            *, field: str | None = None, column: int | None = None, values: Any = None,
            finding: Finding | None = None, severity: str = "error") -> None:
        res = c.res if isinstance(c, _Checked) else c
        rows = np.asarray(rows, dtype=np.int64)
        self.batches.append(_Batch(res.name, res.display, res.order, field, column, code, message, fix,
                                   rows, values, finding,
                                   (c.schema.get("missingValues") if isinstance(c, _Checked) else None), severity))

    def add_resource(self, res: Resource, code: str, message: str, fix: str, *, field: str | None = None,
                     row: int | None = None, column: int | None = None, severity: str = "error") -> None:
        self.batches.append(_Batch(res.name, res.display, res.order, field, column, code, message, fix,
                                   np.asarray([-1 if row is None else row], dtype=np.int64), None, None, None, severity))

    def read(self, res: Resource, schema: dict) -> _Checked | None:
        if res.path is None or not res.path.is_file():
            where = res.path if res.path is not None else "(no path)"
            self.add_resource(res, "missing-file", f"the file {where} for resource {res.name!r} does not exist",
                              "check the resource's \"path\" in datapackage.json (relative to that file)")
            return None
        dialect = dict(res.dialect)
        if dialect.get("header") is False:
            dialect["_labels"] = [f["name"] for f in schema.get("fields", [])]
        table = read_csv_file(res.path, dialect=dialect, encoding=res.encoding)
        pa.default_memory_pool().release_unused()
        return _Checked(res, table, schema)

    # -- one resource ----------------------------------------------------
    def check_field(self, c: _Checked, name: str) -> FieldResult:
        result = check_column(c.table.column(c.col_of[name]), c.fields[name], c.schema.get("missingValues"))
        if name not in self.key_fields.get(c.res.name, ()):
            result.forget_key()  # frees what the key would be made from
        return result

    def check_resource(self, c: _Checked) -> None:
        t = c.table
        res = c.res
        self.rows += t.num_rows
        labels = t.labels
        if not labels and t.num_rows == 0:
            self.add_resource(res, "missing-file", f"the file {res.display} is empty",
                              "write a header line with the column names, then the rows")
            return
        # header
        seen: dict[str, int] = {}
        for i, label in enumerate(labels):
            if label.strip() == "":
                self.add_resource(res, "blank-column", f"column {i + 1} has no name in the header",
                                  "write the column's name in the first line", row=1, column=i + 1)
            elif label in seen:
                self.add_resource(res, "duplicate-column", f"column {label!r} appears twice in the header "
                                  f"(columns {seen[label] + 1} and {i + 1})",
                                  "rename or remove one of them", field=label, row=1, column=i + 1)
            else:
                seen[label] = i
        unknown = [lab for lab in labels if lab and lab not in c.fields]
        pk = c.schema.get("primaryKey") or []
        pk = [pk] if isinstance(pk, str) else list(pk)
        adds_rows = self.core is not None and res.name in self.core.resources
        left_out: list[str] = []
        for name, field in c.fields.items():
            if name not in c.col_of:
                close = difflib.get_close_matches(name, unknown, n=1)
                fix = (f"the header has {close[0]!r}: rename it to {name!r}" if close else
                       f"add a column named {name!r} to the header (or remove the field from the schema)")
                optional = not (field.get("constraints") or {}).get("required") and name not in pk
                if adds_rows and optional:
                    left_out.append(name)
                    continue
                self.add_resource(res, "missing-column", f"column {name!r} of the schema is missing from the header",
                                  fix, field=name, row=1)
        if left_out:
            self.add_resource(res, "missing-column", f"optional core columns left out: {', '.join(left_out)}"
                              " (their cells count as empty)", "add any of them if you have values",
                              row=1, severity="warning")
        for lab in unknown:
            self.add_resource(res, "extra-column", f"column {lab!r} is not in the schema; it is kept as it is",
                              "describe it in the schema's fields if you want it checked",
                              field=lab, row=1, column=labels.index(lab) + 1, severity="warning")
        expected = [n for n in c.fields if n in c.col_of]
        actual = [lab for lab in labels if lab in c.col_of and c.col_of[lab] == labels.index(lab)]
        if expected != actual:
            self.add_resource(res, "column-order", "the columns are not in the schema's order "
                              f"({', '.join(expected)})", "reorder the columns (optional)", row=1, severity="warning")
        if not c.fields and res.schema == {}:
            self.add_resource(res, "schema", f"resource {res.name!r} has no schema: only the CSV structure was checked",
                              "add a \"schema\" with \"fields\" to the resource", severity="warning")
        if t.num_rows == 0:
            return
        # cells: columns on worker threads (key columns first); duplicates here meanwhile
        unique = [n for n in expected if (c.fields[n].get("constraints") or {}).get("unique")]
        todo = sorted((n for n in expected if n not in c.results), key=lambda n: n not in pk and n not in unique)
        with _workers(len(todo) > 1 and t.num_rows >= _PARALLEL_ROWS) as workers:
            futures = {n: workers.submit(self.check_field, c, n) for n in todo}
            for name in [n for n in todo if n in pk or n in unique]:
                c.results[name] = futures[name].result()
            unique_dups = {n: _duplicates(c.results[n].key, t) for n in unique}
            pk_key = c.key(pk) if pk else None
            pk_dups = _duplicates(pk_key, t)[0] if pk_key is not None else None
            for name, future in futures.items():
                c.results[name] = future.result()
        if expected:
            c.blank = np.logical_and.reduce([c.results[n].missing for n in expected])
        keep = ~c.blank
        if c.blank.any():
            self.add(c, "blank-row", "the row is empty", "delete the empty line or fill in the row",
                     t.row_numbers_of(np.flatnonzero(c.blank)))
        # ragged rows: cells padded with null are "missing cells"
        short = {n for n, k in t.ragged if k < len(labels)}
        for name in expected:
            r = c.results[name]
            col = c.col_of[name]
            arr = t.column(col)
            if short and arr.null_count:
                isnull = arr.is_null().to_numpy(zero_copy_only=False) & keep
                self.add(c, "missing-cell", f"{name}: the row has too few cells, this one is missing",
                         "add the missing cells (check for a lost comma or delimiter)",
                         t.row_numbers_of(np.flatnonzero(isnull)), field=name, column=col + 1)
            else:
                isnull = None
            for f in r.findings:
                mask = f.mask & keep
                if isnull is not None and f.code == "required":
                    mask &= ~isnull
                hit = np.flatnonzero(mask)
                if hit.size:
                    self.add(c, f.code, f.message, f.fix, t.row_numbers_of(hit), field=name, column=col + 1,
                             values=pc.take(arr, pa.array(hit)), finding=f)
        for number, colno, value in t.extra_cells:
            self.add(c, "extra-cell", f"the row has more cells than the header has columns (cell {colno})",
                     "remove the extra cell, or quote a value that contains the delimiter",
                     [number], column=colno, values=[value])
        if t.encoding_damaged:
            for i, label in enumerate(labels):
                arr = t.column(i)
                hit = np.flatnonzero(_np_mask(pc.match_substring(arr, "\ufffd")))
                if hit.size:
                    self.add(c, "encoding", f"{label}: bytes that are not valid {res.encoding} text",
                             f"save the file as {res.encoding} (in Excel: CSV UTF-8; in LibreOffice: character set UTF-8)",
                             t.row_numbers_of(hit), field=label or None, column=i + 1, values=pc.take(arr, pa.array(hit)))
        # unique fields
        for name in unique:
            hit, firsts = unique_dups[name]
            kept = keep[hit]
            hit, firsts = hit[kept], firsts[kept]
            if hit.size:
                first_rows = t.row_numbers_of(firsts)
                self.add(c, "unique", f"{name}: the value must be unique but appears earlier "
                         f"(first in row {first_rows[0]})" if len(set(first_rows.tolist())) == 1 else
                         f"{name}: the value must be unique but appears in an earlier row",
                         "change or remove the repeated value", t.row_numbers_of(hit), field=name,
                         column=c.col_of[name] + 1, values=pc.take(t.column(c.col_of[name]), pa.array(hit)))
        # primary key
        if pk_key is not None and pk_dups is not None:
            self.check_primary_key(c, pk, pk_key, pk_dups, keep)

    def check_primary_key(self, c: _Checked, pk: list[str], key: pa.Array | pa.ChunkedArray,
                          dups: np.ndarray, keep: np.ndarray) -> None:
        t = c.table
        label = ", ".join(pk)
        col = c.col_of[pk[0]] + 1
        raw = _raw_key(c, pk)
        empty = key.is_null().to_numpy(zero_copy_only=False) & keep
        hit = np.flatnonzero(empty)
        if hit.size:
            self.add(c, "primary-key", f"{label}: the primary key is empty (or not valid)",
                     f"give every row a valid, unique {label}", t.row_numbers_of(hit), field=pk[0], column=col,
                     values=pc.take(raw, pa.array(hit)))
        hit = dups[keep[dups]]
        if hit.size:
            self.add(c, "primary-key", f"{label}: this id is already used in an earlier row",
                     f"give each row its own {label} (ids must be unique)", t.row_numbers_of(hit),
                     field=pk[0], column=col, values=pc.take(raw, pa.array(hit)))

    # -- package ---------------------------------------------------------
    def schema_for(self, res: Resource) -> dict:
        if self.core is None or res.name not in self.core.resources:
            return res.schema
        core_schema = self.core.resources[res.name].schema
        names = {f["name"] for f in core_schema.get("fields", [])}
        extra = [f for f in res.schema.get("fields", []) if f.get("name") not in names]
        fks = list(core_schema.get("foreignKeys", []))
        fks += [fk for fk in res.schema.get("foreignKeys", []) if fk not in fks]
        return dict(core_schema, fields=list(core_schema.get("fields", [])) + extra, foreignKeys=fks)

    def core_table(self, name: str) -> _Checked | None:
        if self.core is None or name not in self.core.resources:
            return None
        if name not in self.core_checked:
            res = self.core.resources[name]
            if res.path is None or not res.path.is_file():
                return None
            table = read_csv_file(res.path, dialect=res.dialect, encoding=res.encoding)
            self.core_checked[name] = _Checked(res, table, res.schema)
        return self.core_checked[name]

    def lookup(self, name: str, fields: list[str]) -> tuple[pa.Array | None, bool]:
        """All keys of resource *name* (package and core); found-anywhere flag."""
        parts = []
        found = False
        for c in (self.checked.get(name), self.core_table(name)):
            if c is None:
                continue
            found = True
            k = c.key(fields)
            if k is not None:
                parts.append(k.drop_null())
        if name in self.pkg.resources or (self.core and name in self.core.resources):
            found = True
        if not parts:
            return None, found
        chunks = [ch for p in parts for ch in (p.chunks if isinstance(p, pa.ChunkedArray) else [p])]
        return pa.chunked_array(chunks, type=pa.string()), found

    def check_foreign_keys(self, c: _Checked) -> None:
        t = c.table
        for fk in c.schema.get("foreignKeys", []) or []:
            fields = fk.get("fields")
            ref = fk.get("reference", {}) or {}
            rname = ref.get("resource") or c.res.name
            rfields = ref.get("fields")
            fields = [fields] if isinstance(fields, str) else list(fields or [])
            rfields = [rfields] if isinstance(rfields, str) else list(rfields or [])
            key = c.key(fields)
            if key is None:
                continue
            values, found = self.lookup(rname, rfields)
            label = ", ".join(fields)
            if not found:
                hint = (" (it is a core table: mark this package as an extension with \"extends\": \"dcteach\")"
                        if self.core is None and _core_has(rname) else "")
                self.add_resource(c.res, "foreign-key", f"{label}: the foreign key refers to a resource "
                                  f"{rname!r} that exists neither in this package nor in the core{hint}",
                                  "fix \"reference.resource\" in the schema's foreignKeys", field=fields[0])
                continue
            if values is None:
                ok = np.zeros(len(key), bool)
            else:
                ok = _np_mask(pc.is_in(key, value_set=pc.unique(values)))
            bad = ~ok & ~key.is_null().to_numpy(zero_copy_only=False) & ~c.blank
            hit = np.flatnonzero(bad)
            if not hit.size:
                continue
            is_source = rname == "sources"
            where = "your extension's sources table or the core's" if self.core is not None else f"{rname!r}"
            if is_source:
                fix = (f"add a row with this id to {where} sources (see `dcteach datasets show sources`),"
                       " or correct the id")
            else:
                fix = f"use an id that exists in {rname!r} ({', '.join(rfields)}), or add that row to {rname!r}"
                if values is not None and len(rfields) == 1 and len(values) <= 2000:
                    fix += f"; known ids start {', '.join(sorted(pc.unique(values).to_pylist())[:5])}…"
            self.add(c, "foreign-key", f"{label}: no row of {rname!r} has this {', '.join(rfields)}", fix,
                     t.row_numbers_of(hit), field=fields[0], column=c.col_of[fields[0]] + 1,
                     values=pc.take(_raw_key(c, fields), pa.array(hit)))

    def check_id_clash(self, c: _Checked) -> None:
        core = self.core_table(c.res.name)
        pk = c.schema.get("primaryKey")
        if core is None or not pk:
            return
        pk = [pk] if isinstance(pk, str) else list(pk)
        key, core_key = c.key(pk), core.key(pk)
        if key is None or core_key is None:
            return
        clash = _np_mask(pc.is_in(key, value_set=core_key.drop_null())) & ~c.blank
        hit = np.flatnonzero(clash)
        if hit.size:
            self.add(c, "id-clash", f"{', '.join(pk)}: this id already exists in the core table {c.res.name!r}",
                     "extensions add rows, they cannot change core rows: give your row a new id "
                     "(e.g. with your own prefix)", c.table.row_numbers_of(hit), field=pk[0],
                     column=c.col_of[pk[0]] + 1, values=pc.take(_raw_key(c, pk), pa.array(hit)))

    def run(self) -> None:
        for res in self.pkg.resources.values():
            if not _is_tabular(res):
                continue
            c = self.read(res, self.schema_for(res))
            if c is not None:
                self.checked[res.name] = c
                self.check_resource(c)
        for c in self.checked.values():
            self.check_foreign_keys(c)
            if self.core is not None:
                self.check_id_clash(c)


#: tables with at least this many rows check their columns on several threads (if there are several cores)
_PARALLEL_ROWS = 50_000


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class _Inline:
    """Runs submitted work at once, in this thread (when threads would not help)."""

    def submit(self, fn: Any, *args: Any) -> Future:
        future: Future = Future()
        future.set_result(fn(*args))
        return future

    def __enter__(self) -> "_Inline":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None


def _workers(parallel: bool) -> Any:
    """A pool of one thread per core (pyarrow and numpy release the GIL), or inline execution."""
    cores = _cores()
    if parallel and cores > 1:
        return ThreadPoolExecutor(max_workers=min(cores, 4), thread_name_prefix="dcteach-validate")
    return _Inline()


def _core_has(name: str) -> bool:
    try:
        from dcteach import data

        core = data.core_dir()
        return (core / "datapackage.json").exists() and name in load_package(core).resources
    except Exception:
        return False


def _raw_key(c: _Checked, names: list[str]) -> pa.Array:
    cols = [c.table.column(c.col_of[n]) for n in names]
    if len(cols) == 1:
        return cols[0]
    return pc.binary_join_element_wise(*cols, ", ", null_handling="replace", null_replacement="")


def _np_mask(mask: Any) -> np.ndarray:
    if isinstance(mask, pa.ChunkedArray):
        mask = mask.combine_chunks()
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False).astype(bool, copy=False)


def materialise(batches: list[_Batch], max_errors: int | None) -> tuple[list[Problem], list[Problem], bool]:
    """Sort batches by (file, row, column) and build Problem records (errors capped at *max_errors*)."""
    errors_b = [b for b in batches if b.severity == "error"]
    warn_b = [b for b in batches if b.severity != "error"]

    def build(bs: list[_Batch], cap: int | None) -> tuple[list[Problem], bool]:
        if not bs:
            return [], False
        order = np.concatenate([np.full(len(b.rows), b.order) for b in bs])
        rows = np.concatenate([b.rows for b in bs])
        cols = np.concatenate([np.full(len(b.rows), -1 if b.column is None else b.column) for b in bs])
        bid = np.concatenate([np.full(len(b.rows), i) for i, b in enumerate(bs)])
        pos = np.concatenate([np.arange(len(b.rows)) for b in bs])
        idx = np.lexsort((pos, bid, cols, rows, order))
        truncated = cap is not None and len(idx) > cap
        if truncated:
            idx = idx[:cap]
        picked: dict[int, list[int]] = {}
        for i in idx.tolist():
            picked.setdefault(int(bid[i]), []).append(int(pos[i]))
        values: dict[tuple[int, int], Any] = {}
        for b, ps in picked.items():
            vals = bs[b].values
            if vals is None:
                continue
            taken = pc.take(vals, pa.array(ps)).to_pylist() if isinstance(vals, (pa.Array, pa.ChunkedArray)) else [vals[p] for p in ps]
            for p, v in zip(ps, taken):
                values[(b, p)] = v
        out = []
        for i in idx.tolist():
            b = bs[int(bid[i])]
            p = int(pos[i])
            v = values.get((int(bid[i]), p))
            fix = fix_for_value(b.finding, v, b.missing_values or [""]) if b.finding is not None else b.fix
            row = int(b.rows[p])
            out.append(Problem(b.resource, None if row < 0 else row, b.field, b.code, b.message, v, fix,
                               b.path, b.column, b.severity))
        return out, truncated

    errs, truncated = build(errors_b, max_errors)
    warns, _ = build(warn_b, None)
    return errs, warns, truncated


def run(pkg: Package, core: Package | None, max_errors: int | None) -> tuple[list[Problem], list[Problem], bool, int]:
    r = _Run(pkg, core)
    r.run()
    errors, warnings, truncated = materialise(r.batches, max_errors)
    return errors, warnings, truncated, r.rows
