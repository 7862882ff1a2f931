"""PriorityMap (headless)."""

import html

import pandas as pd
import pytest

import dcteach as dc
from dcteach.widgets import PriorityMap, link_rationale
from dcteach.widgets._common import output_text


@pytest.mark.parametrize("lang, basis", [("en", "editorial: our mapping"), ("ru", "редакционное: наше сопоставление")])
def test_basis_visible_and_heatmap_drawn(lang, basis):
    pm = PriorityMap(lang=lang)
    assert basis in pm.basis_html.value
    assert basis.split(":")[0] in pm.ax.get_title()
    assert int(pm.ax.images[0].get_array().sum()) == 29
    assert "29" in output_text(pm.out)
    assert pm.out.outputs[0]["data"]["text/html"].startswith("<img src=\"data:image/png;base64,")


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_selecting_a_cell_shows_rationale_or_no_link(lang):
    pm = PriorityMap(lang=lang)
    pm.instrument_select.value = "INS-DM"
    pm.priority_select.value = "PA-03"
    assert pm.linked is True
    assert "INS-DM × PA-03" in pm.rationale_html.value
    assert {"en": "Rationale:", "ru": "Обоснование:"}[lang] in pm.rationale_html.value
    assert "FN-23" in pm.rationale_html.value
    assert len(pm.ax.patches) == 1  # the chosen cell is outlined
    pm.priority_select.value = "PA-07"
    assert pm.linked is False
    assert {"en": "no link drawn", "ru": "связь не проведена"}[lang] in pm.rationale_html.value


def _links(rationale_ru=None):
    links = dc.load_dataset("instrument_priority_links").drop(columns=["rationale_ru"], errors="ignore")
    if rationale_ru is not None:
        links = links.assign(rationale_ru=rationale_ru(links))
    return links


def test_russian_view_says_rationale_is_in_english_without_a_translation():
    pm = PriorityMap(lang="ru", links=_links())
    pm.instrument_select.value, pm.priority_select.value = "INS-DM", "PA-03"
    english = link_rationale(pm.links, "INS-DM", "PA-03")["rationale"]
    assert "только на английском" in pm.rationale_html.value and html.escape(english) in pm.rationale_html.value


def test_russian_view_shows_rationale_ru_when_the_table_has_it():
    """The lead adds ``rationale_ru`` (our translation) to the link table: shown, without the fallback note."""
    pm = PriorityMap(lang="ru", links=_links(lambda df: "Перевод обоснования " + df["id"].astype(str)))
    pm.instrument_select.value, pm.priority_select.value = "INS-DM", "PA-03"
    row_id = link_rationale(pm.links, "INS-DM", "PA-03")["id"]
    assert f"Обоснование: Перевод обоснования {row_id}" in pm.rationale_html.value
    assert "только на английском" not in pm.rationale_html.value
    en = PriorityMap(lang="en", links=pm.links)  # English keeps the English rationale
    en.instrument_select.value, en.priority_select.value = "INS-DM", "PA-03"
    assert "Перевод" not in en.rationale_html.value


def test_blank_rationale_ru_falls_back_to_english_with_the_note():
    pm = PriorityMap(lang="ru", links=_links(lambda df: pd.Series(pd.NA, index=df.index, dtype="string")))
    pm.instrument_select.value, pm.priority_select.value = "INS-DM", "PA-03"
    assert "только на английском" in pm.rationale_html.value


def test_core_table_rationale_ru_is_used_if_present():
    links = dc.load_dataset("instrument_priority_links")
    pm = PriorityMap(lang="ru")
    pm.instrument_select.value, pm.priority_select.value = "INS-DM", "PA-03"
    row = link_rationale(links, "INS-DM", "PA-03")
    if (row.get("rationale_ru") or "").strip():
        assert html.escape(row["rationale_ru"]) in pm.rationale_html.value
        assert "только на английском" not in pm.rationale_html.value
    else:
        assert "только на английском" in pm.rationale_html.value


def test_partial_selection_asks_for_the_other():
    pm = PriorityMap(lang="en")
    pm.instrument_select.value = "INS-DM"
    assert "Choose an instrument and a priority area" in pm.rationale_html.value
    assert pm.linked is False
