"""PriorityMap (headless)."""

import pytest

from dcteach.widgets import PriorityMap
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


def test_russian_view_says_rationale_is_in_english():
    pm = PriorityMap(lang="ru")
    pm.instrument_select.value, pm.priority_select.value = "INS-DM", "PA-03"
    assert "только на английском" in pm.rationale_html.value


def test_partial_selection_asks_for_the_other():
    pm = PriorityMap(lang="en")
    pm.instrument_select.value = "INS-DM"
    assert "Choose an instrument and a priority area" in pm.rationale_html.value
    assert pm.linked is False
