"""Validate a data package (or an extension against the core) resource by resource.

Findings are kept as arrays of row numbers per (resource, field, problem) and
turned into :class:`Problem` records only at the end, sorted by file, row and
column, so even a million bad cells cost little until they are printed.
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import hashlib
import io
import itertools
import json
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dcteach._errors import UsageError
from dcteach._jsondoc import loads_located, read_user_text
from dcteach._validation._fields import (FieldResult, Finding, check_column, dictionary_encode, fix_for_value,
                                         usable_constraints,
                                         value_text)
from dcteach._validation._read import RawTable, read_csv_bytes, read_table
from dcteach._validation._schema import FIELDS_MATCH, check_schema, key_names
from dcteach._validation._suggest import closest

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
    "unique-key": "unique-error",
    "at-least-one-of": "row-constraint",
    "coverage": "table-dimensions",
    "hash": "hash-count",
    "bytes": "byte-count",
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
    #: value → "did you mean" suggestion (foreign keys)
    suggest: dict[str, str] | None = None


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
    #: problems of the descriptor itself: (resource name or None, field or None, message, fix)
    problems: list[tuple[str | None, str | None, str, str]] = dataclasses.field(default_factory=list)
    #: the descriptor's file, as given (for locating its problems)
    display: str = "datapackage.json"

    @property
    def is_extension(self) -> bool:
        return self.descriptor.get("extends") == "dcteach"


def _load_json(path: Path, what: str) -> Any:
    text = read_user_text(path, UsageError, not_text=f"save the {what} as UTF-8")
    return loads_located(text, str(path), UsageError, f"fix the JSON syntax of the {what} (a missing comma or quote?)")


#: properties of a Table Schema that are misplaced on a resource or on the package
_SCHEMA_KEYS = ("fields", "missingValues", "primaryKey", "foreignKeys", "uniqueKeys", "fieldsMatch")


def _misplaced_schema_keys(obj: dict, resource: str | None) -> list[tuple]:
    """Schema properties written on the package (``resource`` None) or on a resource, not in a schema."""
    where = "the package" if resource is None else "the resource"
    target = "the \"schema\" of the resource it belongs to" if resource is None else "the resource's \"schema\""
    return [(resource, None, f"\"{key}\" is a property of {'a' if resource is None else 'the'} resource's schema, "
             f"not of {where}", f"move \"{key}\" into {target}") for key in _SCHEMA_KEYS if key in obj]


def load_package(path: str | os.PathLike) -> Package:
    """Read a ``datapackage.json`` (or the folder holding one); UsageError if it is not one.

    Problems of the descriptor that do not stop reading it (a misplaced
    ``fields``, a primary key naming no field...) are kept in ``problems``.
    """
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
    pkg = Package(base, descriptor, {}, [], str(desc_path))
    problems = pkg.problems
    if not descriptor["resources"]:
        problems.append((None, None, "the package has no resources (the \"resources\" list is empty)",
                         "describe at least one data file in \"resources\""))
    problems += _misplaced_schema_keys(descriptor, None)
    for i, res in enumerate(descriptor["resources"]):
        if not isinstance(res, dict):
            problems.append((None, None, f"resource {i + 1} is not an object", "write each resource as {\"name\": ..., \"path\": ...}"))
            continue
        name = res.get("name") or f"resource{i + 1}"
        if name in pkg.resources:
            problems.append((name, None, f"two resources are named {name!r}", "give every resource its own name"))
        rpath = res.get("path")
        if isinstance(rpath, list):
            if len(rpath) > 1:
                raise UsageError(
                    f"{desc_path}: resource {name!r} is split into {len(rpath)} files (a multipart path); "
                    "dcteach validates one file per resource: join the parts into one CSV file")
            rpath = rpath[0] if rpath else None
        if isinstance(rpath, str) and "://" in rpath:
            raise UsageError(f"{desc_path}: resource {name!r} is a remote file ({rpath}); "
                             "download it and give its local path")
        file = (base / rpath) if isinstance(rpath, str) else None
        schema = res.get("schema") or {}
        if isinstance(schema, str):
            schema = _load_json(base / schema, f"schema of {name}")
        if not isinstance(schema, dict):
            problems.append((name, None, "the schema is not an object", "write the schema as {\"fields\": [...]}"))
            schema = {}
        if "data" in res and not isinstance(res["data"], (list, dict)):
            problems.append((name, None, "inline \"data\" must be an array or an object",
                             "write the rows as a JSON array, or give a \"path\" to a CSV file"))
        problems += _misplaced_schema_keys(res, name)
        dialect = res.get("dialect") or {}
        if isinstance(dialect, str):
            dialect = _load_json(base / dialect, f"dialect of {name}")
        dialect = dict(dialect.get("csv", {}), **{k: v for k, v in dialect.items() if k != "csv"})
        # shown as the user gave the package's path (relative stays relative, absolute
        # stays absolute), so the output does not depend on the working directory
        display = str(file) if file is not None else name
        pkg.resources[name] = Resource(name, file, display, schema, dialect,
                                       res.get("encoding") or "utf-8", i, res)
    return pkg


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
        if not self.fields:  # no schema: keys are the cells as written (a table of an extension, --no-core)
            for i, label in enumerate(table.labels):
                if label and label not in self.col_of:
                    self.col_of[label] = i
                    self.fields[label] = {"name": label, "type": "string"}
            self.untyped = True
        else:
            self.untyped = False

    def key(self, names: list[str], *, any_null: bool = False) -> pa.Array | None:
        """Joined canonical key of *names*; null where every part (*any_null*: any part) is missing/invalid."""
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
        nulls = [p.is_null().to_numpy(zero_copy_only=False) for p in parts]
        all_null = (np.logical_or if any_null else np.logical_and).reduce(nulls)
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
    def __init__(self, pkg: Package, core: Package | None, *, extra_columns: bool | None = None,
                 core_names: frozenset[str] = frozenset()):
        self.pkg = pkg
        self.core = core
        #: True: columns the schema does not describe are allowed (kept); None: the schema's fieldsMatch decides
        self.extra_columns = extra_columns
        #: names of the dcteach core's tables (for the hint to mark a package as an extension)
        self.core_names = core_names
        self.batches: list[_Batch] = []
        self.checked: dict[str, _Checked] = {}
        self.core_checked: dict[str, _Checked] = {}
        #: resources whose file is missing or unreadable (their follow-on errors are collapsed)
        self.unreadable: set[str] = set()
        self.rows = 0
        #: resource name → fields whose keys are needed (keys, foreign keys and what they refer to)
        self.key_fields: dict[str, set[str]] = {}
        for res in pkg.resources.values():
            schema = self.schema_for(res)
            mine = self.key_fields.setdefault(res.name, set())
            mine.update(key_names(schema.get("primaryKey")) or [])
            mine.update(f.get("name") for f in schema.get("fields", []) if isinstance(f, dict)
                        and isinstance(f.get("constraints"), dict) and f["constraints"].get("unique"))
            for uk in schema.get("uniqueKeys", []) if isinstance(schema.get("uniqueKeys"), list) else []:
                mine.update(key_names(uk) or [])
            for decl in _coverage_decls(schema):
                mine.update(decl[0])
            fks = schema.get("foreignKeys", [])
            for fk in fks if isinstance(fks, list) else []:
                if not isinstance(fk, dict) or not isinstance(fk.get("reference"), dict):
                    continue
                mine.update(key_names(fk.get("fields")) or [])
                ref = fk["reference"]
                self.key_fields.setdefault(ref.get("resource") or res.name, set()).update(
                    key_names(ref.get("fields")) or [])

    # -- helpers ---------------------------------------------------------
    def add(self, c: _Checked | Resource, code: str, message: str, fix: str, rows: Iterable[int] | np.ndarray,
            *, field: str | None = None, column: int | None = None, values: Any = None,
            finding: Finding | None = None, severity: str = "error", suggest: dict[str, str] | None = None) -> None:
        res = c.res if isinstance(c, _Checked) else c
        rows = np.asarray(rows, dtype=np.int64)
        self.batches.append(_Batch(res.name, res.display, res.order, field, column, code, message, fix,
                                   rows, values, finding,
                                   (c.schema.get("missingValues") if isinstance(c, _Checked) else None), severity,
                                   suggest))

    def add_resource(self, res: Resource, code: str, message: str, fix: str, *, field: str | None = None,
                     row: int | None = None, column: int | None = None, severity: str = "error",
                     first: bool = False) -> None:
        """A problem of a whole resource (or its header); *first*: a root cause, listed before the rest."""
        self.batches.append(_Batch(res.name, res.display, -1 if first else res.order, field, column, code, message,
                                   fix, np.asarray([-1 if row is None else row], dtype=np.int64), None, None, None,
                                   severity))

    def add_descriptor(self, resource: str | None, field: str | None, message: str, fix: str) -> None:
        """A problem of the descriptor (datapackage.json) itself: listed first."""
        where = f"resource {resource!r}: " if resource else ""
        self.batches.append(_Batch(resource or "", self.pkg.display, -2, field, None, "schema", where + message, fix,
                                   np.asarray([-1], dtype=np.int64), None, None, None, "error"))

    def read(self, res: Resource, schema: dict) -> _Checked | None:
        if res.path is None and "data" in res.descriptor:
            return self.read_inline(res, schema)
        if res.path is None or not res.path.is_file():
            where = res.path if res.path is not None else "(no path)"
            self.add_resource(res, "missing-file", f"the file {where} for resource {res.name!r} does not exist",
                              "check the resource's \"path\" in datapackage.json (relative to that file)",
                              first=True)
            self.unreadable.add(res.name)
            return None
        dialect = dict(res.dialect)
        if dialect.get("header") is False:
            dialect["_labels"] = [f["name"] for f in schema.get("fields", []) if isinstance(f, dict)]
        self.check_integrity(res)
        table = read_table(res, dialect)
        pa.default_memory_pool().release_unused()
        return _Checked(res, table, schema)

    def read_inline(self, res: Resource, schema: dict) -> _Checked | None:
        """Inline ``data``: rows as arrays (the first is the header) or objects (keyed by field name)."""
        rows = res.descriptor["data"]
        if not isinstance(rows, list) or not all(isinstance(r, (list, dict)) for r in rows):
            self.add_descriptor(res.name, None, "inline \"data\" must be a list of rows (arrays or objects)",
                                "write \"data\": [[\"id\", \"name\"], [1, \"a\"]] or give a \"path\"")
            self.unreadable.add(res.name)
            return None
        if rows and isinstance(rows[0], dict):
            names = [f.get("name") for f in schema.get("fields", []) if isinstance(f, dict)] or list(
                dict.fromkeys(k for r in rows if isinstance(r, dict) for k in r))
            rows = [names] + [[r.get(n) for n in names] if isinstance(r, dict) else r for r in rows]

        def text(v: Any) -> str:
            if v is None:
                return ""
            if isinstance(v, bool):
                return "true" if v else "false"
            return json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else str(v)

        buf = io.StringIO(newline="")
        csv.writer(buf, lineterminator="\n").writerows([[text(v) for v in r] for r in rows])
        table = read_csv_bytes(buf.getvalue().encode("utf-8"), dialect={})
        return _Checked(res, table, schema)

    def check_integrity(self, res: Resource) -> None:
        """A declared ``bytes`` or ``hash`` must match the file (hash: ``[algorithm:]hex``, md5 by default)."""
        want_bytes, want_hash = res.descriptor.get("bytes"), res.descriptor.get("hash")
        if want_bytes is not None:
            size = res.path.stat().st_size
            if size != want_bytes:
                self.add_resource(res, "bytes", f"the file has {size} bytes but the descriptor says \"bytes\": "
                                  f"{want_bytes}", "correct \"bytes\" (or restore the file that was described)",
                                  first=True)
        if isinstance(want_hash, str) and want_hash:
            algo, _, digest = want_hash.rpartition(":")
            algo = (algo or "md5").lower()
            if algo not in hashlib.algorithms_available:
                self.add_resource(res, "hash", f"unknown hash algorithm {algo!r} in \"hash\"",
                                  "write the hash as sha256:<hex> (or md5:<hex>)", first=True)
                return
            h = hashlib.new(algo)
            with open(res.path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            if h.hexdigest() != digest.lower():
                self.add_resource(res, "hash", f"the file's {algo} hash is {h.hexdigest()}, not the declared "
                                  f"{digest}", "correct \"hash\" (or restore the file that was described)",
                                  first=True)

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
        pk = key_names(c.schema.get("primaryKey")) or []
        adds_rows = self.core is not None and res.name in self.core.resources
        mode = self.fields_match(c)
        left_out: list[str] = []
        allow_fix = ("remove it, describe it in the schema's fields, or allow extra columns with "
                     "\"fieldsMatch\": \"subset\" in the schema (`dcteach validate --allow-extra-columns`)")
        for name, field in c.fields.items():
            if name not in c.col_of:
                close = difflib.get_close_matches(name, unknown, n=1)
                fix = (f"the header has {close[0]!r}: rename it to {name!r}" if close else
                       f"add a column named {name!r} to the header (or remove the field from the schema)")
                optional = not usable_constraints(field.get("constraints")).get("required") and name not in pk
                if optional and (mode in ("superset", "partial") or (mode == "extension" and adds_rows)):
                    left_out.append(name)
                    continue
                self.add_resource(res, "missing-column", f"column {name!r} of the schema is missing from the header",
                                  fix, field=name, row=1)
        if left_out:
            self.add_resource(res, "missing-column", f"optional {'core ' if mode == 'extension' else ''}columns "
                              f"left out: {', '.join(left_out)}"
                              " (their cells count as empty)", "add any of them if you have values",
                              row=1, severity="warning")
        if mode == "partial" and c.fields and not c.col_of:
            self.add_resource(res, "missing-column", "no column of the schema is in the header (fieldsMatch partial)",
                              "name at least one column as a field of the schema", row=1)
        for lab in unknown:
            if mode in ("subset", "partial", "extension"):
                self.add_resource(res, "extra-column", f"column {lab!r} is not in the schema; it is kept as it is",
                                  "describe it in the schema's fields if you want it checked",
                                  field=lab, row=1, column=labels.index(lab) + 1, severity="warning")
            else:
                self.add_resource(res, "extra-column", f"column {lab!r} is not in the schema", allow_fix,
                                  field=lab, row=1, column=labels.index(lab) + 1)
        expected = [n for n in c.fields if n in c.col_of]
        actual = [lab for lab in labels if lab in c.col_of and c.col_of[lab] == labels.index(lab)]
        if expected != actual and mode in ("exact", "extension") and not c.untyped:
            self.add_resource(res, "column-order", "the columns are not in the schema's order "
                              f"({', '.join(expected)})",
                              "reorder the columns (or let them be in any order with \"fieldsMatch\": \"equal\")"
                              if mode == "exact" else "reorder the columns (optional)", row=1,
                              severity="error" if mode == "exact" else "warning")
        if c.untyped and res.schema == {}:
            self.add_resource(res, "schema", f"resource {res.name!r} has no schema: only the CSV structure was checked",
                              "add a \"schema\" with \"fields\" to the resource", severity="warning")
        if t.num_rows == 0:
            return
        # cells: columns on worker threads (key columns first); duplicates here meanwhile
        unique = [n for n in expected if usable_constraints(c.fields[n].get("constraints")).get("unique")]
        todo = sorted((n for n in expected if n not in c.results), key=lambda n: n not in pk and n not in unique)
        with _workers(len(todo) > 1 and t.num_rows >= _PARALLEL_ROWS) as workers:
            futures = {n: workers.submit(self.check_field, c, n) for n in todo}
            for name in [n for n in todo if n in pk or n in unique]:
                c.results[name] = futures[name].result()
            # a unique field that is the primary key: one root cause, reported once (as the primary key)
            unique_dups = {n: _duplicates(c.results[n].key, t) for n in unique if pk != [n]}
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
        for name in unique_dups:
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
        self.check_unique_keys(c, pk, list(unique_dups), keep)
        self.check_at_least_one_of(c, keep)

    def check_unique_keys(self, c: _Checked, pk: list[str], unique: list[str], keep: np.ndarray) -> None:
        """Data Package v2 ``uniqueKeys``: no two rows share a key; a row with any part missing is exempt."""
        uks = c.schema.get("uniqueKeys", [])
        done = [pk] + [[n] for n in unique] + [[n] for n in c.fields
                                                if usable_constraints(c.fields[n].get("constraints")).get("unique")]
        for uk in uks if isinstance(uks, list) else []:
            names = key_names(uk)
            if not names or names in done or any(n not in c.col_of for n in names):
                continue  # the same key was checked already (one root cause, one error); a missing column is said
            done.append(names)
            key = c.key(names, any_null=True)
            hit, firsts = _duplicates(key, c.table)
            kept = keep[hit]
            hit, firsts = hit[kept], firsts[kept]
            if hit.size:
                label = ", ".join(names)
                self.add(c, "unique-key", f"{label}: this combination is already used in an earlier row "
                         f"(uniqueKeys)", f"give each row its own combination of {label}",
                         c.table.row_numbers_of(hit), field=names[0], column=c.col_of[names[0]] + 1,
                         values=pc.take(_raw_key(c, names), pa.array(hit)))

    def check_at_least_one_of(self, c: _Checked, keep: np.ndarray) -> None:
        """``dcteach:atLeastOneOf``: in each group of fields, every row fills at least one."""
        for group in c.schema.get("dcteach:atLeastOneOf", []) or []:
            names = [n for n in key_names(group) or [] if n in c.col_of]
            if not names:
                continue
            empty = np.logical_and.reduce([c.results[n].missing for n in names]) & keep
            hit = np.flatnonzero(empty)
            if hit.size:
                label = ", ".join(names)
                self.add(c, "at-least-one-of", f"{label}: at least one of these cells must be filled, all are empty",
                         f"fill in {' or '.join(names)}", c.table.row_numbers_of(hit), field=names[0],
                         column=c.col_of[names[0]] + 1)

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
        extra = [f for f in res.schema.get("fields", []) if isinstance(f, dict) and f.get("name") not in names]
        fks = list(core_schema.get("foreignKeys", []))
        own = res.schema.get("foreignKeys", [])
        fks += [fk for fk in (own if isinstance(own, list) else []) if fk not in fks]
        merged = dict(core_schema, fields=list(core_schema.get("fields", [])) + extra, foreignKeys=fks)
        for key in ("uniqueKeys", "dcteach:coverage", "dcteach:atLeastOneOf", "fieldsMatch"):
            if key in res.schema:
                merged[key] = res.schema[key]
        return merged

    def fields_match(self, c: _Checked) -> str:
        """How the header must match the schema: a v2 ``fieldsMatch`` value, or ``extension``.

        The schema's own ``fieldsMatch`` decides; else ``subset`` when extra
        columns are allowed by the caller; else the extension rules in an
        extension (extra columns kept with a warning, optional core columns
        may be left out); else ``exact``, the spec's default.
        """
        declared = c.res.schema.get("fieldsMatch")
        if declared in FIELDS_MATCH:
            return declared
        if self.extra_columns:
            return "subset"
        if self.pkg.is_extension:
            return "extension"
        return "exact"

    def core_table(self, name: str) -> _Checked | None:
        if self.core is None or name not in self.core.resources:
            return None
        if name not in self.core_checked:
            res = self.core.resources[name]
            if res.path is None or not res.path.is_file():
                return None
            table = read_table(res, res.dialect)
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
        fks = c.schema.get("foreignKeys", [])
        for fk in fks if isinstance(fks, list) else []:
            if not isinstance(fk, dict) or not isinstance(fk.get("reference"), dict):
                continue  # said by the schema check
            ref = fk["reference"]
            rname = ref.get("resource") or c.res.name
            fields = key_names(fk.get("fields")) or []
            rfields = key_names(ref.get("fields")) or []
            if not fields or len(fields) != len(rfields):
                continue
            key = c.key(fields)
            if key is None:
                continue
            values, found = self.lookup(rname, rfields)
            label = ", ".join(fields)
            if not found:
                fix = "fix \"reference.resource\" in the schema's foreignKeys"
                if self.core is None and rname in self.core_names and self.pkg.is_extension:
                    hint, fix = " (it is a core table)", "validate without --no-core to check references into the core"
                elif self.core is None and rname in self.core_names:
                    hint = " (it is a core table: mark this package as an extension with \"extends\": \"dcteach\")"
                else:
                    hint = ""
                self.add_resource(c.res, "foreign-key", f"{label}: the foreign key refers to a resource "
                                  f"{rname!r} that exists neither in this package nor in the core{hint}",
                                  fix, field=fields[0])
                continue
            if values is None:
                ok = np.zeros(len(key), bool)
            else:
                ok = _np_mask(pc.is_in(key, value_set=pc.unique(values)))
            bad = ~ok & ~key.is_null().to_numpy(zero_copy_only=False) & ~c.blank
            hit = np.flatnonzero(bad)
            if not hit.size:
                continue
            if rname in self.unreadable and rname != c.res.name:
                # one root cause: the referenced file is missing; its follow-on errors are one count
                self.add_resource(c.res, "foreign-key", f"{label}: {hit.size} row{'s' if hit.size != 1 else ''} "
                                  f"refer to {rname!r}, whose file is missing or unreadable (see the first error)",
                                  f"restore the file of {rname!r}, then validate again", field=fields[0])
                continue
            if self.core is None and self.pkg.is_extension and rname in self.core_names:
                # an extension validated on its own: ids of the core cannot resolve (one root cause)
                shown = ", ".join(repr(v) for v in pc.unique(pc.take(_raw_key(c, fields), pa.array(hit))).to_pylist()[:3])
                self.add_resource(c.res, "foreign-key", f"{label}: {hit.size} row{'s' if hit.size != 1 else ''} "
                                  f"refer to ids that are not in this package's own {rname!r} (e.g. {shown}); "
                                  f"{rname!r} is also a core table", "validate without --no-core to resolve core ids,"
                                  f" or add the rows to this package's {rname!r}", field=fields[0])
                continue
            is_source = rname == "sources"
            if is_source:
                where = ("your extension's sources table or the core's" if self.core is not None
                         else "the sources table")
                fix = (f"add a row with this id to {where} (see `dcteach datasets show sources`),"
                       " or correct the id")
            else:
                fix = f"use an id that exists in {rname!r} ({', '.join(rfields)}), or add that row to {rname!r}"
                if values is not None and len(rfields) == 1 and len(values) <= 2000:
                    fix += f"; known ids start {', '.join(sorted(pc.unique(values).to_pylist())[:5])}…"
            raw = pc.take(_raw_key(c, fields), pa.array(hit))
            suggest = _suggestions(raw, values) if len(fields) == 1 else None
            self.add(c, "foreign-key", f"{label}: no row of {rname!r} has this {', '.join(rfields)}", fix,
                     t.row_numbers_of(hit), field=fields[0], column=c.col_of[fields[0]] + 1,
                     values=raw, suggest=suggest)

    def check_id_clash(self, c: _Checked) -> None:
        core = self.core_table(c.res.name)
        pk = key_names(c.schema.get("primaryKey"))
        if core is None or not pk:
            return
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

    def check_coverage(self, c: _Checked) -> None:
        """``dcteach:coverage``: every combination of the listed fields' values has a row.

        A field's values are the declaration's ``values`` for it, else its
        enum, else the ids of the table its (single-field) foreign key
        refers to, else the values that occur in the column.
        """
        for names, given in _coverage_decls(c.schema):
            if any(n not in c.col_of for n in names):
                continue  # a missing column is reported already
            domains: list[list[str]] = []
            for n in names:
                domains.append(self.domain(c, n, given.get(n)))
            total = 1
            for d in domains:
                total *= max(len(d), 1)
            label = " × ".join(names)
            if total > 1_000_000:
                self.add_resource(c.res, "coverage", f"coverage {label}: {total:,} combinations are too many to check",
                                  "declare fewer fields or list their \"values\"", first=True)
                continue
            key = c.key(names, any_null=True)
            have = set(pc.unique(key.drop_null()).to_pylist()) if key is not None else set()
            missing = [combo for combo in itertools.product(*domains) if "\x1f".join(combo) not in have]
            for combo in missing:
                self.add_resource(c.res, "coverage", f"coverage {label}: no row for "
                                  f"({', '.join(combo)})", f"add a row for {', '.join(combo)} (a missing value may "
                                  "be written as an empty cell), or narrow the declared coverage", field=names[0])

    def domain(self, c: _Checked, name: str, given: list | None) -> list[str]:
        """Canonical keys a coverage field must take (see :meth:`check_coverage`)."""
        field = c.fields[name]
        listed = given if given is not None else usable_constraints(field.get("constraints")).get("enum")
        if listed is not None:
            texts = [value_text(field.get("type", "string"), v) for v in listed]
            key = check_column(pa.array(texts, pa.string()), dict(field, constraints={}), [""]).key
            return list(dict.fromkeys(k for k in key.to_pylist() if k is not None))
        fks = c.schema.get("foreignKeys", [])
        for fk in fks if isinstance(fks, list) else []:
            if isinstance(fk, dict) and key_names(fk.get("fields")) == [name] and isinstance(fk.get("reference"), dict):
                ref = fk["reference"]
                values, _ = self.lookup(ref.get("resource") or c.res.name, key_names(ref.get("fields")) or [])
                if values is not None:
                    return sorted(pc.unique(values).to_pylist())
        key = c.key([name])
        return sorted(pc.unique(key.drop_null()).to_pylist()) if key is not None else []

    def check_descriptor(self) -> None:
        for resource, field, message, fix in self.pkg.problems:
            self.add_descriptor(resource, field, message, fix)

        def other_fields(name: str) -> list[str] | None:
            for pkg in (self.pkg, self.core):
                if pkg is not None and name in pkg.resources:
                    res = pkg.resources[name]
                    schema = self.schema_for(res) if pkg is self.pkg else res.schema
                    fields = schema.get("fields", [])
                    return [f.get("name") for f in fields if isinstance(f, dict)] if fields else None
            return None

        for res in self.pkg.resources.values():
            for field, message, fix in check_schema(self.schema_for(res), other_fields):
                self.add_descriptor(res.name, field, message, fix)

    def run(self) -> None:
        self.check_descriptor()
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
            if c.table.num_rows or _coverage_decls(c.schema):
                self.check_coverage(c)


def _coverage_decls(schema: dict) -> list[tuple[list[str], dict[str, list]]]:
    """``dcteach:coverage`` as [(fields, {field: values})]: one declaration, a list of them, or a list of names."""
    cov = schema.get("dcteach:coverage")
    if cov is None:
        return []
    decls = cov if isinstance(cov, list) and cov and isinstance(cov[0], dict) else [cov]
    out = []
    for decl in decls:
        names = key_names(decl.get("fields") if isinstance(decl, dict) else decl)
        given = decl.get("values", {}) if isinstance(decl, dict) else {}
        if names:
            out.append((names, given if isinstance(given, dict) else {}))
    return out


def _suggestions(bad: pa.Array | pa.ChunkedArray, known: pa.Array | pa.ChunkedArray | None,
                 most: int = 200) -> dict[str, str]:
    """"Did you mean" for up to *most* distinct bad values: the known id within edit distance 2."""
    if known is None:
        return {}
    distinct = [v for v in pc.unique(bad).to_pylist() if v][:most]
    if not distinct:
        return {}
    ids = pc.unique(known).to_pylist()
    out = {}
    for v in distinct:
        hint = closest(v, ids)
        if hint is not None:
            out[v] = hint
    return out


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
            if b.suggest and v in b.suggest:
                fix = f"did you mean {b.suggest[v]!r}? " + fix
            row = int(b.rows[p])
            out.append(Problem(b.resource, None if row < 0 else row, b.field, b.code, b.message, v, fix,
                               b.path, b.column, b.severity))
        return out, truncated

    errs, truncated = build(errors_b, max_errors)
    warns, _ = build(warn_b, None)
    return errs, warns, truncated


def run(pkg: Package, core: Package | None, max_errors: int | None, *, extra_columns: bool | None = None,
        core_names: frozenset[str] = frozenset()) -> tuple[list[Problem], list[Problem], bool, int]:
    r = _Run(pkg, core, extra_columns=extra_columns, core_names=core_names)
    r.run()
    errors, warnings, truncated = materialise(r.batches, max_errors)
    return errors, warnings, truncated, r.rows
