"""Citations: BibTeX parsed by a real parser, CSL-JSON checked against its schema."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import jsonschema
import pytest

import dcteach as dc

CSL_SCHEMA = json.loads((Path(__file__).parent / "data" / "csl-data.json").read_text(encoding="utf-8"))


def _works():
    src = dc.load_dataset("sources")
    own_work = (src["kind"] == "footnote") & src["same_as"].isna() & src["title"].notna()
    return src[(src["kind"] != "footnote") | own_work]


def test_bibtex_of_every_work_parses():
    text = dc.cite()
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert [e.key for e in library.entries] == list(_works()["id"])
    art = library.entries_dict["SRC-ART"]
    assert art.entry_type == "article"
    assert art["author"] == "Mozer, S. V."
    assert art["pages"] == "193--202"


def test_bibtex_escapes_specials():
    entry = bibtexparser.parse_string(dc.cite(["SRC-28"])).entries[0]
    assert r"\&" in entry["title"]  # "I2C – WCO Information & Intelligence Centre"
    assert entry["urldate"] == "2019-04-05"


def test_csl_json_validates_against_the_schema():
    items = json.loads(dc.cite(style="csl-json"))
    jsonschema.Draft7Validator(CSL_SCHEMA).validate(items)
    by_id = {i["id"]: i for i in items}
    assert by_id["SRC-04"]["number"] == "HC0083E1a"
    assert by_id["SRC-04"]["issued"] == {"date-parts": [[2016, 3, 14]]}
    assert by_id["SRC-ART"]["type"] == "article-journal"


def test_schema_check_is_real():
    bad = json.loads(dc.cite(["SRC-01"], style="csl-json"))
    bad[0]["authors"] = "typo of author"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, CSL_SCHEMA)


def test_footnote_resolves_to_its_list_item_with_the_page():
    items = json.loads(dc.cite(["FN-07", "SRC-06"], style="csl-json"))
    assert len(items) == 1 and items[0]["id"] == "SRC-06"
    assert items[0]["note"] == "Cited in footnote 7 of Mozer (2019), P. 4"


def test_errors():
    with pytest.raises(ValueError, match="not a bibliographic reference"):
        dc.cite(["FN-40"])
    entry = bibtexparser.parse_string(dc.cite(["FN-41"])).entries[0]  # outside the list
    assert entry.key == "FN-41" and entry.entry_type == "book" and entry["year"] == "2018"
    with pytest.raises(ValueError, match="no source with id 'SRC-99'"):
        dc.cite(["SRC-99"])
    with pytest.raises(ValueError, match="unknown citation style"):
        dc.cite(style="mla")


def test_extension_sources_are_cited_with_the_core():
    from dcteach.data import core_dir

    example = core_dir() / "examples" / "thesis_eeu"
    own = dc.load_dataset("sources", extra=example)
    own_ids = [i for i in own["id"] if i not in set(dc.load_dataset("sources")["id"])]
    assert own_ids
    items = json.loads(dc.cite([*own_ids, "SRC-ART"], style="csl-json", extra=example))
    jsonschema.Draft7Validator(CSL_SCHEMA).validate(items)
    assert [i["id"] for i in items] == [*own_ids, "SRC-ART"]
    library = bibtexparser.parse_string(dc.cite(own_ids, extra=example))
    assert not library.failed_blocks and [e.key for e in library.entries] == own_ids
    with pytest.raises(ValueError, match="no source with id"):
        dc.cite(own_ids)  # without the extension they are unknown
