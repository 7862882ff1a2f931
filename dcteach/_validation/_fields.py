"""Vectorised cell checks for one column against one Table Schema field.

Each check returns boolean masks (one per problem kind) over the column, plus
a canonical key used for unique, primary and foreign keys. Types follow the
lexical forms of the Table Schema specification (XML Schema's): an integer is
an optional sign and ASCII digits (no ``1_000``, no Arabic-Indic digits), a
number adds a fraction, an exponent, ``NaN``, ``INF`` and ``-INF`` after the
``bareNumber``/``groupChar``/``decimalChar`` rules, a default date is exactly
``YYYY-MM-DD``... (:func:`cell_reader` gives the typed value of one cell).
Where the ``frictionless`` implementation is more lenient, the spec wins.
Common types (string, integer, number, boolean) are checked with pyarrow
kernels; rarer ones are parsed in Python once per *distinct* value.

>>> import pyarrow as pa
>>> r = check_column(pa.array(["1", "1.0", "", "NA", " 7 "]), {"name": "n", "type": "integer"})
>>> r.missing.tolist()
[False, False, True, False, False]
>>> [(f.code, f.mask.nonzero()[0].tolist()) for f in r.findings]
[('type', [1, 3])]
>>> r.key.to_pylist()
['1', None, None, None, '7']
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import math
import re
from decimal import Decimal
from typing import Any, Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dcteach._validation._suggest import closest

__all__ = ["Finding", "FieldResult", "cell_reader", "usable_constraints", "value_text", "check_column", "dictionary_encode", "TYPE_HINTS",
           "KNOWN_TYPES"]

#: every Table Schema field type, with the formats each knows (None: any strptime pattern too)
KNOWN_TYPES: dict[str, tuple[str, ...] | None] = {
    "string": ("default", "email", "uri", "uuid", "binary"),
    "integer": ("default",), "number": ("default",), "boolean": ("default",),
    "date": None, "time": None, "datetime": None,
    "year": ("default",), "yearmonth": ("default",), "duration": ("default",),
    "geopoint": ("default", "array", "object"), "geojson": ("default", "topojson"),
    "object": ("default",), "array": ("default",), "list": ("default",), "any": ("default",),
}

DEFAULT_TRUE = ["true", "True", "TRUE", "1"]
DEFAULT_FALSE = ["false", "False", "FALSE", "0"]

# Lexical forms of the Table Schema spec (XML Schema's, ASCII digits only; no
# PEP 515 underscores, no Arabic-Indic or full-width digits as int() would take).
# Whitespace around a number is collapsed, as XML Schema's whiteSpace facet does.
_DIG = r"[0-9]+"
_INT_RE = r"\s*[+-]?[0-9]+\s*"
_NUM_CORE = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN"
_NUM_RE = rf"\s*(?:{_NUM_CORE})\s*"
_YEAR_CORE = r"-?(?:[1-9][0-9]{3,}|0[0-9]{3})"
_LEXICAL = {
    "date": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    "time": re.compile(r"[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})?"),
    "datetime": re.compile(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})?"),
    "year": re.compile(_YEAR_CORE),
    "yearmonth": re.compile(rf"({_YEAR_CORE})-(0[1-9]|1[0-2])"),
    # XML Schema duration: no weeks (ISO 8601's PnW), at least one part, "T" only before a time part
    "duration": re.compile(r"-?P(?=[0-9T])(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+D)?"
                           r"(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?"),
    "number": re.compile(_NUM_RE),
    "integer": re.compile(_INT_RE),
}
_STRING_FORMATS = {
    "email": r"[^@\s]+@[^@\s]+\.[^@\s]+",
    "uri": r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s]*",
    "uuid": r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}",
    "binary": r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?",
}
_NA_LIKE = {"na", "n/a", "nan", "none", "null", "nil", "-", "--", "?", "missing"}

#: how to write a valid value of each type (used in the "how to fix" hints)
TYPE_HINTS = {
    "string": "any text",
    "integer": "a whole number such as 42 (digits only, no decimals or thousands separators)",
    "number": "a number such as 3.5 (a dot for decimals, no thousands separators)",
    "boolean": "one of {values}",
    "date": "a date {fmt}",
    "datetime": "a date and time {fmt}",
    "time": "a time {fmt}",
    "year": "a four-digit year such as 2024",
    "yearmonth": "a year and month such as 2024-03",
    "duration": "an ISO 8601 duration such as P1Y2M or PT30M",
    "geopoint": "longitude, latitude such as 37.6, 55.7",
    "geojson": "a GeoJSON object",
    "object": 'a JSON object such as {"a": 1}',
    "array": "a JSON array such as [1, 2]",
    "list": "a list of values separated by commas",
    "any": "any value",
}


@dataclasses.dataclass
class Finding:
    """Cells of one column that share one problem."""

    code: str
    mask: np.ndarray
    message: str
    fix: str
    #: the allowed values (enum), for "did you mean"
    choices: list[str] | None = None


class FieldResult:
    """Missing mask, findings, and (computed on first use) the canonical key."""

    def __init__(self, missing: np.ndarray, findings: list[Finding], key: Any):
        self.missing = missing
        self.findings = findings
        self._key = key

    @property
    def key(self) -> pa.Array:
        """Canonical string of each cell's typed value; null if missing or invalid."""
        if not self.has_key:
            raise ValueError("the key was forgotten; check the column again")
        if callable(self._key):
            self._key = self._key()
        return self._key

    @property
    def has_key(self) -> bool:
        return self._key is not None

    def forget_key(self) -> None:
        """Drop the key (and the arrays it would be computed from) when no key uses this field."""
        self._key = None


def _np(mask: Any) -> np.ndarray:
    if isinstance(mask, pa.ChunkedArray):
        mask = mask.combine_chunks()
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False).astype(bool, copy=False)


def _full_match(arr: pa.Array, pattern: str) -> np.ndarray:
    return _np(pc.match_substring_regex(arr, f"^(?:{pattern})$"))


def dictionary_encode(arr: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """Distinct values of *arr* and, for each cell, its index among them (-1 for null).

    One hashing pass; works on chunked columns without joining their chunks.

    >>> d, i = dictionary_encode(pa.chunked_array([["b", "a"], ["b", None]]))
    >>> d.to_pylist(), i.tolist()
    (['b', 'a'], [0, 1, 0, -1])
    """
    enc = pc.dictionary_encode(arr)
    if isinstance(enc, pa.Array):
        chunks = [enc]
    else:
        chunks = enc.chunks
        if not chunks:
            return pa.array([], arr.type), np.zeros(0, np.int64)
        # pyarrow gives every chunk the same (final) dictionary; unify if it ever does not
        last = chunks[-1].dictionary

        def same(d: pa.Array) -> bool:
            return len(d) == len(last) and [b.address if b is not None else None for b in d.buffers()] == [
                b.address if b is not None else None for b in last.buffers()]

        if not all(same(c.dictionary) for c in chunks):
            chunks = enc.unify_dictionaries().chunks
    indices = [pc.fill_null(c.indices, -1).to_numpy(zero_copy_only=False) for c in chunks]
    idx = np.concatenate(indices) if len(indices) != 1 else indices[0]  # int32: half the memory
    return chunks[-1].dictionary, idx


def _few_distinct(arr: pa.Array | pa.ChunkedArray, sample: int = 1 << 16) -> bool:
    """True if *arr* seems to have few distinct values (checking each once is then cheaper).

    Judged from its first rows: few distinct values there, or hardly more in
    the first 64k rows than in the first 16k (the count levels off).
    """
    n = min(len(arr), sample)
    if n < 4096:
        return False
    many = pc.count_distinct(arr.slice(0, n)).as_py()
    return many * 5 <= n or many * 2 <= 3 * pc.count_distinct(arr.slice(0, n // 4)).as_py()


def _full_match_few(arr: pa.Array | pa.ChunkedArray, pattern: str) -> np.ndarray:
    """:func:`_full_match`, once per distinct value when there are few of them."""
    if not _few_distinct(arr):
        return _full_match(arr, pattern)
    values, idx = dictionary_encode(arr)
    return _full_match(values, pattern)[idx]


def _per_unique(arr: pa.Array | pa.ChunkedArray, func: Callable[[str], Any]) -> tuple[list[Any], np.ndarray]:
    """Apply *func* once per distinct value; return (results per distinct value, indices)."""
    values, idx = dictionary_encode(arr)
    return [func(v) for v in values.to_pylist()], idx


def _iso_fraction(cell: str, at: int) -> str:
    """*cell* with the fraction of a second starting at *at* cut or padded to 6 digits (Python's limit)."""
    end = at + 1
    while end < len(cell) and cell[end].isdigit():
        end += 1
    digits = cell[at + 1:end]
    return cell[:at + 1] + (digits + "000000")[:6] + cell[end:]


def _iso_date(cell: str) -> Any:
    """The spec's default date: exactly ``YYYY-MM-DD`` (two-digit month and day), a real day."""
    if not _LEXICAL["date"].fullmatch(cell):
        return None
    return _dt.date.fromisoformat(cell)


def _iso_datetime(cell: str) -> Any:
    """The spec's default datetime: ``YYYY-MM-DDThh:mm:ss[.f][Z|±hh:mm]``."""
    if not _LEXICAL["datetime"].fullmatch(cell):
        return None
    if len(cell) > 19 and cell[19] == ".":
        cell = _iso_fraction(cell, 19)
    return _dt.datetime.fromisoformat(cell.replace("Z", "+00:00"))


def _iso_time(cell: str) -> Any:
    """The spec's default time: ``hh:mm:ss[.f][Z|±hh:mm]``."""
    if not _LEXICAL["time"].fullmatch(cell):
        return None
    if len(cell) > 8 and cell[8] == ".":
        cell = _iso_fraction(cell, 8)
    return _dt.time.fromisoformat(cell.replace("Z", "+00:00"))


#: default-format reader and how to project a parsed datetime, per temporal type
_TEMPORAL = {
    "date": (_iso_date, _dt.datetime.date),
    "datetime": (_iso_datetime, None),
    "time": (_iso_time, _dt.datetime.timetz),
}


def _temporal_reader(ftype: str, fmt: str) -> Callable[[str], Any]:
    """Reader of a date, datetime or time cell in format *fmt* (``default``, ``any`` or a strptime pattern)."""
    read_default, project = _TEMPORAL[ftype]

    def read(cell: str) -> Any:
        try:
            if fmt == "default":
                return read_default(cell)
            if not cell.isascii():  # strptime and dateutil take non-ASCII digits; the spec does not
                return None
            if fmt == "any":
                from dateutil import parser

                value = parser.parse(cell)
            else:
                value = _dt.datetime.strptime(cell, fmt.replace("fmt:", ""))
            return project(value) if project is not None else value
        except Exception:
            return None

    return read


def _json_strict(cell: str) -> Any:
    """JSON as RFC 8259 has it (no NaN or Infinity); raises ValueError otherwise."""
    def no_constant(name: str) -> Any:
        raise ValueError(name)

    return json.loads(cell, parse_constant=no_constant)


def _number_text(cell: str) -> str | None:
    """*cell* (trimmed) if it is a number in the spec's lexical form, else None."""
    text = cell.strip()
    return text if re.fullmatch(_NUM_CORE, text) else None


def _to_float(text: str) -> float:
    return float("nan") if text == "NaN" else float(text.replace("INF", "inf"))


def _python_reader(field: dict) -> Callable[[str], Any]:
    """Cell reader returning the typed value or ``None`` (the Table Schema spec's lexical forms)."""
    ftype = field.get("type", "string")
    fmt = field.get("format", "default")
    if ftype in ("date", "datetime", "time"):
        return _temporal_reader(ftype, fmt)
    if ftype == "year":
        def read(cell: str) -> Any:
            return int(cell) if _LEXICAL["year"].fullmatch(cell) else None
        return read
    if ftype == "yearmonth":
        def read(cell: str) -> Any:
            m = _LEXICAL["yearmonth"].fullmatch(cell)
            return (int(m.group(1)), int(m.group(2))) if m else None
        return read
    if ftype == "duration":
        def read(cell: str) -> Any:
            return cell if _LEXICAL["duration"].fullmatch(cell) else None
        return read
    if ftype == "geopoint":
        def read(cell: str) -> Any:
            try:
                if fmt == "array":
                    lon, lat = _json_strict(cell)
                elif fmt == "object":
                    obj = _json_strict(cell)
                    if len(obj) != 2:
                        return None
                    lon, lat = obj["lon"], obj["lat"]
                else:
                    lon, lat = cell.split(",")
                if isinstance(lon, bool) or isinstance(lat, bool):
                    return None
                lon, lat = _number_text(str(lon)), _number_text(str(lat))
                if lon is None or lat is None:
                    return None
                lon, lat = Decimal(lon), Decimal(lat)
            except Exception:
                return None
            return (lon, lat) if -180 <= lon <= 180 and -90 <= lat <= 90 else None
        return read
    if ftype in ("object", "geojson", "array"):
        want = list if ftype == "array" else dict
        def read(cell: str) -> Any:
            try:
                value = _json_strict(cell)
            except Exception:
                return None
            return cell if isinstance(value, want) else None
        return read
    return lambda cell: cell  # any, list and unknown types: every string is valid


def usable_constraints(cons: Any) -> dict:
    """The constraints that can be applied (malformed ones are reported by the schema check, not applied).

    >>> usable_constraints({"enum": 3, "minLength": "x", "pattern": "(", "required": True})
    {'required': True}
    """
    if not isinstance(cons, dict):
        return {}
    out = {}
    for key, value in cons.items():
        if key == "enum" and not (isinstance(value, list) and value):
            continue
        if key in ("minLength", "maxLength") and (isinstance(value, bool) or not isinstance(value, int)):
            continue
        if key == "pattern":
            try:
                re.compile(value)
            except (re.error, TypeError):
                continue
        out[key] = value
    return out


def value_text(ftype: str, value: Any) -> str:
    """A descriptor's JSON value (an enum entry, a bound) as the text a cell holds.

    >>> value_text("year", 19), value_text("boolean", True), value_text("integer", 2019)
    ('0019', 'true', '2019')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if ftype == "year" and isinstance(value, int):
        return f"{value:04d}" if value >= 0 else f"-{-value:04d}"
    if isinstance(value, float) and not math.isfinite(value):  # JSON's Infinity and NaN, as Python reads them
        return "NaN" if value != value else ("INF" if value > 0 else "-INF")
    return repr(value) if isinstance(value, float) else str(value)


def cell_reader(field: dict) -> Callable[[str], Any]:
    """The typed value of one (non-missing) cell of *field*, or None if it is not valid.

    integer → int, number → float, boolean → bool, date/datetime/time →
    :mod:`datetime` objects, year → int, yearmonth → (year, month); other
    types give the text itself when it is valid.

    >>> read = cell_reader({"name": "n", "type": "number", "decimalChar": ",", "groupChar": " "})
    >>> read("1 234,5"), read("1_234"), read("١٢")
    (1234.5, None, None)
    >>> cell_reader({"name": "y", "type": "year"})("2019")
    2019
    >>> cell_reader({"name": "d", "type": "date"})("2024-3-5") is None
    True
    """
    ftype = field.get("type", "string")
    if ftype in ("integer", "number"):
        def read(cell: str) -> Any:
            ok, values = _numbers_by_rule(pa.array([cell], pa.string()), field, ftype)
            if not ok[0]:
                return None
            value = values[0]
            return int(value) if ftype == "integer" else float(value)
        return read
    if ftype == "boolean":
        true_v = [str(v) for v in field.get("trueValues", DEFAULT_TRUE)]
        false_v = [str(v) for v in field.get("falseValues", DEFAULT_FALSE)]
        return lambda cell: True if cell in true_v else False if cell in false_v else None
    if ftype == "string":
        fmt = field.get("format", "default")
        if fmt in _STRING_FORMATS:
            rx = re.compile(_STRING_FORMATS[fmt])
            return lambda cell: cell if rx.fullmatch(cell) else None
        return lambda cell: cell
    return _python_reader(field)


def _describe_type(field: dict) -> str:
    ftype = field.get("type", "string")
    fmt = field.get("format", "default")
    if ftype == "boolean":
        values = field.get("trueValues", DEFAULT_TRUE) + field.get("falseValues", DEFAULT_FALSE)
        return TYPE_HINTS["boolean"].format(values=", ".join(values))
    if ftype in ("date", "datetime", "time"):
        default = {"date": "as YYYY-MM-DD, e.g. 2024-03-31",
                   "datetime": "as YYYY-MM-DDThh:mm:ss, e.g. 2024-03-31T14:05:00",
                   "time": "as hh:mm:ss, e.g. 14:05:00"}[ftype]
        shown = default if fmt == "default" else ("in any common form" if fmt == "any" else f"as {fmt}")
        return TYPE_HINTS[ftype].format(fmt=shown)
    if ftype == "string" and fmt != "default":
        return f"a valid {fmt}"
    if ftype == "number" and any(k in field for k in ("decimalChar", "groupChar", "bareNumber")):
        dec = field.get("decimalChar", ".")
        grp = field.get("groupChar", "")
        return f"a number with {dec!r} for decimals" + (f" and {grp!r} between thousands" if grp else "")
    return TYPE_HINTS.get(ftype, f"a valid {ftype}")


def _where(good: np.ndarray, values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """*values* where *good*, else null (no copy when every cell is good)."""
    if good.all() and not values.null_count:
        return values
    return pc.if_else(pa.array(good), values, pa.scalar(None, values.type))


def _to_number(ftype: str) -> Callable[[str], Any]:
    def convert(v: str) -> Any:
        if ftype == "integer":
            return int(v)
        return _to_float(v)
    return convert


def _cast_numbers(safe: pa.Array | pa.ChunkedArray, ftype: str) -> np.ndarray:
    """Values of cells that are all valid numbers (int64/float64, else Python ints)."""
    try:
        return pc.cast(safe, pa.int64() if ftype == "integer" else pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # e.g. beyond int64, "inf"
        res, idx = _per_unique(safe, _to_number(ftype))
        return np.asarray(res, dtype=object if ftype == "integer" else float)[idx]


def _numbers_by_rule(filled: pa.Array | pa.ChunkedArray, field: dict, ftype: str) -> tuple[np.ndarray, np.ndarray]:
    """(valid mask, values) of integer/number cells by the Table Schema rules (regular expressions)."""
    n = len(filled)
    cleaned = pc.utf8_trim_whitespace(filled)
    invalid_extra = np.zeros(n, bool)
    if any(k in field for k in ("groupChar", "decimalChar", "bareNumber")):
        if field.get("bareNumber", True) is False:
            cleaned = pc.replace_substring_regex(cleaned, r"^[^-0-9]*|[^0-9]*$", "")
        group = field.get("groupChar", "")
        if group:
            cleaned = pc.replace_substring(cleaned, group, "")
        dec = field.get("decimalChar", ".") if ftype == "number" else "."
        if dec != ".":
            invalid_extra = _np(pc.match_substring(cleaned, "."))
            cleaned = pc.replace_substring(cleaned, dec, ".")
    type_ok = _full_match(cleaned, _INT_RE if ftype == "integer" else _NUM_RE) & ~invalid_extra
    plain = pc.utf8_trim_whitespace(cleaned)
    return type_ok, _cast_numbers(pc.if_else(pa.array(type_ok), plain, "0"), ftype)


def _numbers(
    filled: pa.Array | pa.ChunkedArray, present: np.ndarray, field: dict, ftype: str
) -> tuple[np.ndarray, np.ndarray]:
    """(valid mask, values) of an integer or number column; invalid cells have value 0.

    Plain cells (ASCII digits, for numbers with at most one ``.``) are valid
    under every rule and are cast in one step; only the others (signs,
    spaces, exponents, bad values...) go through the full rules.
    """
    special = any(k in field for k in ("groupChar", "decimalChar")) or field.get("bareNumber", True) is False
    if special:
        return _numbers_by_rule(filled, field, ftype)
    if ftype == "integer":
        plain = pc.fill_null(pc.ascii_is_decimal(filled), False)
    else:  # digits with at most one "." among them: nothing or "." is left when the digits are trimmed
        left = pc.ascii_trim(filled, "0123456789")
        size = pc.binary_length(filled)
        plain = pc.fill_null(pc.and_(pc.greater(size, 0), pc.or_(
            pc.equal(pc.binary_length(left), 0), pc.and_(pc.equal(left, "."), pc.greater(size, 1)))), False)
        del left, size
    plain_np = _np(plain)
    rest = np.flatnonzero(present & ~plain_np)
    if rest.size * 4 > len(filled):  # mostly not plain: the rules on everything
        return _numbers_by_rule(filled, field, ftype)
    values = _cast_numbers(filled if plain_np.all() else pc.if_else(plain, filled, "0"), ftype)
    if rest.size:
        ok_rest, values_rest = _numbers_by_rule(pc.take(filled, pa.array(rest)), field, ftype)
        if not plain_np.flags.writeable:
            plain_np = plain_np.copy()
        plain_np[rest] = ok_rest
        if values_rest.dtype == object and values.dtype != object:
            values = values.astype(object)
        elif not values.flags.writeable:
            values = values.copy()
        values[rest] = values_rest
    return plain_np, values


def _bound_checks(field: dict, values: np.ndarray, ok: np.ndarray, read: Callable[[Any], Any]) -> list[Finding]:
    out = []
    cons = field.get("constraints", {})
    name = field["name"]
    for key, op, words in (
        ("minimum", np.less, "smaller than the minimum"),
        ("maximum", np.greater, "greater than the maximum"),
        ("exclusiveMinimum", np.less_equal, "not greater than the exclusive minimum"),
        ("exclusiveMaximum", np.greater_equal, "not smaller than the exclusive maximum"),
    ):
        if key in cons:
            bound = read(cons[key])
            if bound is None:
                continue
            with np.errstate(invalid="ignore"):
                bad = ok & (op(values, bound) | (values != values))
            out.append(Finding(key, bad, f"{name}: value is {words} {cons[key]}",
                               f"use a value {'≥' if key == 'minimum' else '≤' if key == 'maximum' else '>' if key == 'exclusiveMinimum' else '<'} {cons[key]}"))
    return out


def _enum_finding(field: dict, bad: np.ndarray) -> Finding:
    enum = field["constraints"]["enum"]
    shown = ", ".join(map(str, enum[:12])) + (", …" if len(enum) > 12 else "")
    return Finding("enum", bad, f"{field['name']}: value is not one of the allowed values",
                   f"use one of: {shown}", [str(v) for v in enum if not isinstance(v, (dict, list))])


def check_column(arr: pa.Array, field: dict, missing_values: list[str] | None = None) -> FieldResult:
    """Check one string column against a Table Schema *field* (see module docstring)."""
    name = field.get("name", "")
    ftype = field.get("type", "string")
    fmt = field.get("format", "default")
    cons = usable_constraints(field.get("constraints"))
    mv = field.get("missingValues", missing_values if missing_values is not None else [""])
    if not isinstance(mv, list):
        mv = [""]  # a malformed missingValues is reported by the schema check
    n = len(arr)
    if not mv:
        missing = np.zeros(n, bool)
    elif len(mv) == 1:
        missing = _np(pc.equal(arr, pa.scalar(str(mv[0]), pa.string())))
    else:
        missing = _np(pc.is_in(arr, value_set=pa.array(mv, type=pa.string())))
    if arr.null_count:
        missing |= _np(arr.is_null())
    filled = pc.fill_null(arr, "") if arr.null_count else arr
    present = ~missing
    findings: list[Finding] = []
    key: pa.Array
    type_ok: np.ndarray

    if cons.get("required"):
        findings.append(Finding("required", missing.copy(), f"{name}: a value is required but the cell is empty",
                                "fill in this cell (it may not be left empty)"))

    if ftype == "string":
        if fmt in _STRING_FORMATS:
            type_ok = _full_match(filled, _STRING_FORMATS[fmt])
        else:
            type_ok = np.ones(n, bool)
        good = present & type_ok
        if "pattern" in cons:
            try:
                matches = _full_match_few(filled, cons["pattern"])
            except pa.ArrowInvalid:  # not RE2 syntax: fall back to Python's re
                rx = re.compile(f"^{cons['pattern']}$")
                res, idx = _per_unique(filled, lambda v: rx.match(v) is not None)
                matches = np.asarray(res, bool)[idx]
            findings.append(Finding("pattern", good & ~matches,
                                    f"{name}: value does not match the pattern {cons['pattern']}",
                                    f"write it in the form the pattern {cons['pattern']} describes"))
        if "enum" in cons:
            ok = _np(pc.is_in(filled, value_set=pa.array([str(v) for v in cons["enum"]], type=pa.string())))
            findings.append(_enum_finding(field, good & ~ok))
        if "minLength" in cons or "maxLength" in cons:
            length = pc.utf8_length(filled).to_numpy(zero_copy_only=False)
            if "minLength" in cons:
                findings.append(Finding("minLength", good & (length < cons["minLength"]),
                                        f"{name}: text is shorter than {cons['minLength']} characters",
                                        f"write at least {cons['minLength']} characters"))
            if "maxLength" in cons:
                findings.append(Finding("maxLength", good & (length > cons["maxLength"]),
                                        f"{name}: text is longer than {cons['maxLength']} characters",
                                        f"shorten it to at most {cons['maxLength']} characters"))
        key = lambda: _where(good, filled)  # noqa: E731

    elif ftype in ("integer", "number"):
        type_ok, values = _numbers(filled, present, field, ftype)
        good = present & type_ok
        py = int if ftype == "integer" else float

        def read_bound(v: Any) -> Any:
            try:
                return py(v)
            except (TypeError, ValueError):
                return None

        findings += _bound_checks(field, values, good, read_bound)
        if "enum" in cons:
            allowed = [b for b in (read_bound(v) for v in cons["enum"]) if b is not None]
            findings.append(_enum_finding(field, good & ~np.isin(values, np.asarray(allowed, dtype=values.dtype))))
        def key() -> pa.Array:
            if values.dtype != object:
                text = pc.cast(pa.array(values), pa.string())
            else:
                text = pa.array([str(v) for v in values.tolist()], pa.string())
            return _where(good, text)

    elif ftype == "boolean":
        true_v = field.get("trueValues", DEFAULT_TRUE)
        false_v = field.get("falseValues", DEFAULT_FALSE)
        if set(map(str, true_v)) & set(map(str, false_v)):
            is_true = _np(pc.is_in(filled, value_set=pa.array(true_v, type=pa.string())))
            is_false = _np(pc.is_in(filled, value_set=pa.array(false_v, type=pa.string())))
        else:  # one lookup: position among the true values, then the false ones
            where = pc.index_in(filled, value_set=pa.array(list(true_v) + list(false_v), type=pa.string()))
            where = pc.fill_null(where, -1).to_numpy(zero_copy_only=False)
            is_true = (where >= 0) & (where < len(true_v))
            is_false = where >= len(true_v)
        type_ok = is_true | is_false
        good = present & type_ok
        if "enum" in cons:
            allowed = {bool(v) if isinstance(v, bool) else (v in true_v and True or (False if v in false_v else None)) for v in cons["enum"]}
            ok = (is_true & (True in allowed)) | (is_false & (False in allowed))
            findings.append(_enum_finding(field, good & ~ok))
        key = lambda: _where(good, pc.if_else(pa.array(is_true), "true", "false"))  # noqa: E731

    else:
        read = _python_reader(field)
        parsed, idx = _per_unique(filled, read)
        ok_u = np.fromiter((v is not None for v in parsed), bool, len(parsed))
        type_ok = ok_u[idx] if len(idx) else np.zeros(0, bool)
        good = present & type_ok
        for ckey, op, words, sym in (
            ("minimum", lambda a, b: a < b, "earlier/smaller than the minimum", "≥"),
            ("maximum", lambda a, b: a > b, "later/greater than the maximum", "≤"),
            ("exclusiveMinimum", lambda a, b: a <= b, "not after/above the exclusive minimum", ">"),
            ("exclusiveMaximum", lambda a, b: a >= b, "not before/below the exclusive maximum", "<"),
        ):
            if ckey in cons:
                bound = read(value_text(ftype, cons[ckey]))
                if bound is None:
                    continue
                bad_u = np.fromiter(
                    (v is not None and _safe_cmp(op, v, bound) for v in parsed), bool, len(parsed))
                findings.append(Finding(ckey, good & bad_u[idx], f"{name}: value is {words} {cons[ckey]}",
                                        f"use a value {sym} {cons[ckey]}"))
        if "enum" in cons:
            allowed = [read(value_text(ftype, v)) if not isinstance(v, (dict, list)) else v for v in cons["enum"]]
            bad_u = np.fromiter((v is not None and v not in allowed for v in parsed), bool, len(parsed))
            findings.append(_enum_finding(field, good & bad_u[idx]))
        if ftype in ("array", "object", "list") and ("minLength" in cons or "maxLength" in cons):
            lens = np.fromiter((len(json.loads(v)) if v is not None and ftype != "list" else
                                (len(v.split(",")) if v is not None else 0) for v in parsed), float, len(parsed))
            if "minLength" in cons:
                findings.append(Finding("minLength", good & (lens[idx] < cons["minLength"]),
                                        f"{name}: has fewer than {cons['minLength']} items",
                                        f"give at least {cons['minLength']} items"))
            if "maxLength" in cons:
                findings.append(Finding("maxLength", good & (lens[idx] > cons["maxLength"]),
                                        f"{name}: has more than {cons['maxLength']} items",
                                        f"give at most {cons['maxLength']} items"))
        def key() -> pa.Array:
            if not n:
                return pa.array([], pa.string())
            canon = pa.array([None if v is None else str(v) for v in parsed], pa.string())
            return _where(good, pc.take(canon, pa.array(idx)))

    bad_type = present & ~type_ok
    if bad_type.any():
        findings.insert(
            1 if cons.get("required") else 0,
            Finding("type", bad_type, f"{name}: value is not of type {ftype}"
                    + (f" (format {fmt})" if fmt != "default" else ""),
                    f"write {_describe_type(field)}"),
        )
    findings = [f for f in findings if f.mask.any()]
    return FieldResult(missing, findings, key)


def _safe_cmp(op: Callable[[Any, Any], bool], a: Any, b: Any) -> bool:
    try:
        return bool(op(a, b))
    except TypeError:
        return False


def fix_for_value(finding: Finding, value: str | None, missing_values: list[str]) -> str:
    """Refine a finding's hint for one value (e.g. explain how to mark a missing value).

    >>> f = Finding("type", np.zeros(0, bool), "n: value is not of type integer", "write a whole number")
    >>> fix_for_value(f, "NA", [""])
    'write a whole number; to mark a missing value leave the cell empty (or list "NA" in missingValues)'
    """
    if finding.code == "type" and value is not None and value.strip().lower() in _NA_LIKE:
        return (f"{finding.fix}; to mark a missing value leave the cell empty"
                f" (or list {value!r} in missingValues)").replace("'", '"')
    if finding.code == "type" and value is not None and value != value.strip():
        return f"{finding.fix}; remove the spaces around the value"
    if finding.code == "enum" and finding.choices and value is not None:
        hint = closest(value, finding.choices)
        if hint is not None:
            return f"did you mean {hint!r}? {finding.fix}"
    return finding.fix

