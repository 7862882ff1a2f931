"""CompetencyClassifier: assign, distribution, save, class folder agreement, bad files."""

import json

import pytest

from dcteach.assessment import agreement, classification_items, fleiss_kappa, load_classification
from dcteach.widgets import CompetencyClassifier
from dcteach.widgets._common import output_text

IDS = list(classification_items("en")["id"])


def test_items_and_types():
    cc = CompetencyClassifier(lang="ru")
    assert len(cc.type_selects) == 20 and IDS[0] == "CAP-01" and IDS[-1] == "AP-07"
    options = [o[1] for o in cc.type_selects["AP-01"].options]
    assert options == [None, "strategic", "core", "key", "leading"]  # no "standard", no answer key
    assert cc.type_selects["AP-01"].options[1][0] == "стратегическая"
    assert "правильного ответа нет" in cc.children[1].value  # after the invisible a11y support
    assert all("dcteach-item-choice" in dd._dom_classes for dd in cc.type_selects.values())  # names wrap, whole


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_distribution_plot_and_text(lang):
    cc = CompetencyClassifier(lang=lang)
    cc.type_selects["CAP-01"].value = "key"
    cc.type_selects["CAP-02"].value = "key"
    cc.type_selects["AP-03"].value = "strategic"
    assert cc.distribution.to_dict() == {"strategic": 1, "core": 0, "key": 2, "leading": 0}
    assert [t.get_text() for t in cc.ax.texts] == ["1", "0", "2", "0"]
    assert {"en": "Classified 3 of 20.", "ru": "Классифицировано 3 из 20."}[lang] in cc.summary_html.value
    assert {"en": "key: 2", "ru": "ключевая: 2"}[lang] in output_text(cc.out)


def _student(folder, name, types, why="because"):
    cc = CompetencyClassifier(lang="en", student=name)
    for item, typ in zip(IDS, types):
        cc.type_selects[item].value = typ
        cc.why_boxes[item].value = why
    return cc.save(folder / f"{name}.json")


def test_save_is_atomic_and_round_trips(tmp_path):
    path = _student(tmp_path, "ann", ["core"] * 20, why="одна строка")
    doc = load_classification(path)
    assert doc["student"] == "ann" and set(doc["assignments"].values()) == {"core"}
    assert doc["justifications"]["CAP-05"] == "одна строка"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ann.json"]


def test_save_button_uses_student_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cc = CompetencyClassifier(lang="en", student="Ann Lee")
    cc.save_button.click()
    assert (tmp_path / "Ann_Lee.json").is_file() and "Saved" in cc.status


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_class_folder_agreement_with_bad_files_skipped(tmp_path, lang):
    _student(tmp_path, "a", ["key"] * 20)
    _student(tmp_path, "b", ["key"] * 10 + ["core"] * 10)
    _student(tmp_path, "c", ["core"] * 20)
    (tmp_path / "broken.json").write_text('{"format": ', encoding="utf-8")
    (tmp_path / "foreign.json").write_text(json.dumps({"format": "dcteach-self-assessment"}), encoding="utf-8")
    bad = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    bad["items"]["CAP-01"]["type"] = "standard"
    (tmp_path / "standard.json").write_text(json.dumps(bad), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not json, not read")

    cc = CompetencyClassifier(lang=lang)
    cc.type_selects["CAP-01"].value = "leading"
    before = dict(cc.assignments)
    cc.folder_box.value = str(tmp_path)
    cc.load_class_button.click()
    assert cc.assignments == before                      # own work untouched
    assert cc.class_size == 3
    for name in ("broken.json", "foreign.json", "standard.json"):
        assert name in cc.status
    assert "not valid JSON" in cc.status and "not a dcteach competency classification" in cc.status
    assert "items/CAP-01/type" in cc.status
    assert {"en": "Skipped 3 files:", "ru": "Пропущены 3 файла:"}[lang] in cc.status
    assert {"en": "Read 3 classifications", "ru": "Прочитаны 3 классификации"}[lang] in cc.status
    table = cc.class_results.set_index("id")
    assert table.loc["CAP-01", "modal"] == "key" and round(table.loc["CAP-01", "share"], 2) == 0.67
    assert table.loc["AP-07", "modal"] == "core"
    assert cc.agreement_html.value.count("<tr>") == 1 + 20
    assert {"en": "67%", "ru": "67%"}[lang] in cc.agreement_html.value
    assert {"en": "Agreement, not correctness", "ru": "согласие, а не правильность"}[lang] in cc.agreement_html.value


def test_missing_class_folder(tmp_path):
    cc = CompetencyClassifier(lang="en")
    assert cc.load_class(tmp_path / "nope") is None
    assert "not a folder" in cc.status and cc.class_size == 0


def test_ties_and_empty_items():
    docs = [{"assignments": {"CAP-01": "key"}}, {"assignments": {"CAP-01": "core"}}]
    row = agreement(docs).set_index("id")
    assert row.loc["CAP-01", "modal"] == "core / key"
    assert row.loc["CAP-02", "n"] == 0 and row.loc["CAP-02", "modal"] == ""


def test_fleiss_kappa_known_values():
    import pandas as pd

    assert fleiss_kappa(pd.DataFrame([[4, 0], [0, 4], [4, 0]])) == 1.0
    # Fleiss (1971)-style small example computed by hand: P̄ = 1/3, Pe = 1/2
    assert fleiss_kappa(pd.DataFrame([[2, 1], [1, 2]])) == pytest.approx(-1 / 3)
    assert fleiss_kappa(pd.DataFrame([[1, 0]])) != fleiss_kappa(pd.DataFrame([[1, 0]]))  # nan
