"""Notebooks 05–09: structure, practice tasks, and the capstone's data.

- each notebook has at least two *Your turn*
  cells (its Carpentries structure is checked with 00–04 in ``test_outcomes.py``), one per task of its practice bank ``exercises/banks/pNN.json``;
- every practice task's lecturer solution passes its own check, and the empty
  placeholder is "not attempted" (so the notebooks' committed outputs teach nothing false);
- hints are graded (a nudge, then the method) and never hold a line of the solution;
- the illustrative assessments and the editorial item → action-plan map that 05, 07, 09
  and ex05/ex07/ex09 rely on are valid, complete and agree with the banks' keys;
- the exercises ex05–ex09 embed the same example data as ``notebooks/data``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

import dcteach as dc
import dcteach.exercises as dx
from dcteach.assessment import assessment_items, load_assessment

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
BANKS = REPO / "exercises" / "banks"
DATA = NOTEBOOKS / "data"
SECOND_HALF = ["05", "06", "07", "08", "09"]


def _notebook(nn: str) -> tuple[str, list[str]]:
    path = next(NOTEBOOKS.glob(f"{nn}_*.ipynb"))
    nb = json.loads(path.read_text(encoding="utf-8"))
    md = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    return md, code


def _bank(bank_id: str) -> dict:
    return json.loads((BANKS / f"{bank_id}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("nn", SECOND_HALF)
def test_your_turn_cells_check_every_practice_task(nn):
    md, code = _notebook(nn)
    bank = _bank(f"p{nn}")
    assert any(f'dx.load("p{nn}", lang=LANG)' in c for c in code)
    checked = [m for c in code for m in re.findall(r"p\.(q\d+)\.check\(\w+, lang=LANG\)", c)]
    assert len(checked) >= 2 and len(checked) == len(set(checked))
    assert set(checked) == {q["id"] for q in bank["questions"]}
    assert md.count("**Your turn") >= 2


def _context() -> dict:
    """The variables the notebooks define before their Your-turn cells."""
    _, example = load_assessment(DATA / "example_assessment_a.json")
    _, other = load_assessment(DATA / "example_assessment_b.json")
    found = pd.Series({"TT-01": 0, "TT-02": 1, "TT-03": 0, "TT-04": 0, "TT-05": 2, "TT-06": 0, "TT-07": 0, "TT-08": 0})
    return {
        "pd": pd, "dc": dc, "example": example, "example_a": example, "other": other, "found": found,
        "capabilities": dc.load_dataset("capabilities"), "plan": dc.load_dataset("action_plan"),
        "events": dc.load_dataset("events"), "sources": dc.load_dataset("sources"),
        "instruments": dc.load_dataset("instruments"),
        "item_map": pd.read_csv(DATA / "item_action_map.csv"),
    }


def _practice_tasks():
    return [(f"p{nn}", q["id"]) for nn in SECOND_HALF for q in _bank(f"p{nn}")["questions"] if q["kind"] == "auto"]


@pytest.mark.parametrize(("bank_id", "qid"), _practice_tasks())
def test_the_lecturer_solution_passes_and_the_placeholder_is_not_attempted(bank_id, qid):
    question = next(q for q in _bank(bank_id)["questions"] if q["id"] == qid)
    namespace = _context()
    exec(question["solution"], namespace)  # noqa: S102 - the lecturer's own code
    names = re.findall(r"^(?:def (\w+)|(\w+) =)", question["solution"], re.MULTILINE)
    defined = next(a or b for a, b in names)
    answer = namespace[defined]
    if callable(answer) and "call" not in question["checker"]:
        calls = {"gaps": ("example",), "plan": ("example_a",), "differences": ("example_a", "other")}
        if defined == "areas":
            answer = answer(["CAP-11", "CAP-03", "CAP-08"], namespace["item_map"])
        else:
            answer = answer(*(namespace[a] for a in calls[defined]))
    task = getattr(dx.load(bank_id), qid)
    assert task.check(answer).outcome.value == "correct", task.check(answer)
    assert task.check(...).outcome.value == "not_attempted"


def _code_lines(code: str) -> list[str]:
    return [re.sub(r"\s+", "", line) for line in code.splitlines() if len(line.strip()) >= 12]


@pytest.mark.parametrize("nn", SECOND_HALF)
def test_practice_hints_are_graded_and_never_give_the_code(nn):
    for q in _bank(f"p{nn}")["questions"]:
        assert len(q["hints"]) >= 2, f"{q['id']}: a nudge, then the method"
        if q["kind"] == "auto":
            assert q.get("solution"), f"{q['id']}: the code lives in the lecturer-only solution field"
        for hint in q["hints"]:
            for lang in ("en", "ru"):
                flat = re.sub(r"\s+", "", hint[lang])
                assert not [line for line in _code_lines(q.get("solution", "")) if line in flat], (nn, q["id"])


@pytest.mark.parametrize("nn", SECOND_HALF)
def test_each_exercise_has_an_essay_and_an_item_computed_on_the_data(nn):
    """(The essays' hints, rubrics and model answers are checked for every exercise in test_outcomes.py.)"""
    bank = _bank(f"ex{nn}")
    assert [q for q in bank["questions"] if q["kind"] == "open"]
    auto = [q for q in bank["questions"] if q["kind"] == "auto"]
    assert any("call" in q["checker"] or q["points"] >= 2 for q in auto), "an item computed on the data"


def test_the_example_assessments_are_complete_and_illustrative():
    items = set(assessment_items("en")["id"])
    for name in ("a", "b"):
        label, scores = load_assessment(DATA / f"example_assessment_{name}.json")
        assert "illustrative" in label
        assert set(scores) == items


def test_the_editorial_item_map_covers_every_item_once_with_known_areas():
    item_map = pd.read_csv(DATA / "item_action_map.csv")
    assert sorted(item_map["item_id"]) == sorted(assessment_items("en")["id"])
    assert set(item_map["action_plan_id"]) <= set(dc.load_dataset("action_plan")["id"])
    assert (item_map["basis"] == "editorial").all()
    assert item_map[["rationale_en", "rationale_ru"]].notna().all().all()


def _embedded(exercise: str, name: str) -> dict:
    source = next((REPO / "exercises" / "source").glob(f"{exercise}_*.ipynb"))
    setup = "".join(json.loads(source.read_text(encoding="utf-8"))["cells"][1]["source"])
    return json.loads(re.search(rf"^{name} = (\{{.*\}})$", setup, re.MULTILINE)[1])


def test_the_exercises_embed_the_course_examples():
    _, a = load_assessment(DATA / "example_assessment_a.json")
    _, b = load_assessment(DATA / "example_assessment_b.json")
    assert _embedded("ex05", "EXAMPLE_B") == b
    assert _embedded("ex07", "EXAMPLE_A") == a and _embedded("ex07", "EXAMPLE_B") == b
    source = next((REPO / "exercises" / "source").glob("ex09_*.ipynb"))
    setup = "".join(json.loads(source.read_text(encoding="utf-8"))["cells"][1]["source"])
    assert (DATA / "example_assessment_a.json").read_text(encoding="utf-8").strip() in setup
    assert (DATA / "item_action_map.csv").read_text(encoding="utf-8").strip() in setup


def test_the_capstone_keys_follow_from_example_a():
    _, a = load_assessment(DATA / "example_assessment_a.json")
    s = pd.Series(a)
    weakest = list(s[s < 2].sort_values(kind="stable").index[:3])
    item_map = pd.read_csv(DATA / "item_action_map.csv")
    areas = set(item_map.loc[item_map["item_id"].isin(weakest), "action_plan_id"])
    for bank_id in ("p09", "ex09"):
        q1, q2 = _bank(bank_id)["questions"][:2]
        assert set(q1["checker"]["where"]["id"]["in"]) == set(weakest)
        assert set(q2["checker"]["where"]["id"]["in"]) == areas
