"""Timeline (headless)."""

import pytest

from dcteach.i18n import field_labels
from dcteach.widgets import Timeline, event_rows
from dcteach.widgets._common import output_text


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_filter_by_body(lang):
    tl = Timeline(lang=lang)
    assert tl.n_events == 16
    labels = field_labels("events", "body", lang)
    assert [o[0] for o in tl.body_select.options][0] == labels["council"]
    tl.body_select.value = ("policy_commission", "eec")
    assert tl.bodies == ("policy_commission", "eec") and tl.n_events == 4
    assert len(tl.ax.texts) == 4
    assert tl.table_html.value.count("<tr>") == 1 + 4
    assert "4" in tl.count_html.value and "4" in output_text(tl.out)
    assert "SP0550E1a" in tl.table_html.value  # document code shown
    assert "FN-35" in tl.table_html.value       # and the source


@pytest.mark.parametrize("lang, head", [("en", "Id"), ("ru", "Код")])
def test_each_table_row_starts_with_the_id_written_on_the_plot(lang, head):
    import re

    tl = Timeline(lang=lang)
    assert f'<th scope="col">{head}</th>' in tl.table_html.value
    first_cells = re.findall(r"<tr><td>([^<]*)</td>", tl.table_html.value)
    on_plot = sorted(t.get_text().split("\n")[0] for t in tl.ax.texts)
    assert len(first_cells) == 16 and sorted(first_cells) == on_plot


def test_dates_respect_precision_and_place_as_written():
    tl = Timeline(lang="en")
    html = tl.table_html.value
    date = '<td><span class="dcteach-nowrap">{}</span></td>'.format  # never broken at a hyphen (CSS)
    assert date("2018") in html and "2018-01-01" not in html
    assert date("2010-04") in html
    assert ('<td><span class="dcteach-nowrap">2016-04-11</span>&nbsp;– <span class="dcteach-nowrap">2016-04-13</span></td>'
            in html)  # a range may break after its dash
    assert "Brussels (the article writes “Bessel”)" in html
    ru = Timeline(lang="ru")
    assert "(в статье — «Bessel»)" in ru.table_html.value
    assert "Комитет по наращиванию потенциала" in ru.table_html.value


def test_no_body_selected():
    tl = Timeline(lang="en")
    tl.body_select.value = ()
    assert tl.n_events == 0 and "0" in tl.count_html.value


def test_event_rows_is_pure():
    import dcteach as dc

    rows = event_rows(dc.load_dataset("events"), "ru")
    assert len(rows) == 16 and rows.loc[rows["id"] == "EV-07", "document_code"].item() == "HC0083E1a"
