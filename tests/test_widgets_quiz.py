"""Quiz bank schema, grading and the Quiz widget (headless)."""

import copy
import json

import pytest

from dcteach.quiz import QuizBankError, grade_answer, list_banks, load_bank, validate_bank
from dcteach.widgets import Quiz


@pytest.fixture
def bank():
    return copy.deepcopy(load_bank("example"))


def _q(bank, qid):
    return next(q for q in bank["questions"] if q["id"] == qid)


@pytest.mark.parametrize("name", list_banks())
def test_every_shipped_bank_is_valid(name):
    bank = load_bank(name)
    assert bank["questions"]


def test_example_bank_has_every_question_type(bank):
    assert {q["type"] for q in bank["questions"]} == {
        "multiple_choice", "many_choice", "numeric", "string"}


# --- grading -------------------------------------------------------------------------

@pytest.mark.parametrize("lang, prefix_ok, prefix_no", [("en", "✔ Correct — ", "✘ Not yet — "),
                                                         ("ru", "✔ Верно — ", "✘ Пока нет — ")])
def test_multiple_choice(bank, lang, prefix_ok, prefix_no):
    q = _q(bank, "enablers-count")
    ok, text = grade_answer(q, 1, lang=lang)
    assert ok and text.startswith(prefix_ok) and q["answers"][1]["feedback"][lang] in text
    ok, text = grade_answer(q, 2, lang=lang)
    assert not ok and text.startswith(prefix_no) and q["answers"][2]["feedback"][lang] in text


def test_many_choice(bank):
    q = _q(bank, "enablers-which")
    assert grade_answer(q, [0, 2], lang="en")[0]
    assert grade_answer(q, (2, 0), lang="en")[0]
    ok, text = grade_answer(q, [0], lang="en")
    assert not ok and "1 more correct answer is missing" in text
    ok, text = grade_answer(q, [0, 1, 2], lang="en")
    assert not ok and "Working Group on E-Commerce" in text
    assert grade_answer(q, [], lang="ru") == (False, "Ответа пока нет.")


def test_numeric_value_range_default_and_garbage(bank):
    q = _q(bank, "cbc7-year")
    assert grade_answer(q, 2016, lang="en")[0]
    assert grade_answer(q, "2016", lang="en")[0]
    ok, text = grade_answer(q, "2018", lang="en")
    assert not ok and "9th session" in text
    ok, text = grade_answer(q, 1999, lang="en")
    assert not ok and "EV-07" in text
    ok, text = grade_answer(q, "two thousand", lang="en")
    assert not ok and "not a number" in text
    assert grade_answer(q, "", lang="en") == (False, "No answer yet.")


def test_numeric_tolerance_and_decimal_comma(bank):
    q = _q(bank, "priority-count")
    q["tolerance"] = 0.5
    assert grade_answer(q, "7,4", lang="ru") [0]
    assert not grade_answer(q, "7,6", lang="ru")[0]


def test_string_ignores_case_and_spacing_and_accepts_either_language(bank):
    q = _q(bank, "cbc7-place")
    assert grade_answer(q, "  BESSEL ", lang="en")[0]
    assert grade_answer(q, "бессель", lang="en")[0]
    assert grade_answer(q, "Bessel", lang="ru")[0]
    ok, text = grade_answer(q, "brussels", lang="en")
    assert not ok and "article's own wording" in text
    ok, text = grade_answer(q, "Paris", lang="ru")
    assert not ok and "place_as_written" in text


# --- bank validation -----------------------------------------------------------------

def test_unknown_bank_name_lists_shipped_banks():
    with pytest.raises(ValueError, match="example"):
        load_bank("no_such_bank")


def test_invalid_json_is_located(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"schema_version": 1,\n "title": }', encoding="utf-8")
    with pytest.raises(QuizBankError, match=r"broken\.json:2:\d+: not valid JSON"):
        load_bank(path)


def test_schema_errors_name_the_place(bank, tmp_path):
    del bank["questions"][1]["answers"][0]["feedback"]["ru"]
    bank["questions"][2]["type"] = "essay"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bank), encoding="utf-8")
    with pytest.raises(QuizBankError) as err:
        load_bank(str(path))
    msg = str(err.value)
    assert "bad.json" in msg
    assert "questions/1/answers/0/feedback: 'ru' is a required property" in msg
    assert "questions/2/type" in msg


def test_semantic_rules(bank):
    bank["questions"][0]["answers"][0]["correct"] = True
    bank["questions"][1]["id"] = bank["questions"][0]["id"]
    with pytest.raises(QuizBankError) as err:
        validate_bank(bank, "mine.json")
    assert "exactly one correct answer, found 2" in str(err.value)
    assert "the id is used twice" in str(err.value)


def test_numeric_answer_needs_value_or_range(bank):
    _q(bank, "cbc7-year")["answers"][0].pop("value")
    with pytest.raises(QuizBankError, match="questions/2/answers/0"):
        validate_bank(bank)


# --- widget --------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "ru"])
def test_quiz_widget_flow(lang):
    quiz = Quiz("example", lang=lang)
    assert quiz.lang == lang and quiz.total == 5 and quiz.score == 0
    score0 = {"en": "Score: 0 of 5", "ru": "Счёт: 0 из 5"}[lang]
    assert quiz.score_label.value == score0

    mc, many, year, count, place = quiz.items
    mc.control.value = 0                      # immediate feedback on a radio choice
    assert mc.correct is False and mc.feedback.value.startswith("✘")
    mc.control.value = 1
    assert mc.correct is True and mc.feedback.value.startswith("✔")

    many.control.children[1].value = True     # legal basis
    many.control.children[3].value = True     # ICT infrastructure
    many.check_button.click()
    assert many.correct is True

    year.control.value = "2016"               # Enter in a Text field checks
    count.control.value = "8"
    count.check_button.click()
    assert count.correct is False
    place.control.value = {"en": "Bessel", "ru": "Бессель"}[lang]

    assert quiz.score == 4
    assert quiz.results == {"enablers-count": True, "enablers-which": True, "cbc7-year": True,
                            "priority-count": False, "cbc7-place": True}
    assert quiz.score_label.value == {"en": "Score: 4 of 5", "ru": "Счёт: 4 из 5"}[lang]

    mc.control.value = 2                      # a changed answer changes the score
    assert quiz.score == 3


def test_quiz_widget_texts_are_in_the_language():
    ru = Quiz("example", lang="ru")
    assert ru.items[0].check_button.description == "Проверить"
    assert ru.items[0].control.description == "Ваш ответ"
    assert "Вопрос 1 из 5" in ru.items[0].children[0].value
    assert ru.items[0].control.options[1][0] == "Четыре"


def test_quiz_widget_unanswered_check_is_not_scored():
    quiz = Quiz("example", lang="en")
    quiz.items[2].check_button.click()
    assert quiz.items[2].feedback.value == "No answer yet."
    assert quiz.items[2].correct is None and quiz.results == {}


def test_quiz_from_path(tmp_path, bank):
    bank["questions"] = bank["questions"][:1]
    path = tmp_path / "one.json"
    path.write_text(json.dumps(bank), encoding="utf-8")
    assert Quiz(path, lang="en").total == 1


def test_every_control_has_an_accessible_label():
    import ipywidgets as w

    quiz = Quiz("example", lang="en")
    stack = [quiz]
    while stack:
        widget = stack.pop()
        stack.extend(getattr(widget, "children", ()))
        if isinstance(widget, (w.RadioButtons, w.Text, w.Checkbox, w.Button)):
            assert widget.description.strip(), widget
