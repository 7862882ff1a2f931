"""Self-checks: three outcomes in English and Russian, hints, solutions, banks as data."""

from __future__ import annotations

import copy
import json

import pytest

import dcteach
import dcteach.exercises as dx
from dcteach._errors import UsageError
from dcteach.exercises import _bank, _checkers
from dcteach.exercises._bank import BankError, load_bank, validate_bank

def expected_ids():
    ins = dcteach.load_dataset("instruments")
    return set(ins.loc[(ins["group"] == "operational") & ins["document_source_id"].notna(), "id"])


@pytest.fixture
def q1():
    return dx.load("ex04").q1


@pytest.mark.parametrize("lang, prefix", [("en", "✔ Correct — 4.1."), ("ru", "✔ Верно — 4.1.")])
def test_correct(q1, lang, prefix):
    feedback = q1.check(expected_ids(), lang=lang)
    assert feedback.outcome is dx.Outcome.CORRECT and feedback.correct and bool(feedback)
    assert str(feedback).startswith(prefix)


@pytest.mark.parametrize("lang, prefix, hint", [("en", "✘ Not yet — 4.1.", "ex.q1.hint()"),
                                                ("ru", "✘ Пока нет — 4.1.", "ex.q1.hint()")])
def test_incorrect_says_what_is_wrong_without_giving_the_answer(q1, lang, prefix, hint):
    answer = sorted(expected_ids())[1:] + ["INS-SP"]
    feedback = q1.check(answer, lang=lang)
    assert feedback.outcome is dx.Outcome.INCORRECT and not feedback
    assert feedback.message.startswith(prefix) and hint in feedback.message
    assert "INS-SP" in feedback.message  # the student's own wrong id is named
    assert sorted(expected_ids())[0] not in feedback.message  # the missing one is not revealed


@pytest.mark.parametrize("answer", [None, ..., "   "])
@pytest.mark.parametrize("lang, prefix", [("en", "○ Not attempted — 4.1."), ("ru", "○ Нет ответа — 4.1.")])
def test_not_attempted(q1, answer, lang, prefix):
    feedback = q1.check(answer, lang=lang)
    assert feedback.outcome is dx.Outcome.NOT_ATTEMPTED and feedback.message.startswith(prefix)


def test_a_stub_function_is_not_attempted_and_a_broken_one_is_incorrect():
    q3 = dx.load("ex04").q3

    def stub(df):
        raise NotImplementedError("Exercise 4.3")

    def broken(df):
        return df["no such column"]

    assert q3.check(stub).outcome is dx.Outcome.NOT_ATTEMPTED
    feedback = q3.check(broken)
    assert feedback.outcome is dx.Outcome.INCORRECT and "KeyError" in feedback.message
    assert q3.check(lambda df: df.loc[df["abbreviation"].notna() & df["footnote"].isna(), "id"]).correct


def test_wrong_type_is_explained():
    feedback = dx.load("ex04").q1.check(42)
    assert "Expected a list or set of ids" in feedback.message and "type int" in feedback.message


def test_answers_can_be_dataframes_series_or_lists(q1):
    ins = dcteach.load_dataset("instruments")
    frame = ins[(ins["group"] == "operational") & ins["document_source_id"].notna()]
    assert q1.check(frame).correct and q1.check(frame["id"]).correct and q1.check(list(frame["id"])).correct


def test_typo_in_an_id_is_called_a_typo(q1):
    assert "not ids of the 'instruments' table: INS-XYZ" in q1.check(["INS-XYZ"]).message


def test_ordered_question_rejects_right_ids_in_the_wrong_order():
    q = dx.load("ex01").q1
    events = dcteach.load_dataset("events")
    ids = list(events[events["body"] == "capacity_building_committee"].sort_values("date_start")["id"])
    assert q.check(ids).correct
    assert "not in the requested order" in q.check(ids[::-1]).message


def test_mapping_value_choice_number_and_open_checkers():
    ex04, ex01, ex03 = dx.load("ex04"), dx.load("ex01"), dx.load("ex03")
    instruments = dcteach.load_dataset("instruments")
    assert ex04.q2.check(instruments.loc[instruments["footnote"].isna(), "group"].value_counts()).correct
    assert "The counts differ for: operational" in ex04.q2.check({"political_legal": 2, "operational": 3}).message
    place = {"type": "value", "dataset": "events", "where": {"id": "EV-07"}, "column": "place"}
    assert _checkers.check(place, "  brussels ").outcome == "correct"
    assert _checkers.check(place, "Bessel").outcome == "incorrect"
    assert ex01.q2.check(64).correct and ex01.q2.check(63).outcome is dx.Outcome.INCORRECT
    assert ex03.q3.check("A)").correct and "not one of the options" in ex03.q3.check("z").message
    count = dx.load("p00").q2
    assert count.check(6.0).correct and count.check(True).outcome is dx.Outcome.INCORRECT
    essay = dx.load("ex03").q4
    assert essay.check("too short").outcome is dx.Outcome.INCORRECT
    submitted = essay.check("word " * 90)
    assert submitted.outcome is dx.Outcome.SUBMITTED and bool(submitted) and not submitted.correct
    assert "rubric" in submitted.message


def test_the_key_follows_a_dataset_correction(q1, monkeypatch):
    real = dcteach.load_dataset
    before = expected_ids()

    def corrected(name, **kwargs):
        frame = real(name, **kwargs)
        if name == "instruments":
            frame = frame.copy()
            frame.loc[frame["id"] == "INS-DEMAT", "document_source_id"] = "SRC-99"
        return frame

    monkeypatch.setattr(dcteach, "load_dataset", corrected)
    assert q1.check(before | {"INS-DEMAT"}).correct
    assert not q1.check(before).correct


def test_grade_raises_named_errors():
    q = dx.load("p00").q2
    with pytest.raises(dx.NotAttempted):
        q.grade(...)
    with pytest.raises(dx.IncorrectAnswer, match="Not yet"):
        q.grade(5)
    assert q.grade(6).correct


def test_output_is_deterministic(q1):
    first = [str(q1.check(a)) for a in (None, ["INS-SP", "INS-XX"], expected_ids())]
    second = [str(dx.load("ex04").q1.check(a)) for a in (None, ["INS-XX", "INS-SP"], expected_ids())]
    assert first == second
    assert all("0x" not in text for text in first)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_hints(q1, lang):
    assert q1.hint(lang=lang).startswith({"en": "Hint 1 of 2 — 4.1:", "ru": "Подсказка 1 из 2 — 4.1:"}[lang])
    assert q1.hint(2, lang=lang) != q1.hint(1, lang=lang)
    assert "2" in q1.hint(3, lang=lang) and repr(q1.hint(3)) == str(q1.hint(3))


def test_solution_only_where_the_lecturer_enables_it(q1, monkeypatch, tmp_path):
    monkeypatch.delenv("DCTEACH_SOLUTIONS", raising=False)
    assert "not enabled here" in q1.solution() and "notna()" not in q1.solution()
    monkeypatch.setenv("DCTEACH_SOLUTIONS", "1")
    assert 'ins["document_source_id"].notna()' in q1.solution()
    banks = tmp_path / "banks"
    banks.mkdir()
    (banks / "ex04.json").write_text(json.dumps(load_bank("ex04")), "utf-8")
    monkeypatch.setattr(_bank, "_CHECKOUT", tmp_path / "nowhere")
    monkeypatch.setattr(_bank, "_PACKAGE", tmp_path / "nowhere")
    monkeypatch.setenv("DCTEACH_EXERCISES", str(tmp_path))
    text = dx.load("ex04").q1.solution()
    assert text.startswith("The solution to 4.1 is kept by your lecturer")
    assert "Решение задания 4.1 хранится у преподавателя" in dx.load("ex04").q1.solution(lang="ru")


def test_default_language_comes_from_the_setting(monkeypatch):
    monkeypatch.setenv("DCTEACH_LANG", "ru")
    assert dx.load("ex02").q2.check(None).message.startswith("○ Нет ответа")


def test_unknown_exercise_question_and_language():
    with pytest.raises(UsageError, match="available: ex01"):
        dx.load("ex77")
    with pytest.raises(AttributeError, match="its questions are q1, q2"):
        dx.load("ex04").q9
    with pytest.raises(UsageError, match="unsupported language 'fr'; supported languages: 'en', 'ru'"):
        dx.load("ex04", lang="fr")


def test_every_bank_is_valid_and_every_data_checker_runs():
    for exercise in dx.list_exercises():
        bank = load_bank(exercise, validate=True)
        for q in bank["questions"]:
            spec = q["checker"]
            if "dataset" in spec:
                assert spec["dataset"] in dcteach.list_datasets(), (exercise, q["id"])
                _checkers.CHECKERS[spec["type"]](spec, ["x"] if spec["type"] == "ids" else {} if
                                                 spec["type"] == "mapping" else 0)


def test_schema_rejects_a_bad_bank_with_a_located_message():
    bank = copy.deepcopy(load_bank("ex04"))
    del bank["questions"][1]["hints"]
    with pytest.raises(BankError, match="questions/1: 'hints' is a required property"):
        validate_bank(bank, where="ex04.json")
    bank = copy.deepcopy(load_bank("ex04"))
    bank["questions"][0]["prompt"] = {"en": "English only"}
    with pytest.raises(BankError, match="'ru' is a required property"):
        validate_bank(bank)
    bank = copy.deepcopy(load_bank("ex04"))
    bank["questions"][1]["id"] = "q1"
    with pytest.raises(BankError, match="'q1' is used twice"):
        validate_bank(bank)


def test_bank_strings_cannot_reach_python_objects():
    assert _bank.render("{n.__class__} {n}", n=3) == "{n.__class__} 3"
