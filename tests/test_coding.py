"""Coding documents against the taxonomy: the tables, their validation, the widget, REFI-QDA export."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xmlschema

from dcteach._errors import DatasetError, UsageError
from dcteach._extension import scaffold
from dcteach.cli import main
from dcteach.coding import add_coding, coding_schema, export_qdpx, load_coding, record_coding
from dcteach.data import core_dir
from dcteach.validate import validate
from dcteach.widgets import CodingWidget

EXAMPLE = core_dir() / "examples" / "coding_mozer"
XSD = Path(__file__).parent / "data" / "refi_qda_Project-mrt2019.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture()
def ext(tmp_path):
    target = tmp_path / "ext"
    shutil.copytree(EXAMPLE, target)
    return target


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def _write(path: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _edit(path: Path, row: int, column: str, value: str) -> None:
    rows = _rows(path)
    rows[row - 1][rows[0].index(column)] = value
    _write(path, rows)


# -- the model ---------------------------------------------------------------------------

def test_a_new_extension_with_coding_tables_validates_with_its_example_rows(tmp_path):
    target = tmp_path / "thesis"
    scaffold(target)
    written = add_coding(target)
    assert [p.name for p in written][:4] == ["documents.csv", "segments.csv", "codebook.csv", "codings.csv"]
    report = validate(target)
    assert report.valid, report.format_text()
    project = load_coding(target)
    assert project.codebook["group"].value_counts().to_dict() == {
        "capability": 13, "enabler": 7, "priority_area": 7, "competency_type": 5, "own": 1}
    assert project.codings["coder"].tolist() == ["example", "example"]
    assert "## Coding documents" in (target / "README.md").read_text(encoding="utf-8")
    names = [r["name"] for r in json.loads((target / "datapackage.json").read_text())["resources"]]
    assert names[-4:] == ["documents", "segments", "codebook", "codings"]


def test_the_example_passages_are_quoted_from_the_article_at_their_lines(seed_lines):
    lines = seed_lines
    for row in load_coding(EXAMPLE).segments.itertuples(index=False):
        line = int(row.locator.removeprefix("l. "))
        assert row.text in lines[line - 1], row.id


def test_add_coding_refuses_what_is_not_an_extension_or_already_has_the_tables(tmp_path, ext):
    with pytest.raises(UsageError, match="no datapackage.json"):
        add_coding(tmp_path)
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "datapackage.json").write_text('{"name": "x", "resources": []}')
    with pytest.raises(UsageError, match="not a dcteach extension"):
        add_coding(plain)
    before = (ext / "datapackage.json").read_bytes()
    with pytest.raises(UsageError, match="already has documents, segments, codebook, codings; nothing was changed"):
        add_coding(ext)
    assert (ext / "datapackage.json").read_bytes() == before


def test_a_code_that_is_not_in_the_codebook_is_a_located_error(ext):
    _edit(ext / "codings.csv", 3, "code", "EN-O5")
    report = validate(ext)
    assert not report.valid
    line = report.errors[0].format_text()
    assert line.startswith(f"{ext / 'codings.csv'}:3:3: code: no row of 'codebook' has this id"), line
    assert "EN-O5" in line and "EN-05" in line  # the value and the "did you mean"
    with pytest.raises(DatasetError, match="codings.csv:3:3"):
        load_coding(ext)


def test_the_codebook_keys_into_the_core_taxonomy(ext):
    _edit(ext / "codebook.csv", 2, "enabler_id", "EN-99")
    _edit(ext / "codebook.csv", 2, "id", "EN-99")
    problems = [p.format_text() for p in validate(ext).errors]
    assert any(p.startswith(f"{ext / 'codebook.csv'}:2:3: enabler_id: no row of 'enablers' has this id")
               for p in problems), problems


def test_an_own_code_must_extend_the_taxonomy(ext):
    rows = _rows(ext / "codebook.csv")
    last = len(rows)
    _edit(ext / "codebook.csv", last, "parent", "")
    problems = [p.format_text() for p in validate(ext).errors]
    assert any(f"codebook.csv:{last}" in p and "at least one of" in p for p in problems), problems


def test_checks_beyond_the_table_schema_are_located(ext):
    _edit(ext / "codebook.csv", 2, "id", "EN-1")  # EN-01's row renamed: the id must stay the article's
    rows = _rows(ext / "codebook.csv")
    own = len(rows)
    _edit(ext / "codebook.csv", own, "name_en", "")
    _edit(ext / "codings.csv", 2, "code", "EN-05")  # keep the codings' keys valid
    with pytest.raises(DatasetError) as err:
        load_coding(ext)
    text = str(err.value)
    assert f"{ext / 'codebook.csv'}:2:1: an article's code must keep its own id (EN-01) ('EN-1')" in text
    assert f"{ext / 'codebook.csv'}:{own}:7: your own code needs a name" in text


def test_spans_must_match_the_documents_text(ext):
    text = "Digital customs needs people. Strategy comes first."
    (ext / "doc.txt").write_text(text, encoding="utf-8")
    _edit(ext / "documents.csv", 2, "path", "doc.txt")
    _edit(ext / "segments.csv", 2, "start", "0")
    _edit(ext / "segments.csv", 2, "end", "29")
    _edit(ext / "segments.csv", 2, "text", "Digital customs needs people.")
    assert load_coding(ext).segments.iloc[0]["text"] == text[0:29]
    _edit(ext / "segments.csv", 2, "end", "20")
    with pytest.raises(DatasetError, match=r"segments.csv:2:7: the text is not the document's characters 0–20"):
        load_coding(ext)


def test_record_coding_replaces_keeps_others_and_removes(ext):
    before = _rows(ext / "codings.csv")
    record_coding(ext, "SEG-02", "Coder A", "EN-06", memo="changed my mind")
    after = _rows(ext / "codings.csv")
    assert len(after) == len(before)
    assert after[2][:3] == ["SEG-02", "Coder A", "EN-06"] and after[2][4] == "changed my mind"
    assert after[10] == before[10]  # Coder B's row untouched
    record_coding(ext, "SEG-02", "Coder A", None)
    assert len(_rows(ext / "codings.csv")) == len(before) - 1
    assert validate(ext).valid
    assert [p.name for p in ext.iterdir() if p.name.startswith(".")] == []  # no temporary file left


# -- the widget ---------------------------------------------------------------------------

def test_widget_continues_where_the_coder_stopped(ext):
    cw = CodingWidget(ext, lang="en", coder="Dana")
    assert (cw.index, cw.segment_id) == (0, "SEG-01")
    cw.group_buttons.value = "competency_type"
    assert [v for _l, v in cw.code_select.options][1:] == ["CT-STR", "CT-CORE", "CT-KEY", "CT-LEAD", "CT-STD"]
    cw.group_buttons.value = "own"
    cw.code_select.value = "MY-HR-01"
    cw.memo_box.value = "people, training"
    assert cw.save()
    cw.group_buttons.value = "enabler"
    cw.code_select.value = "EN-06"
    cw.save_button.click()
    assert cw.segment_id == "SEG-03" and "2 of 8" in cw.progress_html.value
    rows = [r for r in _rows(ext / "codings.csv") if r[1] == "Dana"]
    assert [r[:3] for r in rows] == [["SEG-01", "Dana", "MY-HR-01"], ["SEG-02", "Dana", "EN-06"]]
    assert rows[0][4] == "people, training"

    again = CodingWidget(ext, lang="en", coder="Dana")
    assert again.segment_id == "SEG-03"
    assert "Welcome back, Dana: 2 of 8 passages were coded; continuing at passage 3." == again.status
    again.go(0)
    assert (again.group_buttons.value, again.code_select.value, again.memo_box.value) == (
        "own", "MY-HR-01", "people, training")
    assert validate(ext).valid


def test_widget_needs_a_coder_and_a_code(ext):
    before = (ext / "codings.csv").read_bytes()
    cw = CodingWidget(ext, lang="en")
    cw.code_select.value = "EN-01"
    assert not cw.save() and "Write your name" in cw.status and "color:#b00020" in cw.status_html.value
    cw.coder_box.value = "  Eve "
    cw.code_select.value = None
    assert not cw.save() and "Choose a code first" in cw.status
    assert (ext / "codings.csv").read_bytes() == before


def test_widget_in_russian_names_the_taxonomy_in_russian(ext):
    cw = CodingWidget(ext, lang="ru", coder="Coder A")
    labels = [label for label, _v in cw.group_buttons.options]
    assert labels == ["Факторы", "Приоритетные направления", "Типы компетенций", "Возможности", "Собственные коды"]
    assert cw.status == "Все фрагменты (8) закодированы. Любой из них можно изменить."
    assert cw.code_select.value == "EN-05" and cw.code_select.label.startswith("EN-05 ")
    assert "с. 194" in cw.passage_html.value and "Фрагмент 1 из 8" in cw.passage_html.value
    cw.group_buttons.value = "own"
    assert cw.code_select.options[1][0] == "MY-HR-01 Наём и развитие специалистов по ИКТ (→ EN-05)"


# -- REFI-QDA --------------------------------------------------------------------------------

def _qde(path: Path) -> tuple[bytes, zipfile.ZipFile]:
    zf = zipfile.ZipFile(path)
    return zf.read("project.qde"), zf


def test_qdpx_is_valid_against_the_refi_qda_schema_and_complete(tmp_path):
    out = export_qdpx(EXAMPLE, tmp_path / "mozer.qdpx")
    xml, zf = _qde(out)
    xmlschema.XMLSchema(XSD).validate(xml.decode("utf-8"))
    root = ET.fromstring(xml)
    assert root.tag == "{urn:QDA-XML:project:1.0}Project"
    assert [u.get("name") for u in root.findall("q:Users/q:User", NS)] == ["Coder A", "Coder B"]
    codes = root.findall(".//q:Code", NS)
    assert len(codes) == 33
    hr = root.find("q:CodeBook/q:Codes/q:Code[@name='EN-05 Human resource capabilities and skills']", NS)
    assert [c.get("name") for c in hr.findall("q:Code", NS)] == ["Hiring and developing ICT specialists"]
    source = root.find("q:Sources/q:TextSource", NS)
    text = zf.read(f"Sources/{source.get('plainTextPath').removeprefix('internal://')}").decode("utf-8")
    project = load_coding(EXAMPLE)
    selections = source.findall("q:PlainTextSelection", NS)
    assert len(selections) == 8
    for sel, seg in zip(selections, project.segments.itertuples(index=False)):
        assert text[int(sel.get("startPosition")):int(sel.get("endPosition"))] == seg.text
        assert sel.get("name").startswith(seg.id) and seg.locator in sel.get("name")
    assert len(source.findall(".//q:Coding", NS)) == 16
    guid_of = {c.get("guid"): c.get("name") for c in codes}
    first = selections[1].findall("q:Coding", NS)
    assert sorted(guid_of[c.find("q:CodeRef", NS).get("targetGUID")].split()[0] for c in first) == ["EN-05", "EN-06"]
    assert len(root.findall("q:Notes/q:Note", NS)) == 16


def test_qdpx_with_a_text_file_keeps_the_spans_and_is_reproducible(ext, tmp_path):
    text = "Digital customs needs people. Strategy comes first."
    (ext / "doc.txt").write_text(text, encoding="utf-8")
    _edit(ext / "documents.csv", 2, "path", "doc.txt")
    _edit(ext / "segments.csv", 2, "start", "30")
    _edit(ext / "segments.csv", 2, "end", str(len(text)))
    _edit(ext / "segments.csv", 2, "text", "Strategy comes first.")
    a, b = export_qdpx(ext, tmp_path / "a.qdpx"), export_qdpx(ext, tmp_path / "b.qdpx")
    assert a.read_bytes() == b.read_bytes()
    xml, zf = _qde(a)
    xmlschema.XMLSchema(XSD).validate(xml.decode("utf-8"))
    sel = ET.fromstring(xml).find(".//q:PlainTextSelection", NS)
    assert (sel.get("startPosition"), sel.get("endPosition")) == ("30", str(len(text)))
    stored = zf.read(next(n for n in zf.namelist() if n.startswith("Sources/"))).decode("utf-8")
    assert stored.startswith(text) and stored[30:len(text)] == "Strategy comes first."


def test_cli_new_coding_and_qdpx(tmp_path, capsys):
    target = tmp_path / "thesis"
    assert main(["extension", "new", str(target), "--coding"]) == 0
    assert (target / "codings.csv").is_file() and validate(target).valid
    out = tmp_path / "t.qdpx"
    assert main(["extension", "qdpx", str(target), str(out)]) == 0
    xmlschema.XMLSchema(XSD).validate(_qde(out)[0].decode("utf-8"))
    capsys.readouterr()
    assert main(["extension", "qdpx", str(target), str(out)]) == 2
    assert "exists; pass --force" in capsys.readouterr().err
    assert main(["extension", "qdpx", str(target), str(tmp_path / "t.zip")]) == 2
    assert "ends in .qdpx" in capsys.readouterr().err
    assert main(["extension", "qdpx", str(tmp_path / "nope"), str(tmp_path / "n.qdpx")]) == 2
    assert main(["extension", "coding", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "already has documents" in err and "Traceback" not in err


def test_the_schemas_are_files_and_name_their_keys():
    assert coding_schema("codebook")["dcteach:atLeastOneOf"] == [
        ["parent", "enabler_id", "priority_area_id", "competency_type_id", "capability_id"]]
    refs = {fk["fields"][0]: fk["reference"]["resource"] for fk in coding_schema("codebook")["foreignKeys"]}
    assert refs == {"parent": "", "enabler_id": "enablers", "priority_area_id": "priority_areas",
                    "competency_type_id": "competency_types", "capability_id": "capabilities"}
    with pytest.raises(UsageError, match="choose one of: documents, segments, codebook, codings"):
        coding_schema("memos")
