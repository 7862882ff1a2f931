"""Lossless load, proven: what validates loads to the same values and saves back byte for byte.

Hypothesis generates extension tables across every Table Schema type, with
constraints and enums, writes each value in one of the spec's lexical forms
and asserts: the extension validates; ``load_dataset(..., extra=)`` gives the
value that was written (no NaN where a cell was filled); and reading the CSV
and saving it again changes no byte.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dcteach as dc
from dcteach._extension import read_resource, save_resource
from dcteach.validate import validate

TZ = st.sampled_from([None, dt.timezone.utc, dt.timezone(dt.timedelta(hours=3)), dt.timezone(-dt.timedelta(hours=5, minutes=30))])


def _iso_tz(value: dt.datetime | dt.time) -> str:
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@st.composite
def _number_text(draw, value: float) -> str:
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    return draw(st.sampled_from([repr(value), f"{value:.17e}", f" {value!r} "]))


#: type → (strategy of typed values, text(draw, value), loaded value → comparable, extra field properties)
def _kinds():
    def same(x):
        return x

    return {
        "string": (st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), min_size=1,
                           max_size=12), lambda d, v: v, same),
        "integer": (st.integers(-(2**63), 2**63 - 1),
                    lambda d, v: d(st.sampled_from([str(v), f"+{v}" if v >= 0 else str(v), f"{v:04d}", f" {v} "])),
                    int),
        "number": (st.floats(allow_nan=False, width=64), lambda d, v: d(_number_text(v)), float),
        "boolean": (st.booleans(), lambda d, v: d(st.sampled_from(["true", "True", "TRUE", "1"] if v else
                                                                 ["false", "False", "FALSE", "0"])), bool),
        "date": (st.dates(), lambda d, v: v.isoformat(), lambda x: x.date() if hasattr(x, "date") else x),
        "datetime": (st.datetimes(timezones=TZ), lambda d, v: _iso_tz(v), same),
        "time": (st.times(timezones=TZ), lambda d, v: _iso_tz(v), same),
        "year": (st.integers(0, 9999), lambda d, v: f"{v:04d}", int),
        "yearmonth": (st.tuples(st.integers(1000, 9999), st.integers(1, 12)), lambda d, v: f"{v[0]}-{v[1]:02d}",
                      same),
        "duration": (st.sampled_from(["P1Y", "P1Y2M3DT4H5M6.5S", "PT30M", "-P3D", "P0D"]), lambda d, v: v, same),
        "geopoint": (st.tuples(st.integers(-180, 180), st.integers(-90, 90)), lambda d, v: f"{v[0]}, {v[1]}", same),
        "object": (st.dictionaries(st.text(max_size=3), st.integers(), max_size=2), lambda d, v: json.dumps(v), same),
        "array": (st.lists(st.integers(), max_size=3), lambda d, v: json.dumps(v), same),
        "any": (st.text(min_size=1, max_size=5).filter(lambda s: "\x00" not in s), lambda d, v: v, same),
    }


KINDS = _kinds()
TEXT_KEPT = {"string", "yearmonth", "duration", "geopoint", "object", "array", "any"}


@st.composite
def tables(draw):
    """(fields, rows of cells as text, expected typed value per cell or None if missing)."""
    n = draw(st.integers(1, 6))
    types = draw(st.lists(st.sampled_from(sorted(KINDS)), min_size=1, max_size=4))
    fields = [{"name": "id", "type": "string", "constraints": {"required": True, "unique": True}}]
    columns, expected = [[f"r{i}" for i in range(n)]], [[f"r{i}" for i in range(n)]]
    for j, ftype in enumerate(types):
        strategy, text_of, _ = KINDS[ftype]
        values = draw(st.lists(strategy, min_size=n, max_size=n))
        filled = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        field: dict = {"name": f"c{j}_{ftype}", "type": ftype}
        cons: dict = {}
        present = [v for v, f in zip(values, filled) if f]
        if present and ftype in ("integer", "year", "string", "boolean", "number") and draw(st.booleans()):
            enum = list(dict.fromkeys(present)) + draw(st.lists(strategy, max_size=2))
            cons["enum"] = list(dict.fromkeys(enum))  # JSON values: [2019, 2023] for a year, not text
        if present and ftype in ("integer", "year", "number", "date") and draw(st.booleans()):
            low, high = min(present), max(present)
            cons["minimum"] = low.isoformat() if ftype == "date" else low
            cons["maximum"] = high.isoformat() if ftype == "date" else high
            if ftype == "number" and (math.isinf(low) or math.isinf(high)):
                cons.pop("minimum"), cons.pop("maximum")
        if present and all(filled) and draw(st.booleans()):
            cons["required"] = True
        if cons:
            field["constraints"] = cons
        fields.append(field)
        columns.append([text_of(draw, v) if f else "" for v, f in zip(values, filled)])
        expected.append([v if f else None for v, f in zip(values, filled)])
    rows = [list(r) for r in zip(*columns)]
    style = draw(st.sampled_from([("\n", csv.QUOTE_MINIMAL, False), ("\r\n", csv.QUOTE_MINIMAL, True),
                                  ("\n", csv.QUOTE_ALL, False)]))
    return fields, rows, expected, style


def _write(folder: Path, fields: list[dict], rows: list[list[str]], style) -> bytes:
    terminator, quoting, bom = style
    buf = io.StringIO(newline="")
    # a cell holding a lone "\r" must be quoted: Python's writer only does so when "\r" ends its rows
    if terminator == "\n" and any("\r" in cell for row in rows for cell in row):
        quoting = csv.QUOTE_ALL
    writer = csv.writer(buf, lineterminator=terminator, quoting=quoting)
    writer.writerow([f["name"] for f in fields])
    writer.writerows(rows)
    data = ("\ufeff" if bom else "") .encode() + buf.getvalue().encode("utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "t.csv").write_bytes(data)
    (folder / "datapackage.json").write_text(json.dumps({
        "name": "gen", "extends": "dcteach", "resources": [
            {"name": "t", "path": "t.csv", "format": "csv", "encoding": "utf-8",
             "schema": {"primaryKey": ["id"], "fields": fields}}]}, ensure_ascii=False), encoding="utf-8")
    return data


@settings(max_examples=int(os.environ.get("DCTEACH_HYPOTHESIS_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(tables())
def test_validates_then_loads_the_same_values_and_round_trips(tmp_path_factory, table):
    fields, rows, expected, style = table
    folder = tmp_path_factory.mktemp("ext")
    data = _write(folder, fields, rows, style)
    report = validate(folder)
    assert report.valid, report.format_text()
    df = dc.load_dataset("t", extra=folder)
    assert list(df.columns) == [f["name"] for f in fields]
    for field, want in zip(fields, expected):
        column = df[field["name"]]
        _, _, comparable = KINDS[field["type"]] if field["name"] != "id" else (None, None, lambda x: x)
        for i, value in enumerate(want):
            got = column.iloc[i]
            if value is None:
                assert pd.isna(got), (field, i, got)
                continue
            assert not (isinstance(got, float) and math.isnan(got)), (field, i, rows[i])
            assert got is not pd.NA and got is not None, (field, i, rows[i])
            if field.get("type") in TEXT_KEPT and field["name"] != "id":
                assert got == rows[i][fields.index(field)], (field, i)
            else:
                assert comparable(got) == value, (field, i, got, value, rows[i])
        if (field.get("constraints") or {}).get("enum"):
            assert isinstance(column.dtype, pd.CategoricalDtype)
            assert column.isna().sum() == sum(v is None for v in want)  # the enum bug: all NaN
    # lossless save: read → save gives the same bytes
    frame = read_resource(folder / "t.csv")
    save_resource(frame, folder / "t.csv")
    assert (folder / "t.csv").read_bytes() == data


def test_integer_year_enum_loads_as_integers(tmp_path):
    """The reported case: "enum": [2019, 2023] on a year field loaded as an all-NaN category."""
    fields = [{"name": "id", "type": "string"},
              {"name": "year", "type": "year", "constraints": {"enum": [2019, 2023]}},
              {"name": "n", "type": "integer", "constraints": {"enum": [1, 2]}}]
    _write(tmp_path, fields, [["a", "2019", "1"], ["b", "2023", "2"], ["c", "2019", ""]], ("\n", csv.QUOTE_MINIMAL, False))
    assert validate(tmp_path).valid
    df = dc.load_dataset("t", extra=tmp_path)
    assert df["year"].tolist() == [2019, 2023, 2019]
    assert list(df["year"].cat.categories) == [2019, 2023]
    assert df["n"].isna().tolist() == [False, False, True]


def test_save_quotes_a_lone_carriage_return(tmp_path):
    """Python's csv writer leaves "\r" bare when rows end in "\n"; the saved file must still read back."""
    path = tmp_path / "t.csv"
    path.write_bytes(b"id,v\nA,x\n")
    frame = read_resource(path)
    frame.loc[1] = ["B", "a\rb"]
    frame.loc[2] = ["C", "0\r"]
    save_resource(frame, path)
    again = read_resource(path)
    assert again["v"].tolist() == ["x", "a\rb", "0\r"]
    save_resource(again, path)
    assert read_resource(path)["v"].tolist() == ["x", "a\rb", "0\r"]
