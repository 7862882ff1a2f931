"""Check a Table Schema descriptor itself, before any cell is read.

Keys must name existing fields, types and formats must be known, and every
constraint must fit its field's type (and its value be valid for that type).
Each problem is ``(field or None, message, fix)``.

>>> check_schema({"primaryKey": ["id"], "fields": [{"name": "n", "type": "integr",
...     "constraints": {"minLength": 1}}]})  # doctest: +NORMALIZE_WHITESPACE
[('n', "field 'n' has an unknown type 'integr'", 'use one of: string, integer, number, boolean, date, time,
  datetime, year, yearmonth, duration, geopoint, geojson, object, array, list, any (did you mean "integer"?)'),
 (None, "primaryKey names 'id', which is not a field of the schema", 'name fields of the schema: n')]
"""

from __future__ import annotations

from typing import Any, Callable

from dcteach._validation._fields import KNOWN_TYPES, cell_reader, value_text
from dcteach._validation._suggest import closest

__all__ = ["FIELDS_MATCH", "check_schema", "key_names"]

#: the Table Schema v2 ``fieldsMatch`` values
FIELDS_MATCH = ("exact", "equal", "subset", "superset", "partial")

_ORDERED = ("integer", "number", "date", "time", "datetime", "year", "yearmonth", "duration")
#: constraint → the types it applies to (None: every type)
_APPLIES: dict[str, tuple[str, ...] | None] = {
    "required": None, "unique": None, "enum": None,
    "minLength": ("string", "array", "object", "list", "geojson"),
    "maxLength": ("string", "array", "object", "list", "geojson"),
    "pattern": ("string",),
    "minimum": _ORDERED, "maximum": _ORDERED, "exclusiveMinimum": _ORDERED, "exclusiveMaximum": _ORDERED,
    "jsonSchema": ("object", "array", "geojson"),
}


def _compiles(pattern: str) -> bool:
    import re

    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def key_names(value: Any) -> list[str] | None:
    """A key given as a field name or a list of them, as a list (None if it is neither)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _valid_for(reader: Callable[[str], Any], ftype: str, value: Any) -> bool:
    if isinstance(value, bool):
        return ftype in ("boolean", "any") and reader(value_text(ftype, value)) is not None
    if isinstance(value, (dict, list)):
        return ftype in ("object", "array", "geojson", "any", "geopoint")
    if value is None:
        return False
    return reader(value_text(ftype, value)) is not None


def check_schema(schema: dict, other_fields: Callable[[str], list[str] | None] | None = None
                 ) -> list[tuple[str | None, str, str]]:
    """Problems of *schema*; *other_fields(resource)* gives another resource's field names (or None)."""
    out: list[tuple[str | None, str, str]] = []
    fields = schema.get("fields", [])
    if not isinstance(fields, list):
        return [(None, "\"fields\" is not a list", "write \"fields\" as a list of {\"name\": ..., \"type\": ...}")]
    names: list[str] = []
    for i, f in enumerate(fields):
        if not isinstance(f, dict) or not isinstance(f.get("name"), str):
            out.append((None, f"field {i + 1} has no name", "give every field a \"name\""))
            continue
        name = f["name"]
        if name in names:
            out.append((name, f"two fields are named {name!r}", "give every field its own name"))
        names.append(name)
        ftype = f.get("type", "string")
        if ftype not in KNOWN_TYPES:
            hint = closest(str(ftype), list(KNOWN_TYPES))
            out.append((name, f"field {name!r} has an unknown type {ftype!r}",
                        f"use one of: {', '.join(KNOWN_TYPES)}" + (f' (did you mean "{hint}"?)' if hint else "")))
            continue
        fmt = f.get("format", "default")
        formats = KNOWN_TYPES[ftype]
        if not isinstance(fmt, str) or (formats is not None and fmt not in formats):
            out.append((name, f"field {name!r} ({ftype}) has an unknown format {fmt!r}",
                        f"use one of: {', '.join(formats or ('default', 'any', 'a strptime pattern'))}"))
        if "missingValues" in f and not (isinstance(f["missingValues"], list)
                                         and all(isinstance(v, str) for v in f["missingValues"])):
            out.append((name, f"field {name!r}: missingValues is not a list of strings", 'write e.g. ["", "NA"]'))
        cons = f.get("constraints", {})
        if not isinstance(cons, dict):
            out.append((name, f"field {name!r}: constraints is not an object", "write constraints as {...}"))
            continue
        reader = cell_reader(f) if formats is None or fmt in formats else (lambda v: v)
        for key, value in cons.items():
            applies = _APPLIES.get(key, ())
            if key not in _APPLIES:
                out.append((name, f"field {name!r} has an unknown constraint {key!r}",
                            f"use one of: {', '.join(_APPLIES)}"))
            elif applies is not None and ftype not in applies:
                out.append((name, f"field {name!r}: the constraint {key} does not apply to type {ftype}",
                            f"remove it (it applies to: {', '.join(applies)})"))
            elif key in ("required", "unique") and not isinstance(value, bool):
                out.append((name, f"field {name!r}: {key} must be true or false", f'write "{key}": true'))
            elif key in ("minLength", "maxLength") and (isinstance(value, bool) or not isinstance(value, int)
                                                        or value < 0):
                out.append((name, f"field {name!r}: {key} must be a whole number ≥ 0", f'write e.g. "{key}": 3'))
            elif key == "pattern" and not isinstance(value, str):
                out.append((name, f"field {name!r}: pattern must be a string", "write a regular expression"))
            elif key == "pattern" and not _compiles(value):
                out.append((name, f"field {name!r}: the pattern {value!r} is not a valid regular expression",
                            "fix the pattern (a bracket or parenthesis left open?)"))
            elif key == "enum":
                if not isinstance(value, list) or not value:
                    out.append((name, f"field {name!r}: enum must be a non-empty list", "list the allowed values"))
                else:
                    bad = [v for v in value if not _valid_for(reader, ftype, v)]
                    if bad:
                        out.append((name, f"field {name!r}: enum value {bad[0]!r} is not a valid {ftype}",
                                    f"list only valid {ftype} values in enum"))
            elif key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") \
                    and not _valid_for(reader, ftype, value):
                out.append((name, f"field {name!r}: {key} {value!r} is not a valid {ftype}",
                            f"give {key} as a {ftype} value"))
    known = set(names)

    def check_key(label: str, value: Any, within: set[str] | None = known) -> list[str] | None:
        keys = key_names(value)
        if keys is None or not keys:
            out.append((None, f"{label} must be a field name or a list of field names", f'write e.g. ["id"]'))
            return None
        if within is not None:
            for k in keys:
                if k not in within:
                    out.append((None, f"{label} names {k!r}, which is not a field of the schema",
                                f"name fields of the schema: {', '.join(names)}"))
        return keys

    if "primaryKey" in schema:
        check_key("primaryKey", schema["primaryKey"])
    uks = schema.get("uniqueKeys", [])
    if not isinstance(uks, list):
        out.append((None, "uniqueKeys must be a list of keys", 'write e.g. [["a", "b"]]'))
    else:
        for uk in uks:
            check_key("a uniqueKey", uk)
    fks = schema.get("foreignKeys", [])
    if not isinstance(fks, list):
        out.append((None, "foreignKeys must be a list", 'write [{"fields": ..., "reference": {...}}]'))
        fks = []
    for fk in fks:
        if not isinstance(fk, dict) or not isinstance(fk.get("reference"), dict):
            out.append((None, "a foreign key needs \"fields\" and a \"reference\"",
                        'write {"fields": ["x"], "reference": {"resource": "r", "fields": ["id"]}}'))
            continue
        local = check_key("a foreign key", fk.get("fields"))
        ref = fk["reference"]
        rname = ref.get("resource") or ""
        target = set(names) if rname == "" else (other_fields(rname) if other_fields else None)
        remote = check_key(f"the foreign key's reference to {rname or 'this resource'!r}", ref.get("fields"),
                           None if target is None else set(target))
        if local and remote and len(local) != len(remote):
            out.append((local[0], f"the foreign key ({', '.join(local)}) and its reference "
                        f"({', '.join(remote)}) have different numbers of fields", "give as many fields on each side"))
    mv = schema.get("missingValues", [""])
    if not isinstance(mv, list) or not all(isinstance(v, str) for v in mv):
        out.append((None, "missingValues must be a list of strings", 'write e.g. ["", "NA"]'))
    fm = schema.get("fieldsMatch", "exact")
    if fm not in FIELDS_MATCH:
        out.append((None, f"unknown fieldsMatch {fm!r}", f"use one of: {', '.join(FIELDS_MATCH)}"))
    for group in schema.get("dcteach:atLeastOneOf", []) or []:
        check_key("dcteach:atLeastOneOf", group)
    cov = schema.get("dcteach:coverage")
    if cov is not None:
        for decl in (cov if isinstance(cov, list) and cov and isinstance(cov[0], dict) else [cov]):
            fields_ = decl.get("fields") if isinstance(decl, dict) else decl
            check_key("dcteach:coverage", fields_)
    return out
