"""The course's quiz banks (dcteach/quiz/banks/nb00.json … nb08.json).

Every bank follows dcteach/quiz/schema.json, has at least three questions, and
every question has a correct answer, a source and feedback in both languages.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

BANKS = Path(__file__).resolve().parent.parent / "dcteach" / "quiz" / "banks"
SCHEMA = BANKS.parent / "schema.json"
COURSE_BANKS = [f"nb{i:02d}" for i in range(10)]
#: every bank shipped with dcteach: `load_bank(name)` trusts their schema check to this file
SHIPPED_BANKS = sorted(p.stem for p in BANKS.glob("*.json"))


def _load(name: str) -> dict:
    return json.loads((BANKS / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("name", SHIPPED_BANKS)
def test_bank_follows_the_schema(name, validator):
    errors = sorted(validator.iter_errors(_load(name)), key=lambda e: list(map(str, e.path)))
    assert not errors, "\n".join(f"{name}: {'/'.join(map(str, e.path))}: {e.message}" for e in errors)


@pytest.mark.parametrize("name", COURSE_BANKS)
def test_bank_has_at_least_three_questions_with_unique_ids(name):
    bank = _load(name)
    ids = [q["id"] for q in bank["questions"]]
    assert bank.get("id") == name
    assert len(ids) >= 3
    assert len(ids) == len(set(ids))


def _correct(question: dict) -> list[dict]:
    return [a for a in question["answers"] if a["correct"]]


@pytest.mark.parametrize("name", COURSE_BANKS)
def test_every_question_has_a_correct_answer(name):
    for q in _load(name)["questions"]:
        right = _correct(q)
        where = f"{name}/{q['id']}"
        if q["type"] == "multiple_choice":
            assert len(right) == 1, f"{where}: a multiple_choice question needs exactly one correct answer"
        else:
            assert right, f"{where}: no answer is marked correct"
        if q["type"] == "numeric":
            assert any("value" in a for a in right), f"{where}: give the correct number as 'value'"
        if q["type"] in ("multiple_choice", "many_choice"):
            assert len(q["answers"]) > len(right), f"{where}: a choice question needs a wrong option"


@pytest.mark.parametrize("name", COURSE_BANKS)
def test_every_question_cites_its_source_and_teaches_in_both_languages(name):
    for q in _load(name)["questions"]:
        where = f"{name}/{q['id']}"
        assert q.get("source"), f"{where}: say where the answer is found (locator or row id)"
        for a in q["answers"]:
            for lang in ("en", "ru"):
                text = a["feedback"][lang].strip()
                assert len(text) >= 4, f"{where}: feedback in {lang} should explain, not just mark"
        assert q["question"]["en"] != q["question"]["ru"], f"{where}: the Russian text is missing"


@pytest.mark.parametrize("name", COURSE_BANKS)
def test_correct_answers_grade_as_correct(name):
    """The Quiz widget's own grader accepts the keyed answer (skipped if the grader is absent)."""
    grade = pytest.importorskip("dcteach.quiz").grade_answer
    for q in _load(name)["questions"]:
        right = _correct(q)
        if q["type"] == "multiple_choice":
            answer = q["answers"].index(right[0])
        elif q["type"] == "many_choice":
            answer = [i for i, a in enumerate(q["answers"]) if a["correct"]]
        elif q["type"] == "numeric":
            answer = next(a["value"] for a in right if "value" in a)
        else:
            answer = right[0]["accept"]["en"][0]
        ok, feedback = grade(q, answer, lang="en")
        assert ok, f"{name}/{q['id']}: keyed answer {answer!r} graded wrong ({feedback})"
