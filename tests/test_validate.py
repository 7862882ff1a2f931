"""dcteach.validate: every problem kind found and located, checked against frictionless."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from dcteach._errors import UsageError
from dcteach.validate import CODES, validate

FIXTURES = Path(__file__).parent / "fixtures"
BAD = FIXTURES / "bad_package"


def make_package(tmp_path: Path, files: dict[str, bytes | str], resources: list[dict], **extra) -> Path:
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (tmp_path / name).write_bytes(data)
    (tmp_path / "datapackage.json").write_text(json.dumps({"resources": resources, **extra}), encoding="utf-8")
    return tmp_path


def one_table(tmp_path: Path, csv: bytes | str, fields: list[dict], **schema) -> Path:
    return make_package(tmp_path, {"t.csv": csv},
                        [{"name": "t", "path": "t.csv", "schema": {"fields": fields, **schema}}])


def found(report) -> set[tuple]:
    return {(e.resource, e.row, e.field, e.type) for e in report.errors}


EXPECTED_BAD = {
    ("people", 3, "age", "type"),
    ("people", 4, "age", "type"),
    ("people", 5, "born", "type"),
    ("people", 6, "active", "type"),
    ("people", 7, "kind", "enum"),
    ("people", 8, "kind", "required"),
    ("people", 9, "id", "pattern"),
    ("people", 10, "age", "maximum"),
    ("people", 11, "age", "minimum"),
    ("people", 12, "code", "minLength"),
    ("people", 13, "code", "maxLength"),
    ("people", 14, "id", "primary-key"),
    ("people", 15, "team_id", "foreign-key"),
    ("people", 16, "nick", "unique"),
    *{("people", 17, f, "missing-cell") for f in ("born", "kind", "code", "team_id", "nick")},
    ("people", 18, None, "extra-cell"),
    ("people", 19, None, "blank-row"),
    ("people", 20, "score", "type"),
    ("people", 21, "born", "type"),
    ("people", 22, "born", "type"),  # 2020-1-5: the spec's date is YYYY-MM-DD (frictionless takes it)
    ("teams", 4, "name", "required"),
    ("teams", 5, "id", "primary-key"),
    ("pairs", 4, "a", "primary-key"),
    ("pairs", 4, "when", "type"),
    ("pairs", 4, "year", "type"),
    ("pairs", 5, "when", "type"),
    ("pairs", 6, "a", "foreign-key"),
}


def test_every_kind_found_and_located():
    report = validate(BAD)
    assert not report.valid
    assert found(report) == EXPECTED_BAD
    assert len(report.errors) == len(EXPECTED_BAD)


def test_values_are_as_written_and_columns_numbered():
    by_loc = {(e.resource, e.row, e.field, e.type): e for e in validate(BAD).errors}
    e = by_loc[("people", 4, "age", "type")]
    assert (e.value, e.column, e.path.endswith("people.csv")) == ("NA", 2, True)
    assert "missingValues" in e.fix  # explains how to mark a missing value
    assert by_loc[("people", 18, None, "extra-cell")].value == "surplus"
    assert by_loc[("people", 18, None, "extra-cell")].column == 10
    assert by_loc[("pairs", 6, "a", "foreign-key")].value == "1, T3"


def _frictionless_findings(path: Path) -> set[tuple]:
    frictionless = pytest.importorskip("frictionless")
    cwd = os.getcwd()
    os.chdir(path)  # frictionless refuses paths outside the working directory
    try:
        report = frictionless.validate("datapackage.json", limit_errors=10**9)
    finally:
        os.chdir(cwd)
    out = set()
    missing_cells = set()
    blank_rows = set()
    for task in report.tasks:
        for e in task.errors:
            row = getattr(e, "row_number", None)
            field = getattr(e, "field_name", None) or None
            if e.type in ("primary-key", "foreign-key", "blank-row"):
                field = None
            if e.type == "missing-cell":
                missing_cells.add((task.name, row, field))
            if e.type == "blank-row":
                blank_rows.add((task.name, row))
            if e.type in ("incorrect-label", "missing-label", "extra-label", "duplicate-label", "blank-label"):
                row = 1
            out.add((task.name, row, field, e.type))
    # we report a missing cell once (frictionless adds "required"), and a blank row once
    # (frictionless adds "primary key empty")
    return {
        f for f in out
        if not (f[3] == "constraint-error" and (f[0], f[1], f[2]) in missing_cells)
        and not (f[3] == "primary-key" and (f[0], f[1]) in blank_rows)
    }


#: cells the Table Schema spec rejects and frictionless 5 accepts (see docs/researchers.md)
_SPEC_ONLY = {
    "integer": lambda v: "_" in v or not v.strip().isascii(),
    "number": lambda v: "_" in v or (v.strip().lower() in ("nan", "inf", "-inf", "+inf", "infinity", "snan")
                                     and v.strip() not in ("NaN", "INF", "-INF", "+INF")),
    "date": lambda v: not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v) and bool(re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", v)),
}


def _minus_cells(findings: set[tuple], cells: set[tuple]) -> set[tuple]:
    """Frictionless's findings on cells other than *cells* (where it read a value the spec rejects)."""
    at = {(r, row, f) for r, row, f, _ in cells}
    return {x for x in findings if (x[0], x[1], x[2]) not in at}


def _field_types(report_path: Path) -> dict[tuple[str, str], str]:
    desc = json.loads((report_path / "datapackage.json").read_text(encoding="utf-8"))
    return {(r["name"], f["name"]): f.get("type", "string") for r in desc["resources"] for f in r["schema"]["fields"]}


def _ours(report, *, spec_only: bool = False) -> set[tuple]:
    """Our errors as frictionless classes; without the cells where we follow the spec and frictionless
    does not (*spec_only*: only those)."""
    types = _field_types(Path(report.path))
    out = set()
    for e in report.errors:
        rule = _SPEC_ONLY.get(types.get((e.resource, e.field), ""))
        stricter = e.type == "type" and rule is not None and e.value is not None and rule(e.value)
        if stricter != spec_only:
            continue
        cls = CODES[e.type]
        field = None if cls in ("primary-key", "foreign-key", "blank-row", "extra-cell") else e.field
        out.add((e.resource, e.row, field, cls))
    return out


def test_same_findings_as_frictionless_on_the_fixture():
    report = validate(BAD)
    assert _ours(report) == _frictionless_findings(BAD)
    assert _ours(report, spec_only=True) == {("people", 22, "born", "type-error")}


def test_same_findings_as_frictionless_on_synthetic_types(tmp_path):
    csv = (
        "i,n,b,d,dt,y,s\n"
        "1,1.5,true,2024-01-31,2024-01-31T10:00:00,2024,ok\n"
        "+2,-1e3,False,2024-1-5,2024-01-31T10:00:00Z,1999,a\n"
        "1.0,1.2.3,yes,2024-02-30,2024-01-31,99,abcdef\n"
        "007,nan,0,24-01-01,x,20x4,\n"
        " 3 ,inf,1,2024/01/01,2024-01-31T10:00:00+03:00,0000,Ж\n"
        "1_000,1_0.5,TRUE,2024-13-01,,2024,zz\n"
    )
    fields = [
        {"name": "i", "type": "integer", "constraints": {"maximum": 100}},
        {"name": "n", "type": "number", "constraints": {"minimum": 0}},
        {"name": "b", "type": "boolean"},
        {"name": "d", "type": "date"},
        {"name": "dt", "type": "datetime"},
        {"name": "y", "type": "year"},
        {"name": "s", "type": "string", "constraints": {"minLength": 2, "maxLength": 4, "enum": ["ok", "zz", "Ж", "abcdef"]}},
    ]
    path = one_table(tmp_path, csv, fields)
    report = validate(path)
    ours = _ours(report)
    fl = _frictionless_findings(path)
    assert ours == _minus_cells(fl, _ours(report, spec_only=True))
    assert len(ours) >= 10  # the fixture really is full of errors
    # where the spec is stricter than frictionless: 1_000, 1_0.5, nan, inf, 2024-1-5
    assert _ours(report, spec_only=True) == {("t", 7, "i", "type-error"), ("t", 7, "n", "type-error"),
                                             ("t", 5, "n", "type-error"), ("t", 6, "n", "type-error"),
                                             ("t", 3, "d", "type-error")}
    assert not _ours(report, spec_only=True) & fl


def test_number_rules_decimal_group_bare(tmp_path):
    csv = "a,b,c\n\"1 234,5\",€12,5\n\"1.5\",12%,x\n"
    fields = [
        {"name": "a", "type": "number", "decimalChar": ",", "groupChar": " "},
        {"name": "b", "type": "number", "bareNumber": False},
        {"name": "c", "type": "integer", "bareNumber": False},
    ]
    report = validate(one_table(tmp_path, csv, fields))
    assert found(report) == {("t", 3, "a", "type"), ("t", 3, "c", "type")}
    assert _ours(validate(tmp_path)) == _frictionless_findings(tmp_path)


def test_lossless_missing_values(tmp_path):
    csv = "id,n,s\nA,007,NA\nB,,None\nC,NA,n/a\n"
    fields = [{"name": "id", "type": "string"}, {"name": "n", "type": "integer"},
              {"name": "s", "type": "string", "constraints": {"required": True}}]
    report = validate(one_table(tmp_path, csv, fields))
    # "NA" is not missing unless declared: it is a bad integer; "None" and "n/a" are text
    assert found(report) == {("t", 4, "n", "type")}
    report = validate(one_table(tmp_path, csv, fields, missingValues=["", "NA"]))
    # now "NA" is missing: fine for the integer, but s is required
    assert found(report) == {("t", 2, "s", "required")}


def test_field_missing_values_override_schema(tmp_path):
    csv = "id,n\nA,NA\nB,-\n"
    fields = [{"name": "id"}, {"name": "n", "type": "integer", "missingValues": ["-"]}]
    assert found(validate(one_table(tmp_path, csv, fields, missingValues=["NA"]))) == {("t", 2, "n", "type")}


def test_header_missing_renamed_extra_duplicate(tmp_path):
    csv = "id,name_eng,extra,id\nA,x,kept,A\n"
    fields = [{"name": "id", "type": "string"}, {"name": "name_en", "type": "string"}]
    report = validate(one_table(tmp_path, csv, fields))
    errs = {(e.type, e.field) for e in report.errors}
    # as in frictionless: missing, renamed and unknown columns are errors (fieldsMatch "exact")
    assert errs == {("missing-column", "name_en"), ("duplicate-column", "id"), ("extra-column", "extra"),
                    ("extra-column", "name_eng"), ("column-order", None)}
    missing = next(e for e in report.errors if e.type == "missing-column")
    assert "name_eng" in missing.fix and missing.row == 1
    extra = next(e for e in report.errors if e.type == "extra-column")
    assert "fieldsMatch" in extra.fix and "--allow-extra-columns" in extra.fix


def test_unknown_column_is_an_error_unless_allowed(tmp_path):
    csv = "id,comment\nA,my note\n"
    path = one_table(tmp_path, csv, [{"name": "id", "type": "string"}])
    assert [(e.type, e.row, e.column) for e in validate(path).errors] == [("extra-column", 1, 2)]
    allowed = validate(path, extra_columns=True)
    assert allowed.valid and [w.type for w in allowed.warnings] == ["extra-column"]
    subset = one_table(tmp_path, csv, [{"name": "id", "type": "string"}], fieldsMatch="subset")
    assert validate(subset).valid


@pytest.mark.parametrize("mode, header, errors", [
    ("exact", "a,b", []), ("exact", "b,a", ["column-order"]), ("equal", "b,a", []),
    ("equal", "a", ["missing-column"]), ("subset", "a,b,c", []), ("subset", "a", ["missing-column"]),
    ("superset", "a", []), ("superset", "a,c", ["extra-column"]), ("partial", "a,c", []),
    ("partial", "c", ["missing-column"]),
])
def test_fields_match_modes(tmp_path, mode, header, errors):
    width = len(header.split(","))
    path = one_table(tmp_path, header + "\n" + ",".join("1" * width) + "\n",
                     [{"name": "a"}, {"name": "b"}], fieldsMatch=mode)
    assert [e.type for e in validate(path).errors] == errors


def test_invalid_utf8_is_located(tmp_path):
    csv = "id,name\nA,ok\nB,caf\xe9\nC,\xd0\x96\n".encode("latin-1")
    report = validate(one_table(tmp_path, csv, [{"name": "id"}, {"name": "name"}]))
    assert found(report) == {("t", 3, "name", "encoding")}
    assert "UTF-8" in report.errors[0].fix or "utf-8" in report.errors[0].fix


def test_declared_cp1251_encoding_is_read(tmp_path):
    csv = "id,name\nA,Таможня\n".encode("cp1251")
    path = make_package(tmp_path, {"t.csv": csv}, [{"name": "t", "path": "t.csv", "encoding": "cp1251",
                                                    "schema": {"fields": [{"name": "id"}, {"name": "name", "constraints": {"enum": ["Таможня"]}}]}}])
    assert validate(path).valid


def test_composite_primary_key_and_quoted_newlines_keep_row_numbers(tmp_path):
    csv = 'a,b,note\n1,x,"two\nlines"\n1,y,z\n1,x,dup\n2\n'
    fields = [{"name": "a", "type": "integer"}, {"name": "b"}, {"name": "note"}]
    report = validate(one_table(tmp_path, csv, fields, primaryKey=["a", "b"]))
    assert found(report) == {("t", 4, "a", "primary-key"), ("t", 5, "b", "missing-cell"),
                             ("t", 5, "note", "missing-cell")}


def test_integer_primary_key_compares_values(tmp_path):
    # like frictionless, 1 and 01 are the same integer
    report = validate(one_table(tmp_path, "a\n1\n01\n", [{"name": "a", "type": "integer"}], primaryKey="a"))
    assert found(report) == {("t", 3, "a", "primary-key")}


def test_foreign_key_self_reference(tmp_path):
    csv = "id,parent\nA,\nB,A\nC,Z\n"
    fks = [{"fields": "parent", "reference": {"resource": "", "fields": "id"}}]
    report = validate(one_table(tmp_path, csv, [{"name": "id"}, {"name": "parent"}], foreignKeys=fks))
    assert found(report) == {("t", 4, "parent", "foreign-key")}


def test_max_errors_is_said(tmp_path):
    csv = "n\n" + "x\n" * 50
    report = validate(one_table(tmp_path, csv, [{"name": "n", "type": "integer"}]), max_errors=5)
    assert len(report.errors) == 5 and report.truncated
    assert "more errors exist" in report.format_text()
    full = validate(tmp_path)
    assert len(full.errors) == 50 and not full.truncated


def test_text_format_lines(tmp_path):
    report = validate(one_table(tmp_path, "n\n1\nx\n", [{"name": "n", "type": "integer"}]))
    first, summary = report.format_text().splitlines()
    assert first.startswith(str(tmp_path / "t.csv") + ":3:1: n: value is not of type integer ('x') — write ")
    assert summary.startswith("1 error in 1 resource")


def test_missing_file_is_an_error(tmp_path):
    path = make_package(tmp_path, {}, [{"name": "t", "path": "nope.csv", "schema": {"fields": [{"name": "a"}]}}])
    report = validate(path)
    assert [e.type for e in report.errors] == ["missing-file"]


@pytest.mark.parametrize("setup, needle", [
    (lambda p: p / "nowhere", "no such file"),
    (lambda p: p, "not a data package"),
    (lambda p: (p / "datapackage.json").write_text("{bad json") and p, "not valid JSON"),
    (lambda p: (p / "datapackage.json").write_text("[1, 2]") and p, "resources"),
])
def test_usage_errors(tmp_path, setup, needle):
    with pytest.raises(UsageError, match=needle) as info:
        validate(setup(tmp_path))
    assert info.value.exit_code == 2


def test_core_package_is_valid():
    from dcteach.data import core_dir

    report = validate(core_dir())
    assert report.valid, report.format_text()


def test_large_file_streamed_keeps_row_numbers(tmp_path):
    # more than 64 KiB: read from disk block by block, not as one bytes object
    rows = [f"R{i},{i}" for i in range(20_000)]
    rows[5] = 'R5,"5"'
    rows[100] = 'R100,"1\n00"'  # quoted newline: one row, two lines
    rows[15_000] = "R15000"  # too few cells
    rows[16_000] = "R16000,1,surplus"  # too many
    rows[17_000] = "R17000,x"
    rows[18_000] = "R18000,\udce9"  # an invalid UTF-8 byte (0xe9) far from the start
    data = ("id,n\n" + "\n".join(rows) + "\n").encode("utf-8", errors="surrogateescape")
    assert len(data) > 200_000
    fields = [{"name": "id"}, {"name": "n", "type": "integer"}]
    report = validate(one_table(tmp_path, data, fields, primaryKey=["id"]))
    assert found(report) == {("t", 102, "n", "type"), ("t", 15_002, "n", "missing-cell"),
                             ("t", 16_002, None, "extra-cell"), ("t", 17_002, "n", "type"),
                             ("t", 18_002, "n", "encoding"), ("t", 18_002, "n", "type")}
    # frictionless reports the bad byte without a row: compare the rest
    theirs = {f for f in _frictionless_findings(tmp_path) if f[3] != "encoding-error"}
    assert {f for f in _ours(report) if f[1] != 18_002} == theirs


def test_plain_and_unusual_numbers_mixed_match_frictionless(tmp_path):
    # mostly plain cells (the fast path) with a few that need the full Table Schema rules
    odd_int = ["+2", " 3 ", "1_000", "-5", "12a", "1.0", "99999999999999999999999", "007", "٣", "x"]
    odd_num = ["+2.5", " 3 ", "1_0.5", "-5", "1e3", ".5", "5.", "nan", "inf", "1,5", "1.2.3", "Ж"]
    plain = [(str(i * 7 % 500), f"{i * 3.25:.2f}") for i in range(60)]
    lines = [f'{a},"{b}"' for a, b in plain]
    lines += [f'"{a}",1' for a in odd_int] + [f'1,"{b}"' for b in odd_num]
    fields = [{"name": "i", "type": "integer", "constraints": {"minimum": 0, "maximum": 400, "unique": True}},
              {"name": "n", "type": "number", "constraints": {"maximum": 150}}]
    path = one_table(tmp_path, "i,n\n" + "\n".join(lines) + "\n", fields)
    report = validate(path)
    ours = _ours(report)
    fl = _frictionless_findings(path)
    assert ours == _minus_cells(fl, _ours(report, spec_only=True))
    assert not _ours(report, spec_only=True) & fl  # frictionless takes those cells
    # "12a", "1.0", "x"; "1,5", "1.2.3", "Ж"
    assert {(r, f) for _, r, f, c in ours if c == "type-error"} == {
        (66, "i"), (67, "i"), (71, "i"), (81, "n"), (82, "n"), (83, "n")}
    # the spec, not Python: "1_000" and Arabic-Indic "٣" are not integers, "1_0.5", "nan", "inf" not numbers
    assert {(r, f) for _, r, f, c in _ours(report, spec_only=True)} == {
        (64, "i"), (70, "i"), (74, "n"), (79, "n"), (80, "n")}


def test_worker_threads_find_the_same(monkeypatch):
    from dcteach._validation import _engine

    alone = validate(BAD).errors
    monkeypatch.setattr(_engine, "_PARALLEL_ROWS", 1)
    monkeypatch.setattr(_engine, "_cores", lambda: 2)
    assert validate(BAD).errors == alone


@pytest.mark.parametrize("longest", [8, 12, 64, 90])
def test_duplicates_match_a_plain_python_count(longest):
    import random

    import pyarrow as pa

    from dcteach._validation._engine import _duplicates

    rng = random.Random(longest)
    pool = ["", "a", "a\x00", "Ж", "ЖЖ"] + ["".join(rng.choice("ab\x00Жz") for _ in range(rng.randint(0, longest)))
                                            for _ in range(300)]
    values = [rng.choice(pool) if rng.random() > 0.05 else None for _ in range(3000)]
    chunks = [pa.array(values[:1000]), pa.array(values[900:2100]).slice(100), pa.array(values[2100:])]
    key = pa.chunked_array(chunks)
    assert key.to_pylist() == values
    seen: dict = {}
    want_dup, want_first = [], []
    for i, v in enumerate(values):
        if v is None:
            continue
        if v in seen:
            want_dup.append(i)
            want_first.append(seen[v])
        else:
            seen[v] = i
    dup, first = _duplicates(key)
    assert (dup.tolist(), first.tolist()) == (want_dup, want_first)


def test_files_are_named_as_the_package_path_was_given(tmp_path, monkeypatch):
    one_table(tmp_path, "n\nx\n", [{"name": "n", "type": "integer"}])
    elsewhere = tmp_path / "deep" / "er"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)  # the working folder does not change absolute names
    assert validate(tmp_path).errors[0].path == str(tmp_path / "t.csv")
    monkeypatch.chdir(tmp_path.parent)  # a relative path stays relative
    assert validate(tmp_path.name).errors[0].path == os.path.join(tmp_path.name, "t.csv")
    monkeypatch.chdir(tmp_path)
    assert validate(".").format_text().startswith("t.csv:2:1: n: ")


def test_pattern_on_a_column_with_few_distinct_values(tmp_path):
    # 30k rows, 50 distinct codes: matched once per distinct value
    codes = [f"AB-{i % 50:02d}" for i in range(30_000)]
    codes[7] = "ab-07"
    codes[29_999] = "AB-7"
    fields = [{"name": "code", "constraints": {"pattern": "[A-Z]{2}-[0-9]{2}"}}]
    report = validate(one_table(tmp_path, "code\n" + "\n".join(codes) + "\n", fields))
    assert [(e.row, e.type, e.value) for e in report.errors] == [(9, "pattern", "ab-07"),
                                                                 (30_001, "pattern", "AB-7")]


# ---- Data Package v2 keys, coverage, "at least one of" ------------------------------------

def test_unique_keys(tmp_path):
    csv = "id,country,year\n1,AM,2019\n2,AM,2023\n3,AM,2019\n4,,2019\n5,,2019\n"
    fields = [{"name": "id", "type": "integer"}, {"name": "country"}, {"name": "year", "type": "year"}]
    report = validate(one_table(tmp_path, csv, fields, uniqueKeys=[["country", "year"]]))
    # a row with a part missing is exempt (rows 5 and 6)
    assert [(e.type, e.row, e.value) for e in report.errors] == [("unique-key", 4, "AM, 2019")]
    assert CODES["unique-key"] == "unique-error"


def test_unique_key_naming_no_field_is_a_descriptor_error(tmp_path):
    report = validate(one_table(tmp_path, "a\n1\n", [{"name": "a"}], uniqueKeys=[["a", "b"]],
                                primaryKey=["x"]))
    assert [(e.type, e.path.endswith("datapackage.json")) for e in report.errors] == [("schema", True)] * 2
    assert {e.message.split("names ")[1].split(",")[0] for e in report.errors} == {"'b'", "'x'"}


def _coverage_package(tmp_path, rows: list[str]) -> Path:
    tmp_path.mkdir(parents=True)
    files = {"countries.csv": "id\nAM\nKG\n", "t.csv": "id,country,enabler,year\n" + "\n".join(rows) + "\n"}
    return make_package(tmp_path, files, [
        {"name": "countries", "path": "countries.csv", "schema": {"fields": [{"name": "id"}], "primaryKey": "id"}},
        {"name": "t", "path": "t.csv", "schema": {
            "fields": [{"name": "id"}, {"name": "country"},
                       {"name": "enabler", "constraints": {"enum": ["EN-01", "EN-02"]}},
                       {"name": "year", "type": "year", "constraints": {"enum": [2019, 2023]}}],
            "foreignKeys": [{"fields": "country", "reference": {"resource": "countries", "fields": "id"}}],
            "dcteach:coverage": {"fields": ["country", "enabler", "year"]}}}])


def test_coverage_lists_the_missing_combinations(tmp_path):
    rows = [f"{i},{c},{e},{y}" for i, (c, e, y) in enumerate(
        (c, e, y) for c in ("AM", "KG") for e in ("EN-01", "EN-02") for y in (2019, 2023))]
    assert validate(_coverage_package(tmp_path / "full", rows)).valid
    without_kg_2023 = [r for r in rows if not (",KG," in r and r.endswith("2023"))]
    report = validate(_coverage_package(tmp_path / "gap", without_kg_2023))
    assert [e.message.split("no row for ")[1] for e in report.errors] == ["(KG, EN-01, 2023)", "(KG, EN-02, 2023)"]
    assert {e.type for e in report.errors} == {"coverage"}


def test_at_least_one_of(tmp_path):
    csv = "id,doi,url\n1,10.1/x,\n2,,https://a.b\n3,,\n"
    report = validate(one_table(tmp_path, csv, [{"name": "id"}, {"name": "doi"}, {"name": "url"}],
                                **{"dcteach:atLeastOneOf": [["doi", "url"]]}))
    assert [(e.type, e.row, e.column) for e in report.errors] == [("at-least-one-of", 4, 2)]


# ---- one error per root cause; did you mean -------------------------------------------------

def test_duplicate_id_reported_once(tmp_path):
    csv = "id,n\nA,1\nA,2\n"
    fields = [{"name": "id", "constraints": {"unique": True, "required": True}}, {"name": "n", "type": "integer"}]
    report = validate(one_table(tmp_path, csv, fields, primaryKey=["id"]))
    assert [(e.type, e.row) for e in report.errors] == [("primary-key", 3)]


def test_missing_table_first_and_its_follow_on_errors_collapsed(tmp_path):
    files = {"t.csv": "id,src\n" + "".join(f"{i},S{i}\n" for i in range(50))}
    path = make_package(tmp_path, files, [
        {"name": "t", "path": "t.csv", "schema": {"fields": [{"name": "id"}, {"name": "src"}], "foreignKeys": [
            {"fields": ["src"], "reference": {"resource": "sources", "fields": ["id"]}}]}},
        {"name": "sources", "path": "sources.csv", "schema": {"fields": [{"name": "id"}]}}])
    report = validate(path)
    assert [e.type for e in report.errors] == ["missing-file", "foreign-key"]
    assert "50 rows refer to 'sources'" in report.errors[1].message


def test_did_you_mean_for_ids_and_enum_values(tmp_path):
    files = {"e.csv": "id\nEN-01\nEN-02\nEN-03\n", "t.csv": "id,e,k\n1,EN-O3,alpha\n2,XX-99,alpah\n3,EN-03,omega\n"}
    path = make_package(tmp_path, files, [
        {"name": "e", "path": "e.csv", "schema": {"fields": [{"name": "id"}]}},
        {"name": "t", "path": "t.csv", "schema": {
            "fields": [{"name": "id"}, {"name": "e"}, {"name": "k", "constraints": {"enum": ["alpha", "beta"]}}],
            "foreignKeys": [{"fields": ["e"], "reference": {"resource": "e", "fields": ["id"]}}]}}])
    fixes = {(e.row, e.field): e.fix for e in validate(path).errors}
    assert fixes[(2, "e")].startswith("did you mean 'EN-03'?")
    assert "did you mean" not in fixes[(3, "e")]  # nothing within two edits
    assert fixes[(3, "k")].startswith("did you mean 'alpha'?")
    assert "did you mean" not in fixes[(4, "k")]


# ---- the Table Schema spec: lexical forms, the descriptor, files ---------------------------

@pytest.mark.parametrize("ftype, good, bad", [
    ("integer", ["1", "-7", "+3", "007", " 8 "], ["1_000", "٣", "1.0", "1e3", "１"]),
    ("number", ["1.5", "-.5", "5.", "1e-3", "NaN", "INF", "-INF"], ["1_0.5", "nan", "inf", "Infinity", "1,5", "٣.1"]),
    ("boolean", ["true", "False", "1", "0"], ["yes", "t", "TRUE "]),
    ("date", ["2024-03-05", "0001-01-01"], ["2024-3-5", "2024-02-30", "20240305", "２０２４-03-05"]),
    ("time", ["14:05:00", "14:05:00.25", "14:05:00Z", "14:05:00+03:00"], ["14:05", "1:05:00", "25:00:00"]),
    ("datetime", ["2024-03-05T14:05:00", "2024-03-05T14:05:00.5Z", "2024-03-05T14:05:00-05:30"],
     ["2024-03-05 14:05:00", "2024-03-05T14:05", "2024-3-05T14:05:00"]),
    ("year", ["2024", "0019", "-0044"], ["24", "２０２４", "+2024", "2024 "]),
    ("yearmonth", ["2024-03"], ["2024-3", "2024-13"]),
    ("duration", ["P1Y2M3DT4H5M6.5S", "PT30M", "-P3D"], ["P", "PT", "P2W", "1Y", "P1.5Y"]),
    ("geopoint", ["37.6, 55.7", "-180,90"], ["200, 10", "1_0, 5", "x, y"]),
    ("object", ['{"a": 1}'], ["[1]", '{"a": NaN}']),
])
def test_lexical_forms_of_the_spec(tmp_path, ftype, good, bad):
    cells = good + bad
    csv = "v\n" + "".join('"' + c.replace('"', '""') + '"\n' for c in cells)
    report = validate(one_table(tmp_path, csv, [{"name": "v", "type": ftype}]))
    flagged = {e.value for e in report.errors if e.type == "type"}
    assert flagged == set(bad)


@pytest.mark.parametrize("field, needle", [
    ({"name": "a", "type": "integr"}, "unknown type 'integr'"),
    ({"name": "a", "type": "string", "format": "emial"}, "unknown format"),
    ({"name": "a", "type": "integer", "constraints": {"minLength": 1}}, "does not apply to type integer"),
    ({"name": "a", "type": "string", "constraints": {"minimum": 1}}, "does not apply to type string"),
    ({"name": "a", "type": "integer", "constraints": {"maximum": "ten"}}, "is not a valid integer"),
    ({"name": "a", "type": "year", "constraints": {"enum": [2019, "20x3"]}}, "enum value '20x3'"),
    ({"name": "a", "type": "string", "constraints": {"required": "yes"}}, "true or false"),
])
def test_descriptor_is_validated(tmp_path, field, needle):
    report = validate(one_table(tmp_path, "a\n1\n", [field]))
    assert not report.valid and any(needle in e.message for e in report.errors), report.format_text()
    assert report.errors[0].type == "schema" and report.errors[0].path.endswith("datapackage.json")


def test_foreign_key_to_unknown_field_is_a_descriptor_error(tmp_path):
    files = {"a.csv": "id\n1\n", "b.csv": "x\n1\n"}
    path = make_package(tmp_path, files, [
        {"name": "a", "path": "a.csv", "schema": {"fields": [{"name": "id"}]}},
        {"name": "b", "path": "b.csv", "schema": {"fields": [{"name": "x"}], "foreignKeys": [
            {"fields": ["x"], "reference": {"resource": "a", "fields": ["key"]}}]}}])
    assert any("names 'key'" in e.message for e in validate(path).errors)


def test_package_without_resources_or_with_misplaced_schema_keys_is_invalid(tmp_path):
    (tmp_path / "datapackage.json").write_text('{"resources": []}', encoding="utf-8")
    assert not validate(tmp_path).valid
    wrong = tmp_path / "wrong"
    path = make_package(wrong.mkdir() or wrong, {"t.csv": "a\n1\n"}, [
        {"name": "t", "path": "t.csv", "fields": [{"name": "a"}], "missingValues": ["NA"], "schema": {
            "fields": [{"name": "a"}]}}], missingValues=["-"])
    messages = [e.message for e in validate(path).errors]
    assert sum("not of the resource" in m or "not of the package" in m for m in messages) == 3, messages


def test_declared_hash_and_bytes_are_verified(tmp_path):
    import hashlib

    data = b"a\n1\n"
    ok = {"hash": "sha256:" + hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    for name, props, valid in [("ok", ok, True), ("md5", {"hash": hashlib.md5(data).hexdigest()}, True),
                               ("bad", {"hash": "sha256:" + "0" * 64, "bytes": 99}, False)]:
        path = make_package((tmp_path / name).mkdir() or tmp_path / name, {"t.csv": data},
                            [{"name": "t", "path": "t.csv", **props, "schema": {"fields": [{"name": "a"}]}}])
        report = validate(path)
        assert report.valid is valid, report.format_text()
    assert [e.type for e in report.errors] == ["bytes", "hash"]


def _cli(args, capsys):
    from dcteach.cli import main

    code = main(args)
    return code, capsys.readouterr()


@pytest.mark.parametrize("name, content, fmt, needle", [
    ("t.xlsx", b"PK\x03\x04" + b"\x00" * 40, None, "spreadsheet"),
    ("t.csv", b"a,b\n\x00\x01\x02\xff\n", None, "binary"),
    ("t.csv.zip", b"not a zip", None, "cannot be read"),
    ("t.json", b'[{"a": 1}]', "json", "not a CSV"),
])
def test_unreadable_resource_is_one_line_exit_2(tmp_path, capsys, name, content, fmt, needle):
    res = {"name": "t", "path": name, "schema": {"fields": [{"name": "a"}]}}
    if fmt:
        res["format"] = fmt
    path = make_package(tmp_path, {name: content}, [res])
    code, out = _cli(["validate", str(path)], capsys)
    assert code == 2 and out.out == ""
    lines = out.err.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and name in lines[0] and "Traceback" not in out.err


def test_compressed_csv_is_read(tmp_path):
    import gzip
    import zipfile

    gz = make_package((tmp_path / "gz").mkdir() or tmp_path / "gz", {"t.csv.gz": gzip.compress(b"a\n1\nx\n")},
                      [{"name": "t", "path": "t.csv.gz", "schema": {"fields": [{"name": "a", "type": "integer"}]}}])
    assert [(e.row, e.value) for e in validate(gz).errors] == [(3, "x")]
    zdir = tmp_path / "zip"
    zdir.mkdir()
    with zipfile.ZipFile(zdir / "t.zip", "w") as zf:
        zf.writestr("t.csv", "a\n1\ny\n")
    (zdir / "datapackage.json").write_text(json.dumps({"resources": [
        {"name": "t", "path": "t.zip", "format": "csv", "schema": {"fields": [{"name": "a", "type": "integer"}]}}]}))
    assert [(e.row, e.value) for e in validate(zdir).errors] == [(3, "y")]


def test_multipart_path_is_refused_in_one_line(tmp_path, capsys):
    path = make_package(tmp_path, {"a.csv": "a\n1\n", "b.csv": "2\n"},
                        [{"name": "t", "path": ["a.csv", "b.csv"], "schema": {"fields": [{"name": "a"}]}}])
    code, out = _cli(["validate", str(path)], capsys)
    assert code == 2 and "multipart" in out.err and len(out.err.strip().splitlines()) == 1


@pytest.mark.parametrize("schema", [
    {"fields": [{"name": "a", "constraints": 5}]},
    {"fields": [{"name": "a", "type": "integer", "constraints": {"enum": 3}}]},
    {"fields": [{"name": "a", "type": "string", "constraints": {"pattern": "("}}]},
    {"fields": [{"name": "a", "constraints": {"minLength": "x", "unique": "yes"}}]},
    {"fields": "abc"}, {"fields": [{"type": "integer"}]}, {"fields": [{"name": "a"}], "foreignKeys": {"a": 1}},
    {"fields": [{"name": "a"}], "primaryKey": 5}, {"fields": [{"name": "a"}], "missingValues": "NA"},
    {"fields": [{"name": "a", "missingValues": 3}]}, {"fields": [{"name": "a"}], "uniqueKeys": "a"},
    {"fields": [{"name": "a"}], "dcteach:coverage": 5},
])
def test_malformed_schema_is_reported_never_a_traceback(tmp_path, schema):
    path = make_package(tmp_path, {"t.csv": "a\n1\n"}, [{"name": "t", "path": "t.csv", "schema": schema}])
    report = validate(path)
    assert not report.valid and report.errors[0].type == "schema", report.format_text()
