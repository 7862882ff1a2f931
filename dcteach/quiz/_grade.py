"""Grade one answer to one question (pure; no widgets)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from dcteach.i18n import _, ngettext, resolve_lang

__all__ = ["grade_answer", "numeric_cells", "parse_number"]

#: a numeric tolerance (or range) is checked on a grid of this many steps, so it can be hashed
_STEPS = 10


def parse_number(text) -> float | None:
    """Read a number typed by a student (``"3,5"`` and ``"1 000"`` accepted); ``None`` if not one.

    >>> parse_number("3,5"), parse_number(" 2016 "), parse_number("1 000"), parse_number("abc")
    (3.5, 2016.0, 1000.0, None)
    """
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        return float(text) if math.isfinite(text) else None
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", str(text)).replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _verdict(correct: bool, feedback: str, lang: str) -> tuple[bool, str]:
    key = "quiz.correct" if correct else "quiz.incorrect"
    return correct, _(key, lang, feedback=feedback)


def numeric_cells(entry: dict, tolerance: float) -> list:
    """Grid cells a numeric answer entry accepts (what a student bank hashes).

    >>> numeric_cells({"value": 7}, 0)
    ['7.0']
    >>> len(numeric_cells({"value": 7}, 0.5)), numeric_cells({"range": [1, 2]}, 0)[:2]
    (21, [10, 11])
    """
    step = _step(entry, tolerance)
    if step is None:
        return [repr(float(entry["value"]))]
    if "value" in entry:
        centre = round(entry["value"] / step)
        return [centre + k for k in range(-_STEPS, _STEPS + 1)]
    low, high = entry["range"]
    return list(range(round(low / step), round(high / step) + 1))


def _step(entry: dict, tolerance: float):
    if "range" in entry:
        low, high = entry["range"]
        return (high - low) / _STEPS if high > low else None
    return tolerance / _STEPS if tolerance > 0 else None


def _cell(value: float, step):
    return repr(float(value)) if step is None else round(value / step)


def _sealed_student(question: dict, answer, lang: str) -> tuple[bool, str]:
    """Grade against a student quiz bank (hashes and sealed feedback, see dcteach.exercises._student)."""
    from dcteach.exercises._checkers import _digest, unseal

    salt = question["salt"]
    kind = question["type"]
    if kind in ("multiple_choice", "many_choice"):
        answers = question["answers"]
        if kind == "multiple_choice":
            if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer < len(answers):
                return False, _("quiz.not_attempted", lang)
            picked = [answer]
            key = answer
        else:
            picked = sorted(set(answer)) if isinstance(answer, Iterable) and not isinstance(answer, str) else []
            picked = [i for i in picked if isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(answers)]
            if not picked:
                return False, _("quiz.not_attempted", lang)
            key = picked
        correct = _digest(salt, key) == question["key_hash"]
        texts = [unseal(salt, ["option", i], answers[i]["feedback_sealed"]) or {} for i in picked]
        if correct or kind == "multiple_choice":
            return _verdict(correct, " ".join(t.get(lang, "") for t in texts), lang)
        # many_choice, not right: the feedback of a wrong pick if one says it is wrong, else "missing"
        return _verdict(False, texts[0].get(lang, "") if len(texts) == 1 else
                        ngettext("quiz.missing_choices", 1, lang), lang)
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return False, _("quiz.not_attempted", lang)
    if kind == "numeric":
        value = parse_number(answer)
        if value is None:
            return False, _("quiz.not_a_number", lang, answer=answer)
        keys = [["n", _cell(value, entry.get("step"))] for entry in question["answers"]]
    else:
        keys = [["s", _norm(answer)]] * len(question["answers"])
    for entry, key in zip(question["answers"], keys):
        digest = _digest(salt, key)
        if digest in entry["hashes"]:
            opened = unseal(salt, key, entry["sealed"][digest]) or {}
            return _verdict(bool(opened.get("correct")), opened.get("feedback", {}).get(lang, ""), lang)
    return _default(question, lang)


def _choice(question: dict, answer, lang: str) -> tuple[bool, str]:
    answers = question["answers"]
    if question["type"] == "multiple_choice":
        if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer < len(answers):
            return False, _("quiz.not_attempted", lang)
        chosen = answers[answer]
        return _verdict(bool(chosen["correct"]), chosen["feedback"][lang], lang)
    picked = sorted(set(answer)) if isinstance(answer, Iterable) and not isinstance(answer, str) else []
    picked = [i for i in picked if isinstance(i, int) and 0 <= i < len(answers)]
    if not picked:
        return False, _("quiz.not_attempted", lang)
    wrong = [i for i in picked if not answers[i]["correct"]]
    missing = [i for i, a in enumerate(answers) if a["correct"] and i not in picked]
    if wrong:
        return _verdict(False, answers[wrong[0]]["feedback"][lang], lang)
    if missing:
        return _verdict(False, ngettext("quiz.missing_choices", len(missing), lang), lang)
    return _verdict(True, " ".join(answers[i]["feedback"][lang] for i in picked), lang)


def _numeric(question: dict, answer, lang: str) -> tuple[bool, str]:
    value = parse_number(answer)
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return False, _("quiz.not_attempted", lang)
    if value is None:
        return False, _("quiz.not_a_number", lang, answer=answer)
    default_tol = question.get("tolerance", 0)
    for a in question["answers"]:
        if "value" in a:
            hit = abs(value - a["value"]) <= a.get("tolerance", default_tol) + 1e-12
        else:
            low, high = a["range"]
            hit = low <= value <= high
        if hit:
            return _verdict(bool(a["correct"]), a["feedback"][lang], lang)
    return _default(question, lang)


def _string(question: dict, answer, lang: str) -> tuple[bool, str]:
    if answer is None or not str(answer).strip():
        return False, _("quiz.not_attempted", lang)
    given = _norm(answer)
    for a in question["answers"]:
        accepted = {_norm(t) for texts in a["accept"].values() for t in texts}
        if given in accepted:
            return _verdict(bool(a["correct"]), a["feedback"][lang], lang)
    return _default(question, lang)


def _default(question: dict, lang: str) -> tuple[bool, str]:
    fb = question.get("default_feedback", {}).get(lang) or _("quiz.default_feedback", lang)
    return _verdict(False, fb, lang)


_GRADERS = {
    "multiple_choice": _choice,
    "many_choice": _choice,
    "numeric": _numeric,
    "string": _string,
}


def grade_answer(question: dict, answer, *, lang: str | None = None) -> tuple[bool, str]:
    """Grade ``answer`` to one validated ``question``; return ``(correct, feedback)``.

    Parameters
    ----------
    question : dict
        One item of a bank's ``questions`` (see :func:`dcteach.quiz.load_bank`).
    answer
        ``multiple_choice``: the index of the chosen answer (0-based);
        ``many_choice``: an iterable of indices; ``numeric``: a number or the text
        typed (``"3,5"`` works); ``string``: the text typed (case and spacing are
        ignored; English or Russian accepted). ``None`` or empty: not attempted.
    lang : {"en", "ru"}, optional
        Language of the feedback; default ``$DCTEACH_LANG`` or English.

    Returns
    -------
    (bool, str)
        Whether it is correct, and the feedback sentence to show
        (``"✔ Correct — …"`` / ``"✘ Not yet — …"``).

    Examples
    --------
    >>> q = {"id": "q", "type": "numeric", "tolerance": 0.5,
    ...      "question": {"en": "?", "ru": "?"},
    ...      "answers": [{"value": 7, "correct": True, "feedback": {"en": "Seven.", "ru": "Семь."}}]}
    >>> grade_answer(q, "7,3", lang="ru")
    (True, '✔ Верно — Семь.')
    >>> grade_answer(q, 9, lang="en")
    (False, '✘ Not yet — Compare your answer with the source and try again.')
    >>> grade_answer(q, "", lang="en")
    (False, 'No answer yet.')
    """
    lang = resolve_lang(lang)
    if "salt" in question:  # a student bank: keys are hashed
        return _sealed_student(question, answer, lang)
    return _GRADERS[question["type"]](question, answer, lang)
