"""Citations: BibTeX parsed by a real parser and checked against biblatex's own data model,
CSL-JSON checked against the CSL schema; pinpoints only in notes, page totals in pagetotal."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import bibtexparser
import jsonschema
import pytest

import dcteach as dc
from dcteach.cite import _map, cite_package
from dcteach.cli import main
from dcteach.data import core_dir

DATA = Path(__file__).parent / "data"
CSL_SCHEMA = json.loads((DATA / "csl-data.json").read_text(encoding="utf-8"))
EXAMPLE = core_dir() / "examples" / "thesis_eeu"


# ---- biblatex's data model (tests/data/blx-dm.def, vendored from biblatex) --------------------


def _braced(text: str, start: int) -> tuple[str, int]:
    """The content of the {...} group opening at text[start], and the index after it."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start + 1 : i], i + 1
    raise ValueError("unbalanced braces")


def _csv(body: str) -> list[str]:
    return [w.strip() for w in body.replace("%", "\n%").split(",") if w.strip() and not w.strip().startswith("%")]


def biblatex_model():
    """{type: (required field groups, allowed fields)} from biblatex's blx-dm.def.

    A required group is a tuple of alternatives ("date or year", "url or doi or eprint").
    """
    text = re.sub(r"%[^\n]*", "", (DATA / "blx-dm.def").read_text(encoding="utf-8"))
    types: set[str] = set()
    generic: set[str] = set()
    allowed: dict[str, set[str]] = {}
    required: dict[str, list[tuple[str, ...]]] = {}
    date_fields: set[str] = set()
    for m in re.finditer(r"\\DeclareDatamodel(Entrytypes|Entryfields|Constraints|Fields)(\[([^\]]*)\])?\{", text):
        kind, opts = m.group(1), m.group(3) or ""
        body, _ = _braced(text, m.end() - 1)
        if kind == "Entrytypes" and "skipout" not in opts:
            types |= set(_csv(body))
        elif kind == "Fields" and "datatype=date" in opts.replace(" ", ""):
            date_fields |= set(_csv(body))
        elif kind == "Entryfields":
            if opts:
                for t in _csv(opts):
                    allowed.setdefault(t, set()).update(_csv(body))
            else:
                generic |= set(_csv(body))
        elif kind == "Constraints" and "type=mandatory" in body:
            groups, pos = [], 0
            for c in re.finditer(r"\\constraint(fieldsxor|fieldsor|field)\{", body):
                if c.start() < pos:
                    continue  # a field inside an or/xor group already read
                inner, pos = _braced(body, c.end() - 1)
                if c.group(1) == "field":
                    groups.append((inner,))
                else:
                    groups.append(tuple(re.findall(r"\\constraintfield\{([^}]*)\}", inner)))
            for t in _csv(opts) if opts else []:
                required.setdefault(t, []).extend(groups)
    # a date field (date, urldate) is stored by biber as its parts (year, urlyear, ...): allowed where they are
    parts = {d: d[: -len("date")] + "year" for d in date_fields}
    model = {}
    for t in types:
        fields = generic | allowed.get(t, set())
        fields |= {d for d, part in parts.items() if part in fields}
        model[t] = (required.get(t, []), fields)
    return model


MODEL = biblatex_model()
#: BibTeX aliases biblatex resolves (the manual, §2.1.2 and §2.2.5): entry type, and field aliases.
TYPE_ALIAS = {"techreport": ("report", {"type"})}
#: biblatex §2.1.3: legislation is among the types "not supported by the standard styles", which treat
#: them as @misc; its act number is the entry's number.
UNSUPPORTED_AS_MISC = {"legislation": {"number"}}


def check_entry(entry) -> list[str]:
    """Problems of one parsed BibTeX entry against biblatex's data model."""
    etype = entry.entry_type.lower()
    implied: set[str] = set()
    if etype in TYPE_ALIAS:
        etype, implied = TYPE_ALIAS[etype]
    if etype in UNSUPPORTED_AS_MISC:
        extra = UNSUPPORTED_AS_MISC[etype]
        req, allowed = MODEL["misc"]
        allowed = allowed | extra
    else:
        assert etype in MODEL, f"{entry.key}: @{etype} is not a biblatex entry type"
        req, allowed = MODEL[etype]
    present = {f.key.lower() for f in entry.fields} | implied
    problems = [f"{entry.key}: field {f!r} is not allowed in @{entry.entry_type}" for f in sorted(present - allowed - implied)]
    for group in req:
        if set(group) <= {"date", "year"}:
            continue  # checked separately: a work the article dates carries its date; we never invent one
        if not present & set(group):
            problems.append(f"{entry.key}: @{entry.entry_type} requires {' or '.join(group)}")
    return problems


def test_the_data_model_is_read():
    req, allowed = MODEL["article"]
    assert ("author",) in req and ("journaltitle",) in req and ("date", "year") in req
    assert {"pages", "volume", "number", "doi", "url", "urldate", "date", "note"} <= allowed
    assert "pagetotal" in MODEL["book"][1] and "pagetotal" not in MODEL["article"][1]
    assert ("url", "doi", "eprint") in MODEL["online"][0] and "location" not in MODEL["online"][1]
    assert {"version", "publisher"} <= MODEL["dataset"][1]
    assert "legislation" in MODEL


def test_entry_check_is_real():
    bad = bibtexparser.parse_string("@article{x,\n  title = {T},\n  pagetotal = {3},\n}\n").entries[0]
    problems = check_entry(bad)
    assert any("requires author" in p for p in problems)
    assert any("'pagetotal' is not allowed" in p for p in problems)
    good = bibtexparser.parse_string("@techreport{y,\n  title = {T},\n  author = {{WCO}},\n  institution = {{WCO}},\n  date = {2016},\n}\n")
    assert check_entry(good.entries[0]) == []


# ---- every exported entry ------------------------------------------------------------------

SOURCES = dc.load_dataset("sources")
ALL_IDS = [i for i in SOURCES["id"] if i != "FN-40"]  # FN-40 repeats a list, it cites nothing


def _works():
    own_work = (SOURCES["kind"] == "footnote") & SOURCES["same_as"].isna() & SOURCES["title"].notna()
    return SOURCES[(SOURCES["kind"] != "footnote") | own_work]


def _entries(ids=None, **kw):
    library = bibtexparser.parse_string(dc.cite(ids, **kw))
    assert not library.failed_blocks
    return library.entries


def test_bibtex_of_every_work_parses():
    entries = _entries()
    assert [e.key for e in entries] == list(_works()["id"])
    art = {e.key: e for e in entries}["SRC-ART"]
    assert art.entry_type == "article"
    assert art["author"] == "Mozer, S. V."
    assert art["pages"] == "193--202"
    assert art["url"] == "http://customs-academy.net/?page_id=10398"  # the header's 'Web:' (l. 15)


@pytest.mark.parametrize("ident", ALL_IDS)
def test_every_entry_fits_biblatex(ident):
    for entry in _entries([ident]):
        assert check_entry(entry) == []


def test_dated_works_carry_their_date():
    dated = set(SOURCES.loc[SOURCES["year"].notna() | SOURCES["issued"].notna() | SOURCES["date_adopted"].notna(), "id"])
    for entry in _entries():
        if entry.key in dated:
            assert "date" in entry.fields_dict, entry.key


def test_pinpoints_only_in_note():
    pinpoint = re.compile(r"^(P\.|pp?\.|Slide|С\.)\s?\d|\bSlide\b|^\d+$", re.I)
    for ident in ALL_IDS:
        for entry in _entries([ident]):
            pages = entry.fields_dict.get("pages")
            if pages is not None:
                assert re.fullmatch(r"\d+(--\d+)?", pages.value) and "--" in pages.value, (ident, pages.value)
            assert "pages" not in (entry.fields_dict.get("pagetotal").value if "pagetotal" in entry.fields_dict else "")
    fn41 = _entries(["FN-41"])[0]
    assert fn41.entry_type == "book" and "pages" not in fn41.fields_dict
    assert fn41["note"] == "Cited in footnote 41 of Mozer (2019), P. 22"
    src29 = _entries(["SRC-29"])[0]
    assert "Slide 8" in src29["note"] and not pinpoint.search(src29["title"])


def test_page_totals_in_pagetotal():
    book = _entries(["SRC-33"])[0]
    assert book["pagetotal"] == "266" and "pages" not in book.fields_dict
    item = json.loads(dc.cite(["SRC-33"], style="csl-json"))[0]
    assert item["number-of-pages"] == "266" and "page" not in item


def test_titles_carry_no_dates_or_slides():
    months = "January|February|March|April|May|June|July|August|September|October|November|December"
    date = re.compile(rf"\b\d{{1,2}}\s*(?:[–-]\s*\d{{1,2}}\s*)?(?:{months})\b|\b(?:{months})\s+\d{{4}}|\bSlide\b|\bP\.\s?\d")
    for entry in _entries([i for i in ALL_IDS]):
        assert not date.search(entry["title"]), (entry.key, entry["title"])
    assert not date.search(" ".join(SOURCES["title"].dropna()))


def test_proper_nouns_in_titles_are_braced():
    phrases = _map()["protect"]
    for entry in _entries(ALL_IDS):
        raw = entry["title"]
        plain = raw.replace("{", "").replace("}", "").replace("\\&", "&")
        for phrase in phrases:
            for m in re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", plain):
                braced = re.search(r"\{[^{}]*" + re.escape(phrase.replace("&", "\\&")) + r"[^{}]*\}", raw)
                assert braced, (entry.key, phrase, raw)
    art = _entries(["SRC-ART"])[0]
    assert "{World Customs Organization}" in art["title"]
    assert "{WCO}" in _entries(["SRC-33"])[0]["title"]  # acronyms too


def test_footnote_citing_two_works_exports_both():
    assert [e.key for e in _entries(["FN-24"])] == ["SRC-19", "SRC-20"]
    items = json.loads(dc.cite(["FN-24"], style="csl-json"))
    assert [i["id"] for i in items] == ["SRC-19", "SRC-20"]
    assert all(i["note"] == "Cited in footnote 24 of Mozer (2019)" for i in items)


def test_footnote_keeps_its_url_as_written():
    src = SOURCES.set_index("id")
    assert src.loc["FN-02", "url"].endswith("Липатова_.pdf") and src.loc["SRC-02", "url"].endswith("Липатоваpdf")


def test_bibtex_escapes_specials():
    entry = _entries(["SRC-28"])[0]
    assert r"\&" in entry["title"]  # "I2C – WCO Information & Intelligence Centre"
    assert entry["urldate"] == "2019-04-05"


def test_csl_json_validates_against_the_schema():
    items = json.loads(dc.cite(style="csl-json"))
    jsonschema.Draft7Validator(CSL_SCHEMA).validate(items)
    for ident in ALL_IDS:
        jsonschema.Draft7Validator(CSL_SCHEMA).validate(json.loads(dc.cite([ident], style="csl-json")))
    by_id = {i["id"]: i for i in items}
    assert by_id["SRC-04"]["number"] == "HC0083E1a"
    assert by_id["SRC-04"]["issued"] == {"date-parts": [[2016, 3, 14]]}
    assert by_id["SRC-04"]["event-title"].startswith("Item II on the Agenda")
    assert by_id["SRC-ART"]["type"] == "article-journal"
    assert by_id["SRC-ART"]["page"] == "193–202"


def test_schema_check_is_real():
    bad = json.loads(dc.cite(["SRC-01"], style="csl-json"))
    bad[0]["authors"] = "typo of author"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, CSL_SCHEMA)


def test_footnote_resolves_to_its_list_item_with_the_page():
    items = json.loads(dc.cite(["FN-07", "SRC-06"], style="csl-json"))
    assert len(items) == 1 and items[0]["id"] == "SRC-06"
    assert items[0]["note"] == "Cited in footnote 7 of Mozer (2019), P. 4"
    assert "page" not in items[0]


def test_errors():
    with pytest.raises(ValueError, match="not a bibliographic reference"):
        dc.cite(["FN-40"])
    entry = _entries(["FN-41"])[0]  # outside the list
    assert entry.key == "FN-41" and entry.entry_type == "book" and entry["date"] == "2018"
    with pytest.raises(ValueError, match="no source with id 'SRC-99'"):
        dc.cite(["SRC-99"])
    with pytest.raises(ValueError, match="unknown citation style"):
        dc.cite(style="mla")


# ---- researchers' sources: legal acts, journal articles, no Russian name needed ------------

LEGAL = {
    "id": "THESIS-LAW-01", "kind": "external", "name_en": "Federal Law on customs regulation",
    "title": "On Customs Regulation in the Russian Federation", "authors": "Russian Federation",
    "work_type": "legal_act", "jurisdiction": "Russian Federation", "act_number": "289-FZ", "date_adopted": "2018-08-03",
    "source_id": "THESIS-LAW-01", "locator": "whole act",
}
ARTICLE = {
    "id": "THESIS-ART-01", "kind": "external", "name_en": "An article on the Eurasian Economic Union",
    "title": "Customs integration in the Eurasian Economic Union", "authors": "Doe, J.; Roe, R.",
    "container_title": "Journal of Customs Studies", "volume": "12", "issue": "3", "pages": "45–67",
    "year": "2021", "doi": "10.1234/jcs.2021.045", "source_id": "THESIS-ART-01", "locator": "pp. 45–67",
}


@pytest.fixture
def law_extension(tmp_path):
    ext = tmp_path / "ext"
    shutil.copytree(EXAMPLE, ext)
    desc = json.loads((ext / "datapackage.json").read_text(encoding="utf-8"))
    src = next(r for r in desc["resources"] if r["name"] == "sources")
    src.pop("hash", None), src.pop("bytes", None)
    (ext / "datapackage.json").write_text(json.dumps(desc, ensure_ascii=False, indent=2), encoding="utf-8")
    import csv

    path = ext / "sources.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    header = list(rows[0]) + [k for k in {**LEGAL, **ARTICLE} if k not in rows[0]]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header)
        w.writeheader()
        w.writerows([*rows, LEGAL, ARTICLE])  # no name_ru on the two new rows: optional in extensions
    return ext


def test_legal_act_and_journal_article(law_extension):
    entries = {e.key: e for e in _entries(["THESIS-LAW-01", "THESIS-ART-01"], extra=law_extension)}
    law, art = entries["THESIS-LAW-01"], entries["THESIS-ART-01"]
    assert law.entry_type == "legislation" and law["number"] == "289-FZ" and law["date"] == "2018-08-03"
    assert art.entry_type == "article" and art["journaltitle"] == "Journal of Customs Studies"
    assert (art["volume"], art["number"], art["pages"], art["doi"]) == ("12", "3", "45--67", "10.1234/jcs.2021.045")
    assert "{Eurasian Economic Union}" in art["title"] and "{Russian Federation}" in law["title"]
    assert check_entry(law) == [] and check_entry(art) == []
    items = {i["id"]: i for i in json.loads(dc.cite(["THESIS-LAW-01", "THESIS-ART-01"], style="csl-json", extra=law_extension))}
    jsonschema.Draft7Validator(CSL_SCHEMA).validate(list(items.values()))
    assert items["THESIS-LAW-01"]["type"] == "legislation" and items["THESIS-LAW-01"]["jurisdiction"] == "Russian Federation"
    assert items["THESIS-LAW-01"]["issued"] == {"date-parts": [[2018, 8, 3]]}
    assert items["THESIS-ART-01"]["type"] == "article-journal" and items["THESIS-ART-01"]["DOI"] == "10.1234/jcs.2021.045"


def test_type_is_inferred_when_a_row_does_not_give_it():
    from dcteach.cite import _entry_type

    assert _entry_type({**LEGAL, "work_type": ""}) == ("legislation", "legislation")
    assert _entry_type(ARTICLE) == ("article", "article-journal")
    assert _entry_type({**ARTICLE, "authors": ""}) == ("misc", "article-journal")  # biblatex needs an author


def test_extension_sources_are_cited_with_the_core():
    own = dc.load_dataset("sources", extra=EXAMPLE)
    own_ids = [i for i in own["id"] if i not in set(SOURCES["id"])]
    assert own_ids
    items = json.loads(dc.cite([*own_ids, "SRC-ART"], style="csl-json", extra=EXAMPLE))
    jsonschema.Draft7Validator(CSL_SCHEMA).validate(items)
    assert [i["id"] for i in items] == [*own_ids, "SRC-ART"]
    assert [e.key for e in _entries(own_ids, extra=EXAMPLE)] == own_ids
    with pytest.raises(ValueError, match="no source with id"):
        dc.cite(own_ids)  # without the extension they are unknown


# ---- the data packages themselves, as datasets ---------------------------------------------


def test_core_package_is_cited_as_a_dataset_with_its_version():
    version = json.loads((core_dir() / "datapackage.json").read_text(encoding="utf-8"))["version"]
    entry = bibtexparser.parse_string(cite_package()).entries[0]
    assert entry.entry_type == "dataset" and entry["version"] == version and entry.key.endswith(version)
    assert check_entry(entry) == []
    assert "dcteach-digital-customs" in entry["note"] and "SHA-256" in entry["note"]
    item = json.loads(cite_package(style="csl-json"))
    jsonschema.Draft7Validator(CSL_SCHEMA).validate(item)
    assert item[0]["type"] == "dataset" and item[0]["version"] == version


def test_extension_is_cited_as_a_dataset():
    entry = bibtexparser.parse_string(cite_package(EXAMPLE)).entries[0]
    assert entry.entry_type == "dataset" and entry["version"] == "1.0.0" and "extending the dcteach data package" in entry["note"]
    assert check_entry(entry) == []
    assert cite_package(EXAMPLE / "datapackage.json") == cite_package(EXAMPLE)


def test_package_without_version_or_descriptor_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match=r"no data package here"):
        cite_package(tmp_path)
    (tmp_path / "datapackage.json").write_text('{"name": "x", "resources": []}', encoding="utf-8")
    with pytest.raises(ValueError, match=r'datapackage\.json: the package has no "version"'):
        cite_package(tmp_path)
    (tmp_path / "datapackage.json").write_text('{"name": ', encoding="utf-8")
    with pytest.raises(ValueError, match=r"datapackage\.json:1:\d+"):
        cite_package(tmp_path)


def test_cli_cite_package(capsys, tmp_path):
    assert main(["cite", "--package"]) == 0
    assert capsys.readouterr().out.startswith("@dataset{dcteach-digital-customs-")
    assert main(["cite", "--package", str(EXAMPLE), "--format", "csl-json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["id"] == "thesis-eeu-1.0.0"
    assert main(["cite", "--package", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no data package here" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert main(["cite", "SRC-01", "--package"]) == 2
    assert "give no source ids" in capsys.readouterr().err
