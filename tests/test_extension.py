"""Extensions: merge with the core, located errors, scaffold, lossless atomic save."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from dcteach._errors import DatasetError, UsageError
from dcteach._extension import load_merged, read_resource, save_resource, scaffold
from dcteach.data import core_dir
from dcteach.validate import validate

EXAMPLE = core_dir() / "examples" / "thesis_eeu"


def copy_example(tmp_path: Path) -> Path:
    dest = tmp_path / "ext"
    shutil.copytree(EXAMPLE, dest)
    return dest


def append_row(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8", newline="") as fh:
        fh.write(line + "\n")


def test_worked_example_is_valid_against_the_core():
    report = validate(EXAMPLE)
    assert report.extension and report.valid, report.format_text()
    assert report.rows == 37


def test_worked_example_says_it_is_illustrative():
    desc = json.loads((EXAMPLE / "datapackage.json").read_text(encoding="utf-8"))
    assert "ILLUSTRATIVE" in desc["description"] and "NOT FACTS" in desc["description"]
    assert "invented" in (EXAMPLE / "README.md").read_text(encoding="utf-8")


def test_load_merged_new_table_and_added_rows():
    ca = load_merged("country_assessments", EXAMPLE, core_dir=core_dir())
    assert ca.shape == (35, 8) and ca.attrs["rows_from"] == {"core": 0, "extension": 35}
    core_glossary = read_resource(core_dir() / "glossary.csv")
    gl = load_merged("glossary", EXAMPLE, core_dir=core_dir())
    assert len(gl) == len(core_glossary) + 1
    assert gl["id"].iloc[-1] == "THESIS-GL-01"
    assert list(gl.columns[: len(core_glossary.columns)]) == list(core_glossary.columns)


def test_load_merged_unknown_table_lists_names():
    with pytest.raises(DatasetError, match="country_assessments"):
        load_merged("nope", EXAMPLE, core_dir=core_dir())


def test_id_clash_with_core(tmp_path):
    ext = copy_example(tmp_path)
    append_row(ext / "glossary.csv", "GL-01,x,X,Икс,,,editorial,SRC-ART,l. 1,")
    report = validate(ext)
    assert [(e.resource, e.row, e.field, e.type) for e in report.errors] == [("glossary", 3, "id", "id-clash")]
    assert "new id" in report.errors[0].fix


def test_source_that_resolves_nowhere(tmp_path):
    ext = copy_example(tmp_path)
    append_row(ext / "country_assessments.csv", "CA-XX-1,CTY-AM,EN-01,2,editorial,why,NO-SUCH-SRC,p. 1")
    report = validate(ext)
    assert [(e.row, e.field, e.type, e.value) for e in report.errors] == [(37, "source_id", "foreign-key", "NO-SUCH-SRC")]
    assert "sources" in report.errors[0].fix


def test_foreign_keys_into_core_and_extension(tmp_path):
    ext = copy_example(tmp_path)
    # THESIS-EEU-01 exists only in the extension's sources; CTY-XX and EN-99 nowhere
    append_row(ext / "country_assessments.csv", "CA-OK-1,CTY-RU,EN-07,4,editorial,why,THESIS-EEU-01,p. 1")
    append_row(ext / "country_assessments.csv", "CA-BAD-1,CTY-XX,EN-99,5,opinion,why,SRC-ART,p. 1")
    report = validate(ext)
    assert {(e.row, e.field, e.type) for e in report.errors} == {
        (38, "country_id", "foreign-key"), (38, "enabler_id", "foreign-key"),
        (38, "score", "maximum"), (38, "basis", "enum")}


def test_reference_to_a_resource_that_exists_nowhere(tmp_path):
    ext = copy_example(tmp_path)
    desc = json.loads((ext / "datapackage.json").read_text(encoding="utf-8"))
    desc["resources"][0]["schema"]["foreignKeys"][0]["reference"]["resource"] = "planets"
    (ext / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    report = validate(ext)
    assert [(e.resource, e.type) for e in report.errors] == [("country_assessments", "foreign-key")]
    assert "planets" in report.errors[0].message


def test_without_core_own_tables_are_its_own(tmp_path):
    report = validate(EXAMPLE, extra_of=False)
    assert not report.valid
    # ids of its own sources.csv resolve; only the references into core tables do not
    assert not [e for e in report.errors if e.value is not None and e.value.startswith("THESIS-")]
    assert {e.message.split("'")[1] for e in report.errors} <= {"countries", "enablers", "sources"} or all(
        "exists neither" in e.message or e.field == "source_id" for e in report.errors)
    # it is an extension already: never told to mark itself as one
    assert not any("extends" in e.message for e in report.errors)
    assert any("without --no-core" in e.fix for e in report.errors)
    # exactly the two references into core tables (country_id -> countries, enabler_id -> enablers);
    # its scores cite its own source THESIS-EEU-01, so source_id resolves without the core (was 85, then 3)
    assert sorted((e.field, e.message.split("'")[1]) for e in report.errors) == [
        ("country_id", "countries"), ("enabler_id", "enablers")]
    assert all(e.type == "foreign-key" and "core table" in e.message for e in report.errors)


def test_load_merged_refuses_invalid_extension_with_located_message(tmp_path):
    ext = copy_example(tmp_path)
    append_row(ext / "country_assessments.csv", "CA-BAD-2,CTY-AM,EN-01,x,editorial,why,SRC-ART,p. 1")
    with pytest.raises(DatasetError) as info:
        load_merged("country_assessments", ext, core_dir=core_dir())
    assert "country_assessments.csv:37:4: score" in str(info.value)


def test_scaffold_is_valid_and_explains(tmp_path):
    files = scaffold(tmp_path / "my_thesis")
    assert {f.name for f in files} == {"datapackage.json", "country_assessments.csv", "sources.csv", "README.md"}
    report = validate(tmp_path / "my_thesis")
    assert report.valid and report.extension
    readme = (tmp_path / "my_thesis" / "README.md").read_text(encoding="utf-8")
    assert "What to fill in" in readme and "CTY-AM" in readme
    # every CSV is a plain header line, nothing commented
    assert (tmp_path / "my_thesis" / "country_assessments.csv").read_text().count("\n") == 1


def test_scaffold_refuses_non_empty_folder(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(UsageError, match="not an empty folder") as info:
        scaffold(tmp_path)
    assert info.value.exit_code == 2
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


ROUND_TRIP = {
    "crlf_quotes_cyrillic": 'id,name,note\r\nA,"Таможня, ВТамО",\r\nB,"say ""hi""",x\r\n',
    "lf_no_final_newline": "id,name\nA,x\nB,",
    "embedded_newline": 'id,text\nA,"line one\nline two"\nB,plain\n',
    "quote_all": '"id","n"\n"A","007"\n"B",""\n',
    "bom_and_na": "\ufeffid,n,m\nA,NA,None\nB,n/a,\n",
    "unknown_columns": "id,my_extra,name_en\nZ,kept,z\n",
}


@pytest.mark.parametrize("name", sorted(ROUND_TRIP))
def test_load_save_load_is_byte_identical(tmp_path, name):
    path = tmp_path / "t.csv"
    raw = ROUND_TRIP[name].encode("utf-8")
    path.write_bytes(raw)
    frame = read_resource(path)
    save_resource(frame, path)
    assert path.read_bytes() == raw
    again = read_resource(path)
    pd.testing.assert_frame_equal(frame, again)
    assert list(again.columns) == list(frame.columns)


def test_save_keeps_style_of_replaced_file_and_new_rows(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("id,name\r\nA,Ж\r\n".encode())
    frame = read_resource(path)
    frame.loc[len(frame)] = ["B", "Таможня, ВТамО"]
    save_resource(frame, path)
    assert path.read_bytes() == 'id,name\r\nA,Ж\r\nB,"Таможня, ВТамО"\r\n'.encode()


def test_atomic_write_failure_leaves_original(tmp_path, monkeypatch):
    path = tmp_path / "t.csv"
    path.write_bytes(b"id\nA\n")
    frame = pd.DataFrame({"id": ["B"] * 1000})

    def boom(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError, match="disk full"):
        save_resource(frame, path)
    assert path.read_bytes() == b"id\nA\n"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]  # no temporary file left


def test_read_resource_refuses_ragged_file(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1\n")
    with pytest.raises(DatasetError, match=r"t.csv:2: the row has 1 cells"):
        read_resource(path)


def _readme_blocks(readme: str) -> list[list[str]]:
    """The README's fenced code blocks, as lists of lines."""
    blocks, current = [], None
    for line in readme.splitlines():
        if line.strip() == "```":
            if current is None:
                current = []
            else:
                blocks.append(current)
                current = None
        elif current is not None:
            current.append(line.strip())
    return blocks


def test_scaffold_readme_example_rows_validate(tmp_path):
    ext = tmp_path / "my_thesis"
    scaffold(ext)
    for block in _readme_blocks((ext / "README.md").read_text(encoding="utf-8")):
        if not block or "," not in block[0]:
            continue
        target = {"country_assessments.csv": "id,country_id", "sources.csv": "id,kind"}
        name = next(f for f, start in target.items() if block[0].startswith(start))
        header = (ext / name).read_text(encoding="utf-8").splitlines()[0]
        assert block[0] == header
        append_row(ext / name, "\n".join(block[1:]))
    report = validate(ext)
    assert report.valid, report.format_text()
    assert report.rows == 3  # the example rows were really added
    df = pd.read_csv(ext / "country_assessments.csv")
    assert df["rationale"].str.contains(",").any()  # a comma, quoted


def test_describe_with_extra():
    import dcteach as dc

    own = dc.describe("country_assessments", extra=EXAMPLE)
    assert own.fields["field"].tolist()[:2] == ["id", "country_id"] and str(EXAMPLE) in str(own)
    merged = dc.describe("glossary", extra=EXAMPLE)
    assert "datasets/glossary.csv" in str(merged)
    with pytest.raises(UsageError, match="country_assessments"):
        dc.describe("nope", extra=EXAMPLE)


def test_datasets_export_extension_table(tmp_path, capsys):
    from dcteach.cli import main

    out = tmp_path / "ca.csv"
    assert main(["datasets", "export", "country_assessments", "--extra", str(EXAMPLE), "--to", str(out)]) == 0
    df = pd.read_csv(out)
    assert len(df) == 35 and "score" in df.columns
    assert main(["datasets", "export", "glossary", "--extra", str(EXAMPLE), "--to", str(tmp_path / "g.json")]) == 0
    assert "THESIS-GL-01" in (tmp_path / "g.json").read_text(encoding="utf-8")


def test_data_imports_nothing_above_it():
    """The import circle data → _extension → validate → _validation → data is gone: data imports
    only the modules below it (at module level and inside functions), and the validator is free of
    dcteach's data layer (ready to be a package of its own)."""
    import ast

    import dcteach

    root = Path(dcteach.__file__).parent

    def dcteach_imports(path: Path) -> set[str]:
        out = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dcteach"):
                out.add(node.module if node.module != "dcteach" else f"dcteach.{node.names[0].name}")
            elif isinstance(node, ast.Import):
                out |= {a.name for a in node.names if a.name.startswith("dcteach")}
        return out

    assert dcteach_imports(root / "data.py") <= {"dcteach._errors", "dcteach._jsondoc"}
    for module in (root / "_validation").glob("*.py"):
        assert {m for m in dcteach_imports(module) if not m.startswith("dcteach._validation")} <= {
            "dcteach._errors", "dcteach._jsondoc"}, module
    # and the extension loader is what load_dataset(extra=) runs
    import dcteach.data as data
    from dcteach import _extension

    assert data._EXTENSION_HOOKS["load"] is _extension.load_extended
