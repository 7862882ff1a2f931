"""What every widget shares: stable CSS classes, figures with a text alternative, accessibility support."""

from __future__ import annotations

import html
import re

import pytest

from dcteach.widgets import CompetencyClassifier, InstrumentExplorer, PriorityMap, Quiz, SelfAssessment, Timeline
from dcteach.widgets._common import a11y_support, output_text


def _classes(widget) -> set[str]:
    return set(widget._dom_classes)


def test_stable_css_classes():
    sa = SelfAssessment(lang="en")
    assert "dcteach-self-assessment" in _classes(sa)
    assert "dcteach-gaps" in _classes(sa.gaps) and "dcteach-radar" in _classes(sa.out)
    assert "dcteach-downloads" in _classes(sa.downloads)
    assert all("dcteach-item-slider" in _classes(s) for s in sa.sliders.values())
    ex = InstrumentExplorer(lang="en")
    assert "dcteach-instrument-explorer" in _classes(ex) and "dcteach-explorer-count" in _classes(ex.count_html)
    assert "dcteach-explorer-table" in _classes(ex.table_html) and "dcteach-explorer-detail" in _classes(ex.detail_html)
    pm = PriorityMap(lang="en")
    assert "dcteach-priority-map" in _classes(pm) and "dcteach-map-rationale" in _classes(pm.rationale_html)
    assert "dcteach-map-figure" in _classes(pm.out)
    tl = Timeline(lang="en")
    assert {"dcteach-timeline"} <= _classes(tl) and "dcteach-timeline-count" in _classes(tl.count_html)
    assert "dcteach-timeline-figure" in _classes(tl.out) and "dcteach-timeline-table" in _classes(tl.table_html)
    cc = CompetencyClassifier(lang="en")
    assert "dcteach-competency-classifier" in _classes(cc) and "dcteach-classifier-figure" in _classes(cc.out)
    assert "dcteach-classifier-summary" in _classes(cc.summary_html)
    assert "dcteach-classifier-agreement" in _classes(cc.agreement_html)
    quiz = Quiz("example", lang="en")
    assert "dcteach-quiz" in _classes(quiz) and "dcteach-quiz-score" in _classes(quiz.score_label)
    assert all("dcteach-quiz-question" in _classes(q) for q in quiz.items)


@pytest.mark.parametrize("make", [lambda: SelfAssessment(lang="ru").out, lambda: PriorityMap(lang="en").out,
                                  lambda: Timeline(lang="en").out, lambda: CompetencyClassifier(lang="ru").out])
def test_figures_are_images_with_their_text_alternative_as_alt(make):
    out = make()
    (item,) = out.outputs
    data = item["data"]
    assert set(data) == {"text/html", "text/plain"}
    match = re.fullmatch(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="([^"]*)" [^>]*>', data["text/html"])
    assert match, data["text/html"][:120]
    assert html.unescape(match.group(1)) == output_text(out) != ""


def test_radar_alt_text_says_every_score():
    sa = SelfAssessment(lang="en", name="X 2026")
    sa.set_scores({"EN-01": 4, "CAP-13": 2})
    alt = output_text(sa.out)
    assert alt.startswith("Radar chart of the assessment 'X 2026' on levels 0–4:")
    assert "EN-01 4, EN-02 0" in alt and "CAP-13 2" in alt and "mean level 0.3" in alt
    sa.compared = {"Old": dict.fromkeys(sa.sliders, 1)}
    assert output_text(sa.out).endswith("Also on the chart: Old (mean level 1.0).")
    ru = SelfAssessment(lang="ru")
    assert "Лепестковая диаграмма" in output_text(ru.out) and "средний уровень 0.0" in output_text(ru.out)


def test_a11y_support_is_hidden_and_carried_by_the_widget_with_sliders():
    sa = SelfAssessment(lang="en")
    support = [c for c in sa.children if "dcteach-a11y-support" in _classes(c)]
    assert len(support) == 1 and support[0].layout.display == "none"
    box = a11y_support()
    js = box.children[1].outputs[0]["data"]["application/javascript"]
    assert "[role=slider]" in js and "MutationObserver" in js and ".dcteach-cell[title]" in js
    assert "white-space: normal" in box.children[0].value
