"""SelfAssessment: sliders, radar, gap list, save/load JSON and CSV, corrupt and foreign files."""

import json

import pytest

from dcteach.assessment import (
    AssessmentFileError,
    assessment_from_csv,
    assessment_items,
    assessment_to_csv,
    load_assessment,
    load_scale,
    save_assessment,
)
from dcteach.widgets import SelfAssessment
from dcteach.widgets._common import output_text

IDS = list(assessment_items("en")["id"])


def test_scale_is_editorial_and_bilingual():
    scale = load_scale()
    assert scale["@basis"] == "editorial" and "not from the article" in scale["basis"]["en"]
    assert [lvl["level"] for lvl in scale["levels"]] == [0, 1, 2, 3, 4]
    for lvl in scale["levels"]:
        assert lvl["name"]["en"] and lvl["name"]["ru"] and lvl["descriptor"]["en"] and lvl["descriptor"]["ru"]


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_sliders_radar_and_gaps(lang):
    sa = SelfAssessment(lang=lang)
    assert len(sa.sliders) == 20 and all(s.description.startswith(i) for i, s in sa.sliders.items())
    sa.sliders["EN-01"].value = 4
    sa.sliders["CAP-13"].value = 3
    assert sa.scores["EN-01"] == 4 and sa.scores["CAP-13"] == 3
    line = sa.ax.lines[0]
    assert list(line.get_ydata()[:1]) == [4]
    assert {"en": "4 — Optimised", "ru": "4 — Оптимизированный"}[lang] == sa.level_labels["EN-01"].value
    gaps = sa.gaps.value
    assert gaps.index("EN-02") < gaps.index("CAP-13") < gaps.index("EN-01")  # weakest first
    assert {"en": "level 4, gap 0", "ru": "уровень 4, разрыв 0"}[lang] in gaps
    assert {"en": "Radar chart", "ru": "Лепестковая диаграмма"}[lang] in output_text(sa.out)
    assert {"en": "not from the article", "ru": "не из статьи"}[lang] in sa.scale_note.value


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_save_and_load_round_trip(tmp_path, suffix):
    sa = SelfAssessment(lang="en", name="Customs of X, 2025")
    sa.set_scores({i: k % 5 for k, i in enumerate(IDS)})
    path = tmp_path / f"x{suffix}"
    assert sa.save(path) == path and "Saved" in sa.status
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left
    other = SelfAssessment(lang="ru")
    assert other.load(path)
    assert other.scores == sa.scores and other.name == "Customs of X, 2025"
    assert "Загружена" in other.status


def test_buttons_use_the_path_box(tmp_path):
    sa = SelfAssessment(lang="en")
    sa.sliders["EN-03"].value = 2
    sa.path_box.value = str(tmp_path / "mine")
    sa.save_csv_button.click()
    sa.save_json_button.click()
    assert (tmp_path / "mine.csv").is_file() and (tmp_path / "mine.json").is_file()
    fresh = SelfAssessment(lang="en")
    fresh.path_box.value = str(tmp_path / "mine.csv")
    fresh.load_button.click()
    assert fresh.scores["EN-03"] == 2


def _keeps_state(tmp_path, name, content, *expected):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    sa = SelfAssessment(lang="en", name="mine")
    sa.sliders["EN-01"].value = 3
    before = dict(sa.scores), sa.name, len(sa.ax.lines)
    assert sa.load(path) is False
    assert (dict(sa.scores), sa.name, len(sa.ax.lines)) == before
    assert name in sa.status and "unchanged" in sa.status
    for text in expected:
        assert text in sa.status, sa.status
    assert "color:#b00020" in sa.status_html.value
    return sa


def test_corrupt_json(tmp_path):
    _keeps_state(tmp_path, "broken.json", '{"format": "dcteach-self-assessment",\n "scores": {', "broken.json:2:", "not valid JSON")


def test_foreign_json(tmp_path):
    _keeps_state(tmp_path, "quiz.json", json.dumps({"questions": []}), "not a dcteach self-assessment")


def test_json_with_bad_score(tmp_path):
    doc = {"format": "dcteach-self-assessment", "version": 1, "scale": "dcteach-maturity-0-4",
           "name": "x", "scores": {**dict.fromkeys(IDS, 1), "EN-04": 7}}
    _keeps_state(tmp_path, "bad.json", json.dumps(doc), "scores/EN-04", "7 is greater than the maximum of 4")


def test_json_with_missing_items(tmp_path):
    doc = {"format": "dcteach-self-assessment", "version": 1, "scale": "dcteach-maturity-0-4",
           "name": "x", "scores": {"EN-01": 1}}
    _keeps_state(tmp_path, "short.json", json.dumps(doc), "no score for EN-02")


def test_csv_with_bad_cell_names_row_and_column(tmp_path):
    text = assessment_to_csv("x", dict.fromkeys(IDS, 2)).replace("EN-03,2,", "EN-03,high,")
    _keeps_state(tmp_path, "bad.csv", text, "row 5", "column 'score'", "'high' is not a level", "0–4")


def test_foreign_csv(tmp_path):
    _keeps_state(tmp_path, "grades.csv", "student,total\nann,3\n", "header", "id,score")


def test_binary_file(tmp_path):
    _keeps_state(tmp_path, "sheet.csv", b"PK\x03\x04\xff\xfe\x00", "not UTF-8")


def test_missing_file(tmp_path):
    sa = SelfAssessment(lang="ru")
    assert not sa.load(tmp_path / "nope.json")
    assert "nope.json" in sa.status and "не изменилась" in sa.status


def test_compare_several_on_one_radar(tmp_path):
    for k, name in enumerate(["A 2023", "B 2024"]):
        save_assessment(tmp_path / f"{k}.json", name, dict.fromkeys(IDS, k + 1))
    sa = SelfAssessment(lang="en", name="now")
    assert sa.add_comparison(tmp_path / "0.json") and sa.add_comparison(tmp_path / "1.json")
    assert len(sa.ax.lines) == 3
    assert [t.get_text() for t in sa.ax.get_legend().get_texts()] == ["now", "A 2023", "B 2024"]
    assert not sa.add_comparison(tmp_path / "none.json") and len(sa.compared) == 2
    sa.clear_button.click()
    assert len(sa.ax.lines) == 1 and sa.compared == {}


def test_save_failure_is_reported(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    sa = SelfAssessment(lang="en")
    assert sa.save(blocker / "sub" / "a.json") is None
    assert "Could not save" in sa.status


def test_pure_csv_reader_locates_duplicates():
    text = assessment_to_csv("x", dict.fromkeys(IDS, 2)) + "EN-01,3,again\n"
    with pytest.raises(AssessmentFileError, match=r"row 23, column 'id': 'EN-01' appears twice"):
        assessment_from_csv(text, "dup.csv")


def test_load_assessment_of_a_folder(tmp_path):
    with pytest.raises(AssessmentFileError, match="folder"):
        load_assessment(tmp_path)


def _png(sa):
    import base64
    import re

    html = sa.out.outputs[0]["data"]["text/html"]
    return base64.b64decode(re.search(r'base64,([^"]+)"', html).group(1))


def test_fast_redraw_draws_the_same_radar_as_a_full_draw():
    """A slider change only moves the lines on the kept background: the picture equals a fresh draw."""
    moved = SelfAssessment(lang="en", name="same")
    for value in (1, 3, 2):
        moved.sliders["EN-04"].value = value  # updates in place
    moved.sliders["CAP-02"].value = 4
    fresh = SelfAssessment(lang="en", name="same")
    fresh.set_scores(moved.scores)  # drawn from scratch once
    assert moved.scores == fresh.scores and _png(moved) == _png(fresh)
    assert moved.ax.lines[0].get_ydata().tolist()[3] == 2 and moved.ax.texts[3].get_text() == "2"


def test_new_name_renames_the_legend_in_place_as_a_full_draw_would(monkeypatch):
    import dcteach.widgets.self_assessment as module

    renamed = SelfAssessment(lang="en", name="a")
    calls = []
    monkeypatch.setattr(module, "plot_radar", lambda *a, **k: calls.append(a))
    renamed.name_box.value = "Customs of B, 2025 (a longer name)"
    assert calls == []  # no full redraw
    monkeypatch.undo()
    fresh = SelfAssessment(lang="en", name="Customs of B, 2025 (a longer name)")
    assert [t.get_text() for t in renamed.ax.get_legend().get_texts()] == ["Customs of B, 2025 (a longer name)"]
    assert _png(renamed) == _png(fresh)


def test_a_comparison_redraws_everything(tmp_path):
    sa = SelfAssessment(lang="en", name="a")
    save_assessment(tmp_path / "o.json", "old", dict.fromkeys(IDS, 2))
    sa.add_comparison(tmp_path / "o.json")
    assert [t.get_text() for t in sa.ax.get_legend().get_texts()] == ["a", "old"]
    sa.sliders["EN-01"].value = 4  # fast path with two series
    assert [line.get_ydata()[0] for line in sa.ax.lines] == [4, 2]
    assert len(sa.ax.texts) == 0  # no value labels with several series
    sa.name_box.value = "b"
    assert [t.get_text() for t in sa.ax.get_legend().get_texts()] == ["b", "old"]


def test_slider_change_does_not_redraw_the_static_parts(monkeypatch):
    import dcteach.widgets.self_assessment as module

    sa = SelfAssessment(lang="en")
    calls = []
    monkeypatch.setattr(module, "plot_radar", lambda *a, **k: calls.append(a))
    sa.sliders["EN-01"].value = 2
    sa.sliders["CAP-05"].value = 1
    assert calls == [] and sa.ax.lines[0].get_ydata()[0] == 2  # lines moved, axes/labels/legend kept
