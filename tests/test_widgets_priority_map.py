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


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_clicking_a_matrix_cell_selects_it(lang):
    pm = PriorityMap(lang=lang)
    assert len(pm.cells) == pm.matrix.size == 24 * 7
    marked = {cell for cell, b in pm.cells.items() if b.description == "✓"}
    assert marked == {(r, c) for r in pm.matrix.index for c in pm.matrix.columns if pm.matrix.at[r, c]}
    pm.cells["INS-DM", "PA-03"].click()
    assert (pm.instrument, pm.priority_area, pm.linked) == ("INS-DM", "PA-03", True)
    assert (pm.instrument_select.value, pm.priority_select.value) == ("INS-DM", "PA-03")  # dropdowns follow
    assert "INS-DM × PA-03" in pm.rationale_html.value and "FN-23" in pm.rationale_html.value
    assert "dcteach-selected" in pm.cells["INS-DM", "PA-03"]._dom_classes
    assert len(pm.ax.patches) == 1  # outlined on the heatmap too
    pm.cells["INS-DM", "PA-07"].click()
    assert pm.linked is False and "dcteach-selected" not in pm.cells["INS-DM", "PA-03"]._dom_classes
    assert "dcteach-selected" in pm.cells["INS-DM", "PA-07"]._dom_classes
    pm.priority_select.value = "PA-03"  # a dropdown moves the outline in the matrix as well
    assert pm.cells["INS-DM", "PA-03"]._dom_classes.count("dcteach-selected") == 1


def test_matrix_cells_are_named_for_screen_readers():
    pm = PriorityMap(lang="en")
    assert pm.cells["INS-DM", "PA-03"].tooltip.startswith("INS-DM ") and pm.cells["INS-DM", "PA-03"].tooltip.endswith(": linked")
    assert " × PA-07 " in pm.cells["INS-DM", "PA-07"].tooltip and pm.cells["INS-DM", "PA-07"].tooltip.endswith(": not linked")
    assert all("dcteach-cell" in b._dom_classes for b in pm.cells.values())
    assert any("dcteach-a11y-support" in c._dom_classes for c in pm.children)  # tooltip → aria-label
    ru = PriorityMap(lang="ru")
    assert ru.cells["INS-DM", "PA-07"].tooltip.endswith(": связи нет")


def test_a_click_draws_the_heatmap_once(monkeypatch):
    import dcteach.widgets.priority_map as module

    pm = PriorityMap(lang="en")
    calls = []
    monkeypatch.setattr(module, "show_figure", lambda *a, **k: calls.append(a))
    pm.cells["INS-DM", "PA-03"].click()
    assert len(calls) == 1



def _models(widget, seen=None) -> set:
    """Every widget model reachable from ``widget`` (children, layouts, styles): what the browser receives."""
    import ipywidgets as w

    seen = set() if seen is None else seen
    if id(widget) in seen:
        return seen
    seen.add(id(widget))
    for key in widget.keys:
        value = getattr(widget, key, None)
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, w.Widget):
                _models(item, seen)
    return seen


def test_matrix_cells_share_one_layout_and_style():
    """Each widget is a model the kernel sends to the browser: 168 cells, not 3 × 168 models."""
    pm = PriorityMap(lang="en")
    buttons = list(pm.cells.values())
    assert len({id(b.layout) for b in buttons}) == 1 and len({id(b.style) for b in buttons}) == 1
    assert buttons[0].layout.min_height == "1.8em" and buttons[0].layout.width == "auto"
    assert len(_models(pm)) < 2 * len(buttons)  # was 630 for the 168 cells and the rest of the map
