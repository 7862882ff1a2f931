"""One judge: the self-check and the grader give the same verdict on the same value.

Every question of every bank in ``exercises/banks`` (exercises and practice
banks, whatever the content lanes add) is judged twice for each of a right,
a wrong, an empty, a wrong-type and a Russian answer: by ``ex.qN.check`` on the
*student* bank (keys as salted hashes, as students receive it) and by the
grader's judge on the *lecturer* bank (keys computed from the data). The
outcomes must be equal. Partial credit, Russian labels and the reported
disagreements (ex04 q3, a set for an ordered list) have their own tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dcteach import data
from dcteach.exercises import _checkers
from dcteach.exercises._bank import bank_paths, load_bank, validate_bank
from dcteach.exercises._student import lecturer_secrets, student_bank
from dcteach.exercises.check import Exercise

REPO = Path(__file__).resolve().parent.parent
LECTURER = {p.stem: p for p in sorted((REPO / "exercises" / "banks").glob("*.json"))}
ITEMS = [(bank_id, q["id"]) for bank_id in LECTURER for q in json.loads(LECTURER[bank_id].read_text("utf-8"))["questions"]]


def _lecturer(bank_id: str) -> dict:
    return json.loads(LECTURER[bank_id].read_text("utf-8"))


def _right(spec: dict):
    key = _checkers.expected_key(spec) if spec["type"] != "open" else None
    kind = spec["type"]
    if kind == "ids":
        return list(key) if spec.get("ordered_by") else set(key)
    if kind in ("count", "value", "choice", "number"):
        return key
    if kind == "mapping":
        return dict(key)
    if kind == "text":
        return spec["accept"][0]
    if kind == "open":
        return "word " * (spec["min_words"] + 1)
    raise AssertionError(kind)


def _wrong(spec: dict):
    kind = spec["type"]
    if kind == "ids":
        return ["NOPE-1"]
    if kind == "count":
        return 10_000
    if kind == "value":
        return "surely not this"
    if kind == "mapping":
        return {"nothing": 1}
    if kind == "choice":
        return next(o for o in spec["options"] if o != spec["answer"])
    if kind == "number":
        return float(spec["value"]) + 1000
    if kind == "text":
        return "surely not this"
    return "too short"


def _as_function(value):
    return lambda *frames: value


def _answers(spec: dict) -> dict:
    answers = {"right": _right(spec), "wrong": _wrong(spec), "empty": ..., "blank": "  ",
               "wrong type": object(), "russian": "Брюссель"}
    if spec["type"] == "mapping":
        from dcteach.exercises._checkers import _label_codes

        ru = {code: label for label, code in _label_codes(spec["dataset"], spec["by"]).items()
              if any("а" <= ch <= "я" for ch in label)}
        answers["russian"] = {ru.get(k, k): v for k, v in _checkers.expected_key(spec).items()}
    if spec.get("call"):
        answers = {name: (_as_function(value) if name not in ("empty", "blank") else value)
                   for name, value in answers.items()}
        answers["a value, not a function"] = _right(spec)
    return answers


@pytest.mark.parametrize("bank_id, qid", ITEMS)
def test_self_check_and_grader_agree(bank_id, qid):
    lecturer = _lecturer(bank_id)
    spec = next(q for q in lecturer["questions"] if q["id"] == qid)
    student = Exercise(student_bank(lecturer), lang="en")
    shipped = getattr(student, qid)._spec["checker"]
    assert not {"where", "ordered_by", "unique", "answer", "accept", "value"} & set(shipped)
    for name, answer in _answers(spec["checker"]).items():
        grader = _checkers.check(spec["checker"], answer)
        self_check = getattr(student, qid).check(answer)
        assert self_check.outcome.value == grader.outcome, (bank_id, qid, name, self_check.message, grader)
        if name == "right":
            assert grader.outcome in ("correct", "submitted"), (bank_id, qid, grader)
            assert grader.score == 1.0 or spec["kind"] == "open"
        if name in ("empty", "blank"):
            assert grader.outcome == "not_attempted"
        if name in ("wrong", "wrong type", "a value, not a function") and spec["kind"] != "open":
            assert grader.outcome == "incorrect"


def _labels(spec: dict, lang: str) -> dict[str, str]:
    """``{code: label}`` of the enum column a mapping spec counts by."""
    fields = data._resource(spec["dataset"])["schema"]["fields"]
    return data.enum_labels(next(f for f in fields if f["name"] == spec["by"]), lang)


def test_the_correct_feedback_opens_only_for_the_right_answer():
    lecturer = _lecturer("ex01")
    student = Exercise(student_bank(lecturer), lang="en")
    spec = lecturer["questions"][2]["checker"]
    key = _checkers.expected_key(spec)  # body -> count, computed from the data
    secret = "rows each for the Policy Commission"
    assert secret in lecturer["questions"][2]["feedback"]["correct"]["en"]
    labels = _labels(spec, "en")
    right = student.q3.check({labels[code].upper(): n for code, n in key.items()})  # English labels, any case
    assert right.correct and secret in right.message
    off_by_one = dict(key, **{next(iter(key)): key[next(iter(key))] + 1})
    wrong = student.q3.check(off_by_one)
    assert not wrong.correct and secret not in wrong.message
    assert secret not in json.dumps(student._bank["questions"][2], ensure_ascii=False)
    assert json.dumps(key) not in json.dumps(student._bank["questions"][2])


def _place_bank() -> dict:
    """A one-question lecturer bank (ex01's schema) asking for a place, Russian spelling accepted."""
    bank = {k: v for k, v in _lecturer("ex01").items() if k != "questions"}
    question = {k: v for k, v in _lecturer("ex01")["questions"][1].items() if k != "checker"}
    question.update({
        "id": "q1", "number": "1.1",
        "title": {"en": "Where the 7th session met", "ru": "Где прошла 7-я сессия"},
        "prompt": {"en": "In which city did the CBC's 7th session (EV-07) meet? Read `place`.",
                   "ru": "В каком городе прошла 7-я сессия КНП (EV-07)? Смотрите `place`."},
        "checker": {"type": "value", "dataset": "events", "where": {"id": "EV-07"}, "column": "place",
                    "accept": ["Брюссель"]},
    })
    bank["questions"] = [question]
    return validate_bank(bank, where="inline place bank")


def test_russian_labels_and_places_are_accepted_and_the_question_says_so():
    ex04 = Exercise(load_bank("ex04"), lang="en")
    spec = _lecturer("ex04")["questions"][1]["checker"]
    key = _checkers.expected_key(spec)  # group -> count of unsourced instruments, from the data
    ru, en = _labels(spec, "ru"), _labels(spec, "en")
    assert all(ru[code] != code for code in key)
    assert ex04.q2.check({ru[code]: n for code, n in key.items()}).correct
    assert ex04.q2.check({en[code]: n for code, n in key.items()}).correct
    assert not ex04.q2.check({ru[code]: n + 1 for code, n in key.items()}).correct
    assert "English or in Russian" in ex04.q2.prompt()
    for bank in (_place_bank(), student_bank(_place_bank())):
        places = Exercise(bank, lang="ru")
        assert places.q1.check("Брюссель").correct and places.q1.check("Brussels").correct
        assert "по-русски" in places.q1.prompt()
        assert not places.q1.check("Bessel").correct


def test_ex04_q3_hard_coded_list_is_not_correct_in_the_self_check():
    feedback = Exercise(load_bank("ex04")).q3.check(["INS-01"])
    assert not feedback and "Expected a function" in feedback.message


def test_a_set_for_an_ordered_list_says_why():
    feedback = Exercise(load_bank("ex01")).q1.check({"EV-01"})
    assert "a set has no order" in feedback.message and "Expected a list or set" not in feedback.message


def test_partial_credit_for_sets_is_right_minus_wrong():
    spec = {"type": "ids", "dataset": "instruments", "where": {}}
    key = _checkers.expected_key(spec)
    ten_of_eleven = {"type": "ids", "dataset": "instruments", "where": {"id": {"in": key[:11]}}}
    assert _checkers.check(ten_of_eleven, key[:10]).score == pytest.approx(10 / 11)
    assert _checkers.check(ten_of_eleven, key[:10] + key[12:13]).score == pytest.approx(9 / 11)
    assert _checkers.check(ten_of_eleven, key).score == 0.0  # guessing everything earns nothing


def test_partial_credit_for_ordered_lists_and_mappings():
    spec = _lecturer("ex01")["questions"][0]["checker"]
    key = _checkers.expected_key(spec)
    swapped = [key[1], key[0], *key[2:]]
    verdict = _checkers.check(spec, swapped)
    assert verdict.outcome == "incorrect" and verdict.score == pytest.approx((len(key) - 1) / len(key))
    mapping = _lecturer("ex04")["questions"][1]["checker"]
    counts = _checkers.expected_key(mapping)
    assert len(counts) >= 2
    one_off = dict(counts, **{sorted(counts)[0]: counts[sorted(counts)[0]] + 1})
    verdict = _checkers.check(mapping, one_off)
    assert verdict.outcome == "incorrect" and verdict.score == pytest.approx((len(counts) - 1) / len(counts))


def test_multi_part_items_score_per_part():
    spec = {"type": "parts", "parts": [{"type": "number", "value": 13}, {"type": "choice", "answer": "b",
                                        "options": {"a": {"en": "x", "ru": "x"}, "b": {"en": "y", "ru": "y"}}}]}
    assert _checkers.check(spec, (13, "b")).outcome == "correct"
    assert _checkers.check(spec, (13, "a")).score == pytest.approx(0.5)
    student = _checkers.student_checker(spec, salt="s")
    assert _checkers.check(student, (13, "b")).outcome == "correct" and '"value"' not in json.dumps(student)


def test_student_banks_hold_no_key():
    for bank_id in LECTURER:
        lecturer = _lecturer(bank_id)
        text = json.dumps(student_bank(lecturer), ensure_ascii=False)
        leaked = [s for s in lecturer_secrets(lecturer) if s in text or s in json.dumps(student_bank(lecturer))]
        assert not leaked, (bank_id, leaked)
        for field in ("model_answer", "marking_notes", "solution", '"levels"', '"where"', '"ordered_by"'):
            assert field not in text, (bank_id, field)


def test_every_bank_in_the_folder_can_be_loaded_and_released():
    assert set(LECTURER) <= set(bank_paths())
    for bank_id in LECTURER:
        assert student_bank(_lecturer(bank_id))["release"]["student"] is True


def _quiz_candidates(question: dict) -> list:
    import itertools

    n = len(question["answers"])
    if question["type"] == "multiple_choice":
        return [*range(n), None, -1]
    if question["type"] == "many_choice":
        return [list(c) for r in range(n + 1) for c in itertools.combinations(range(n), r)]
    if question["type"] == "numeric":
        values = [a.get("value", (a.get("range") or [0, 0])[0]) for a in question["answers"]]
        return [*values, *[v + 1000 for v in values], "", "abc", "3,5"]
    return [t for a in question["answers"] for texts in a["accept"].values() for t in texts] + ["", "nonsense"]


def test_student_quiz_banks_give_the_same_verdicts_without_plain_keys():
    from dcteach.exercises._student import quiz_secrets, student_quiz_bank
    from dcteach.quiz import grade_answer, list_banks, load_bank as load_quiz

    for name in list_banks():
        lecturer = load_quiz(name)
        if (lecturer.get("release") or {}).get("student"):
            continue
        student = student_quiz_bank(lecturer)
        text = json.dumps(student, ensure_ascii=False)
        assert '"correct"' not in text and not [s for s in quiz_secrets(lecturer) if s in text], name
        for plain, hashed in zip(lecturer["questions"], student["questions"]):
            for answer in _quiz_candidates(plain):
                for lang in ("en", "ru"):
                    expected = grade_answer(plain, answer, lang=lang)
                    got = grade_answer(hashed, answer, lang=lang)
                    assert got[0] == expected[0], (name, plain["id"], answer)
                    if plain["type"] != "many_choice" or expected[0]:
                        assert got == expected, (name, plain["id"], answer)
