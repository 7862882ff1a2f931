"""Contract test over every table of the data package, and loader errors."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

import dcteach as dc
from dcteach.data import _descriptor, core_dir

DESCRIPTOR = json.loads((core_dir() / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in DESCRIPTOR["resources"]}

# The counts the article's enumerations give (seed README, issue 2).
COUNTS = {
    "enablers": {7},
    "priority_areas": {7},
    "competency_types": {5},
    "key_competence_criteria": {5},
    "technology_trends": {8},
    "instruments": {23, 24},
    "policy_topics": {6},
    "related_work_areas": {7},
    "ict_governance_models": {5},
    "capabilities": {13},
    "success_factors": {4},
    "action_plan": {7},
    "discussion_questions": {4},
    "conclusions": {13},
    "events": range(10, 1000),
    "sources": {1 + 33 + 41 + 3},
    "countries": {5},
    "glossary": range(30, 1000),
    "instrument_priority_links": range(1, 1000),
    "terminology": range(10, 1000),
}
NAMES = list(RESOURCES)
CYRILLIC = re.compile("[А-Яа-яЁё]")


def test_every_table_has_an_expected_count():
    assert set(dc.list_datasets()) == set(COUNTS)


def test_list_datasets_gives_titles_in_descriptor_order():
    titles = dc.list_datasets()
    assert list(titles) == NAMES
    assert all(titles.values())


@pytest.mark.parametrize("name", NAMES)
def test_contract(name):
    resource = RESOURCES[name]
    fields = resource["schema"]["fields"]
    df = dc.load_dataset(name)
    # counts
    assert len(df) in COUNTS[name]
    # columns and types match the descriptor
    assert list(df.columns) == [f["name"] for f in fields]
    for f in fields:
        col = df[f["name"]]
        if f.get("constraints", {}).get("enum"):
            assert isinstance(col.dtype, pd.CategoricalDtype), f["name"]
            assert list(col.cat.categories) == f["constraints"]["enum"]
            assert col.notna().all() or not f["constraints"].get("required")
        elif f["type"] == "integer":
            assert col.dtype == "Int64", f["name"]
        elif f["type"] == "boolean":
            assert col.dtype == "boolean", f["name"]
        elif f["type"] == "date":
            assert pd.api.types.is_datetime64_any_dtype(col), f["name"]
        else:
            assert pd.api.types.is_string_dtype(col), f["name"]
        if f.get("constraints", {}).get("required"):
            assert col.notna().all(), f"{name}.{f['name']} has empty required cells"
    # primary key
    assert resource["schema"]["primaryKey"] == ["id"]
    assert df["id"].is_unique
    # provenance and labels on every row
    for col in ("name_en", "name_ru", "source_id", "locator"):
        assert df[col].notna().all() and (df[col].str.strip() != "").all(), col
    # Russian labels are Russian (or a proper name kept as written)
    not_ru = df[~df["name_ru"].str.contains(CYRILLIC) & (df["name_ru"] != df["name_en"])]
    assert not_ru.empty, not_ru[["id", "name_ru"]]


@pytest.mark.parametrize("name", NAMES)
def test_foreign_keys_resolve(name):
    df = dc.load_dataset(name)
    fks = RESOURCES[name]["schema"]["foreignKeys"]
    assert any(fk["fields"] == "source_id" for fk in fks)
    for fk in fks:
        target = dc.load_dataset(fk["reference"]["resource"])
        values = df[fk["fields"]].dropna()
        missing = set(values) - set(target[fk["reference"]["fields"]])
        assert not missing, f"{name}.{fk['fields']} -> {fk['reference']}: {missing}"


@pytest.mark.parametrize("name", NAMES)
def test_russian_labels(name):
    en, ru = dc.load_dataset(name), dc.load_dataset(name, lang="ru")
    assert len(en) == len(ru) and set(en.columns) == set(ru.columns)
    assert list(ru.columns[:2]) == ["id", "name_ru"]
    for f in RESOURCES[name]["schema"]["fields"]:
        labels = f.get("dcteach:labels")
        if labels:
            expected = en[f["name"]].map(lambda v: labels[v]["ru"] if isinstance(v, str) else v)
            same = ru[f["name"]].astype(object).fillna("") == expected.astype(object).fillna("")
            assert same.all() and ru[f["name"]].isna().sum() == en[f["name"]].isna().sum()
            assert ru[f["name"]].cat.ordered


def test_descriptor_says_russian_is_our_translation():
    fields = RESOURCES["enablers"]["schema"]["fields"]
    name_ru = next(f for f in fields if f["name"] == "name_ru")
    assert "our translation" in name_ru["description"].lower()
    assert DESCRIPTOR["licenses"][0]["name"] == "CC-BY-4.0"
    assert re.fullmatch(r"\d+\.\d+\.\d+", DESCRIPTOR["version"])


# ---- faithfulness to the article -------------------------------------------------

def _page_of(lines):
    """Map a line number to its printed page using the copy's own page markers."""
    markers = [(i, int(m.group(1))) for i, l in enumerate(lines, 1) if (m := re.fullmatch(r"-(\d{3})-", l.strip()))]

    def page(line):
        for at, p in markers:
            if line < at:
                return str(p)
        return None  # after the last marker

    return page


@pytest.mark.parametrize("name", [n for n in NAMES if "seed_text" in [f["name"] for f in RESOURCES[n]["schema"]["fields"]]])
def test_seed_text_is_in_the_article_at_the_locator(name, seed_lines):
    page = _page_of(seed_lines)
    df = dc.load_dataset(name)
    fold = lambda s: re.sub(r"\s+", " ", s).strip().lower()  # noqa: E731
    for row in df.itertuples():
        m = re.search(r"\bl\. (\d+)", row.locator)
        assert m, f"{name} {row.id}: locator {row.locator!r} gives no line"
        line = int(m.group(1))
        if isinstance(row.seed_text, str):
            assert fold(row.seed_text) in fold(seed_lines[line - 1]), f"{name} {row.id}: not at line {line}"
        p = page(line)
        if p and "fn." not in row.locator:
            end = re.search(r"\bl\. \d+–(\d+)", row.locator)
            q = page(int(end.group(1))) if end else p
            want = f"p. {p}," if q == p else f"pp. {p}–{q or int(p) + 1},"
            assert row.locator.startswith(want), f"{name} {row.id}: expected {want!r}"


def test_footnotes_and_list_items_are_the_article_text(seed_lines):
    src = dc.load_dataset("sources")
    fold = lambda s: re.sub(r"\s+", " ", s).strip()  # noqa: E731
    text = {fold(l) for l in seed_lines}
    printed = src[src["kind"].isin(["list_item", "footnote"]) & src["citation"].notna()]
    assert len(printed) == 33 + 41
    for row in printed.itertuples():
        line = int(re.search(r"\bl\. (\d+)", row.locator).group(1))
        assert row.citation in fold(seed_lines[line - 1]), row.id
    fn41 = src.set_index("id").loc["FN-41"]  # on the copy's last line, outside the list
    assert fn41["cited_at_line"] == 358 and pd.isna(fn41["same_as"]) and fn41["year"] == 2018
    assert text  # the article was read


def test_footnotes_point_to_their_list_items():
    src = dc.load_dataset("sources").set_index("id")
    fns = src[src["kind"] == "footnote"]
    assert list(fns["number"]) == list(range(1, 42))
    linked = fns["same_as"].dropna()
    assert (src.loc[linked, "kind"] == "list_item").all()
    # the same work has the same document code in the footnote and the list item
    for fid, target in linked.items():
        a, b = src.loc[fid, "document_code"], src.loc[target, "document_code"]
        assert (pd.isna(a) and pd.isna(b)) or a == b, fid


def test_recorded_ambiguities():
    ins = dc.load_dataset("instruments").set_index("id")
    assert ins.groupby("group", observed=True).size().to_dict() in (
        {"strategic": 3, "political_legal": 6, "operational": 14},
        {"strategic": 3, "political_legal": 6, "operational": 15},
    )
    cen = ins[ins["seed_text"].str.contains("CEN/nCEN", na=False)]
    assert len(cen) >= 1 and cen["ambiguity"].notna().all()
    assert ins.loc["INS-GNC", "abbreviation"] == "GNC"
    ev = dc.load_dataset("events")
    differs = ev[ev["place_as_written"].notna() & (ev["place_as_written"] != ev["place"])]
    assert "Bessel" in set(differs["place_as_written"])
    assert differs["note"].notna().all()


def test_editorial_rows_say_why():
    links = dc.load_dataset("instrument_priority_links")
    assert (links["basis"] == "editorial").all()
    assert (links["rationale"].str.len() >= 10).all()
    glossary = dc.load_dataset("glossary")
    assert glossary.loc[glossary["basis"] == "editorial", "note"].notna().all()


def test_event_dates_are_never_padded():
    ev = dc.load_dataset("events")
    length = {"year": 4, "month": 7, "day": 10}
    for row in ev.itertuples():
        assert len(row.date_start) == length[row.date_precision], row.id
        if isinstance(row.date_end, str):
            assert row.date_end >= row.date_start, row.id


# ---- bad input ---------------------------------------------------------------------

def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="Did you mean 'instruments'") as err:
        dc.load_dataset("instrument")
    assert all(n in str(err.value) for n in NAMES)


def test_unknown_language_lists_languages():
    with pytest.raises(ValueError, match="supported languages: 'en', 'ru'"):
        dc.load_dataset("enablers", lang="xx")


def test_name_must_be_a_string():
    with pytest.raises(ValueError, match="not int"):
        dc.load_dataset(3)


def test_corrupted_file_names_it_and_says_how_to_restore(core_copy):
    path = core_copy / "enablers.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Strategy", "Strategem"), encoding="utf-8")
    with pytest.raises(dc.DatasetError, match=r"enablers\.csv.*checksum.*git checkout"):
        dc.load_dataset("enablers")
    # other tables still load
    assert len(dc.load_dataset("priority_areas")) == 7


def test_missing_file_names_it(core_copy):
    (core_copy / "countries.csv").unlink()
    with pytest.raises(dc.DatasetError, match=r"countries\.csv: data file is missing; restore"):
        dc.load_dataset("countries")


def test_broken_descriptor_is_located(core_copy):
    (core_copy / "datapackage.json").write_text('{"resources": [', encoding="utf-8")
    _descriptor.cache_clear()
    with pytest.raises(dc.DatasetError, match=r"datapackage\.json:1:\d+: not valid JSON"):
        dc.list_datasets()


def test_wrong_header_is_reported(core_copy):
    path = core_copy / "countries.csv"
    text = path.read_text(encoding="utf-8").replace("iso_alpha2", "alpha2", 1)
    path.write_text(text, encoding="utf-8")
    desc = json.loads((core_copy / "datapackage.json").read_text(encoding="utf-8"))
    for r in desc["resources"]:
        if r["name"] == "countries":
            r.pop("hash")  # simulate a hand edit without a checksum
    (core_copy / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    _descriptor.cache_clear()
    with pytest.raises(dc.DatasetError, match=r"countries\.csv: header .*alpha2.* does not match"):
        dc.load_dataset("countries")


def test_describe_lists_fields_and_licence():
    d = dc.describe("events")
    text = str(d)
    assert "CC-BY-4.0" in text and "date_precision" in text
    assert "| `body` |" in d._repr_markdown_()


def test_data_dictionary_mentions_every_table():
    readme = (core_dir() / "README.md").read_text(encoding="utf-8")
    for name in NAMES:
        assert f"| `{name}` |" in readme, name


def test_rehash_updates_only_changed_checksums(core_copy):
    from dcteach._maintain import rehash

    assert rehash(core_copy) == []
    before = (core_copy / "datapackage.json").read_text(encoding="utf-8")
    path = core_copy / "countries.csv"
    path.write_text(path.read_text(encoding="utf-8") + "", encoding="utf-8")
    path.write_bytes(path.read_bytes().replace(b"Kyrgyzstan", b"Kyrgyz Republic"))
    assert rehash(core_copy) == ["countries"]
    after = (core_copy / "datapackage.json").read_text(encoding="utf-8")
    assert before != after and len(before.splitlines()) == len(after.splitlines())
    _descriptor.cache_clear()
    assert "Kyrgyz Republic" in set(dc.load_dataset("countries")["name_en"])


# ---- extensions through load_dataset(extra=...) ------------------------------------

EXAMPLE = core_dir() / "examples" / "thesis_eeu"


def test_extra_adds_rows_and_new_tables():
    core = dc.load_dataset("glossary")
    merged = dc.load_dataset("glossary", extra=EXAMPLE)
    assert merged.attrs["rows_from"]["core"] == len(core)
    assert len(merged) == len(core) + merged.attrs["rows_from"]["extension"] > len(core)
    own = dc.load_dataset("country_assessments", extra=EXAMPLE, lang="ru")
    assert own["score"].dtype == "Int64" and own["score"].between(0, 4).all()
    assert set(own["country_id"]) <= set(dc.load_dataset("countries")["id"])


def test_extra_keeps_unknown_columns_and_unicode(tmp_path):
    import shutil

    ext = tmp_path / "ext"
    shutil.copytree(EXAMPLE, ext)
    path = ext / "country_assessments.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] += ",комментарий"
    lines[1:] = [line + ",примечание" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    df = dc.load_dataset("country_assessments", extra=ext)
    assert df.columns[-1] == "комментарий" and (df["комментарий"] == "примечание").all()


def test_invalid_extension_is_located(tmp_path):
    import shutil

    ext = tmp_path / "ext"
    shutil.copytree(EXAMPLE, ext)
    path = ext / "country_assessments.csv"
    text = path.read_text(encoding="utf-8").splitlines()
    text[1] = text[1].replace("CTY-AM", "CTY-XX", 1)
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(dc.DatasetError, match=r"country_assessments\.csv:2:\d+: .*CTY-XX"):
        dc.load_dataset("country_assessments", extra=ext)


def test_illustrative_data_have_a_provenance_of_their_own():
    """Invented example scores never cite the article, so filtering by source cannot mix them."""
    own = dc.load_dataset("country_assessments", extra=EXAMPLE)
    ext_sources = dc.load_dataset("sources", extra=EXAMPLE)
    core_ids = set(dc.load_dataset("sources")["id"])
    invented = own[own["rationale"].str.contains("ILLUSTRATIVE|invented", case=False)]
    assert len(invented) == len(own) > 0
    assert not set(invented["source_id"]) & core_ids, set(invented["source_id"]) & core_ids
    assert set(invented["source_id"]) <= set(ext_sources["id"])


def test_conclusion_4_keeps_the_articles_word(seed_lines):
    con = dc.load_dataset("conclusions").set_index("id")
    assert "pivotal" in seed_lines[325 - 1] and "pivotal" in con.loc["CON-04", "name_en"]
    assert "our reading" in con.loc["CON-04", "note"].lower()


def test_gnc_is_globally_networked_customs(seed_lines):
    ins = dc.load_dataset("instruments").set_index("id")
    assert "WCO%20Globally%20Networked%20Customs.pdf" in seed_lines[462 - 1]  # the URL of footnote 33
    assert ins.loc["INS-GNC", "abbreviation"] == "GNC"
    assert ins.loc["INS-GNC", "seed_text"] == "Global Customs Network Guide (GNC)"  # as printed, l. 181
    assert "garbled" in ins.loc["INS-GNC", "ambiguity"]
    gl = dc.load_dataset("glossary").set_index("id")
    assert gl.loc["GL-30", "name_en"] == "Globally Networked Customs"
    assert "uncertain" in gl.loc["GL-10", "note"].lower() and "электронные таможни" in gl.loc["GL-10", "note"]
