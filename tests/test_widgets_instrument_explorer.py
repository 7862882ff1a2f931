"""InstrumentExplorer and filter_instruments (headless)."""

import numpy as np
import pandas as pd
import pytest

import dcteach as dc
from dcteach.widgets import InstrumentExplorer, filter_instruments
from dcteach.widgets.instrument_explorer import MAX_ROWS


@pytest.fixture(scope="module")
def instruments():
    return dc.load_dataset("instruments")


def synthetic(n=10_000):
    """A large synthetic extension: the 24 instruments repeated with new ids."""
    base = dc.load_dataset("instruments")
    reps = int(np.ceil(n / len(base)))
    big = pd.concat([base] * reps, ignore_index=True).iloc[:n].copy()
    big["id"] = [f"INS-X{i:05d}" for i in range(n)]
    return big


def test_filter_by_group_priority_and_text(instruments):
    assert len(filter_instruments(instruments)) == 24
    assert len(filter_instruments(instruments, group="operational")) == 15
    pa06 = set(filter_instruments(instruments, priority_area="PA-06")["id"])
    links = dc.load_dataset("instrument_priority_links")
    assert pa06 == set(links.loc[links["priority_area_id"] == "PA-06", "instrument_id"])
    assert list(filter_instruments(instruments, text="REVISED Kyoto")["id"]) == ["INS-RKC"]
    assert set(filter_instruments(instruments, text="kyoto")["id"]) == {"INS-RKC", "INS-ICTG"}
    assert list(filter_instruments(instruments, text="Киотская")["id"]) == ["INS-RKC"]
    both = filter_instruments(instruments, group="strategic", priority_area="PA-01")
    assert list(both["id"]) == ["INS-ITG"]
    assert filter_instruments(instruments, text="no such words here").empty


def test_filter_words_must_all_occur(instruments):
    one = filter_instruments(instruments, text="data model")
    assert "INS-DM" in set(one["id"])
    assert filter_instruments(instruments, text="data kyoto").empty


def test_filter_treats_text_literally(instruments):
    assert filter_instruments(instruments, text="(.*").empty  # not a regex


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_widget_filters_and_count(lang):
    ex = InstrumentExplorer(lang=lang)
    assert ex.n_matches == 24
    ex.group_select.value = "political_legal"
    assert ex.group == "political_legal" and ex.n_matches == 6
    expected = {"en": "6 instruments match", "ru": "Найдено 6 инструментов"}[lang]
    assert ex.count_html.value == f"<b>{expected}</b>"
    assert ex.table_html.value.count("<tr>") == 1 + 6
    ex.text_box.value = "rkc"
    assert ex.n_matches == 1
    assert ex.count_html.value == {"en": "<b>1 instrument matches</b>", "ru": "<b>Найден 1 инструмент</b>"}[lang]
    ex.text_box.value = "zzz"
    assert ex.n_matches == 0 and [v for _l, v in ex.instrument_select.options] == [None]
    assert {"en": "No instrument matches", "ru": "Ни один инструмент"}[lang] in ex.table_html.value


def test_widget_priority_area_filter_and_labels_in_russian():
    ex = InstrumentExplorer(lang="ru")
    assert ex.group_select.options[0][0] == "(все)"
    assert "операционные" in [o[0] for o in ex.group_select.options]
    ex.priority_select.value = "PA-03"
    assert ex.n_matches == 1 and "Модель данных ВТамО" in ex.table_html.value
    assert "<b>Найден 1 инструмент</b>" == ex.count_html.value


@pytest.mark.parametrize("lang, word", [("en", "Footnote of the article"), ("ru", "Сноска статьи")])
def test_detail_pane_shows_the_source(lang, word):
    ex = InstrumentExplorer(lang=lang)
    assert {"en": "Choose an instrument", "ru": "Выберите инструмент"}[lang] in ex.detail_html.value
    ex.instrument_select.value = "INS-RKC"
    assert ex.selected == "INS-RKC"
    html = ex.detail_html.value
    assert word in html and "<dd>19</dd>" in html
    assert "International Convention on the Simplification" in html
    assert "pf_revised_kyoto_conv" in html and "FN-19" in html and "fn. 19" in html


def test_detail_shows_the_recorded_ambiguity():
    ins = dc.load_dataset("instruments")
    amb = ins.loc[ins["ambiguity"].notna(), "id"].iloc[0]
    ex = InstrumentExplorer(lang="en")
    ex.instrument_select.value = amb
    assert "Ambiguity" in ex.detail_html.value


def test_selection_is_cleared_when_filtered_out():
    ex = InstrumentExplorer(lang="en")
    ex.instrument_select.value = "INS-RKC"
    ex.group_select.value = "strategic"
    assert ex.selected is None


def test_large_synthetic_frame_is_capped():
    ex = InstrumentExplorer(lang="en", instruments=synthetic())
    assert ex.n_matches == 10_000
    assert ex.table_html.value.count("<tr>") == 1 + MAX_ROWS
    assert "showing the first 50" in ex.count_html.value
    assert len(ex.instrument_select.options) == MAX_ROWS + 1  # "(choose)" and the rows shown
    ex.group_select.value = "strategic"
    assert ex.n_matches == len(filter_instruments(synthetic(), group="strategic"))


def test_every_control_is_labelled():
    import ipywidgets as w

    ex = InstrumentExplorer(lang="ru")
    for c in (ex.group_select, ex.priority_select, ex.text_box, ex.instrument_select):
        assert isinstance(c, w.ValueWidget) and c.description


def test_dropdowns_start_at_all_not_blank():
    """ipywidgets shows value=None as a blank box; the "(all)"/"(choose)" option is shown instead."""
    ex = InstrumentExplorer(lang="en")
    for dd in (ex.group_select, ex.priority_select, ex.instrument_select):
        assert dd.index == 0 and dd.value is None
    assert ex.group_select.label == "(all)" and ex.instrument_select.label == "(choose)"
    ex.group_select.value = "strategic"
    ex.group_select.value = None
    assert ex.group_select.index == 0


def test_result_table_is_styled():
    ex = InstrumentExplorer(lang="en")
    html = ex.table_html.value
    assert "table.dcteach-table th, table.dcteach-table td" in html and "padding" in html
    assert '<th scope="col">' in html and "nth-child(even)" in html
