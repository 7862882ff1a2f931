"""Student versions of banks: everything a student needs, no answer key.

A lecturer bank (``exercises/banks/exNN.json`` or ``pNN.json``) becomes a
student bank at release (``dcteach exercises release``):

* each checker keeps what the prompt states anyway (type, dataset, id column,
  ``call``, options) and replaces the key (``answer``, ``accept``, ``value``,
  and the query ``where`` / ``ordered_by`` / ``unique`` that computes a data
  answer) by salted hashes of its canonical form, computed from the data now
  (release again when the data change);
* the feedback shown for a correct answer (it often restates the answer) is
  sealed: only the right answer decrypts it;
* ``model_answer``, ``marking_notes``, ``solution`` and the rubric's level
  descriptors stay with the lecturer; the rubric's criteria and points stay
  (students should know what they are marked on).

Quiz banks (``dcteach/quiz/banks``) get the same treatment: per-option
``correct`` flags become one salted hash of the set of right options, and
every option's feedback is sealed by the choice that shows it.

>>> bank = student_bank(load_bank("ex03"))
>>> bank["release"]["student"], "answer" in bank["questions"][2]["checker"]
(True, False)
>>> any(s in json.dumps(bank) for s in lecturer_secrets(load_bank("ex03")))
False
"""

from __future__ import annotations

import copy
import json
import re

from dcteach.exercises._bank import load_bank
from dcteach.exercises._checkers import (
    _salt,
    accepted_canonicals,
    expected_key,
    seal,
    student_checker,
)

__all__ = ["lecturer_secrets", "student_bank", "student_quiz_bank"]

#: question fields that only the lecturer keeps
LECTURER_ONLY = ("model_answer", "marking_notes", "solution")
STUDENT_BANK_VERSION = 1


def _student_question(bank_id: str, question: dict) -> dict:
    q = {k: copy.deepcopy(v) for k, v in question.items() if k not in LECTURER_ONLY and k != "checker"}
    spec = question["checker"]
    salt = _salt(f"{bank_id}:{question['id']}")
    q["checker"] = student_checker(spec, salt=salt)
    if spec["type"] == "open":
        q["checker"]["rubric"] = [{k: copy.deepcopy(v) for k, v in item.items() if k in ("id", "points", "criterion")}
                                  for item in spec["rubric"]]
    else:
        correct = q["feedback"].pop("correct")
        if spec["type"] == "parts":  # sealed for the one combination of right parts, if there is one
            options = [accepted_canonicals(part) for part in spec["parts"]]
            canonicals = [[o[0] for o in options]] if all(len(o) == 1 for o in options) else []
        else:
            canonicals = accepted_canonicals(spec)
        q["feedback"]["correct_sealed"] = [seal(salt, c, correct) for c in canonicals]
    return q


def student_bank(bank: dict) -> dict:
    """The student version of a lecturer bank (a new dict; the lecturer bank is not changed)."""
    out = {k: copy.deepcopy(v) for k, v in bank.items() if k not in ("questions", "$schema")}
    out["release"] = {"student": True, "version": STUDENT_BANK_VERSION,
                      "note": "made by 'dcteach exercises release' from the lecturer bank; do not edit"}
    out["questions"] = [_student_question(bank["id"], q) for q in bank["questions"]]
    return out


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def lecturer_secrets(bank: dict) -> list[str]:
    """Texts that must never appear in what a student receives, for one lecturer bank.

    The serialised keys (``"answer": "b"``, computed id lists and values, the
    queries), accepted texts, model answers, marking notes, solutions and the
    rubric's level descriptors.
    """
    secrets: list[str] = []
    for q in bank["questions"]:
        spec = q["checker"]
        for field in ("answer", "where", "ordered_by", "unique", "accept", "value"):
            if field in spec:
                secrets.append(f'"{field}": {json.dumps(spec[field], ensure_ascii=False)}')
        for field in LECTURER_ONLY:
            secrets += [s for s in _strings(q.get(field)) if len(s) >= 12]
        for item in spec.get("rubric", []):
            secrets += [s for level in item.get("levels", []) for s in _strings(level.get("descriptor"))
                        if len(s) >= 12]
        if spec["type"] != "open":  # an open task's "correct" text is a thank-you, not a key
            secrets += [s for s in _strings(q["feedback"].get("correct")) if len(s) >= 12]
        if spec["type"] in ("ids", "mapping", "value", "count") and "where" in spec:
            key = expected_key(spec)
            if isinstance(key, list) and len(key) > 1:
                secrets.append(json.dumps(key, ensure_ascii=False))
            elif isinstance(key, dict):
                secrets.append(json.dumps(key, ensure_ascii=False, sort_keys=True))
        if spec["type"] == "text":
            secrets += [a for a in spec["accept"] if len(a) >= 4]
    return list(dict.fromkeys(secrets))


# ---- quiz banks --------------------------------------------------------------------------------

def student_quiz_bank(bank: dict) -> dict:
    """The student version of a quiz bank: no plain ``correct`` flags, accepted texts or values.

    :func:`dcteach.quiz.grade_answer` reads both forms and gives the same feedback.
    """
    from dcteach.quiz._grade import _norm, _step, numeric_cells

    out = {k: copy.deepcopy(v) for k, v in bank.items() if k not in ("questions", "$schema")}
    out["release"] = {"student": True, "version": STUDENT_BANK_VERSION}
    questions = []
    for q in bank["questions"]:
        salt = _salt(f"quiz:{bank.get('id', '')}:{q['id']}")
        new = {k: copy.deepcopy(v) for k, v in q.items() if k not in ("answers",)}
        new["salt"] = salt
        answers = []
        if q["type"] in ("multiple_choice", "many_choice"):
            right = sorted(i for i, a in enumerate(q["answers"]) if a["correct"])
            new["key_hash"] = seal_hash(salt, right if q["type"] == "many_choice" else right[0])
            for i, a in enumerate(q["answers"]):
                answers.append({"answer": a["answer"], "feedback_sealed": seal(salt, ["option", i], a["feedback"])})
        else:
            for a in q["answers"]:
                step = None
                if q["type"] == "numeric":
                    tolerance = a.get("tolerance", q.get("tolerance", 0))
                    keys = [["n", c] for c in numeric_cells(a, tolerance)]
                    step = _step(a, tolerance)
                else:
                    keys = [["s", _norm(t)] for texts in a["accept"].values() for t in texts]
                answers.append({
                    "hashes": sorted({seal_hash(salt, k) for k in keys}),
                    "step": step,
                    "sealed": {seal_hash(salt, k): seal(salt, k, {"correct": a["correct"], "feedback": a["feedback"]})
                               for k in keys},
                })
        new["answers"] = answers
        questions.append(new)
    out["questions"] = questions
    return out


def seal_hash(salt: str, canonical) -> str:
    """The salted hash used by student quiz banks (same as the exercises')."""
    from dcteach.exercises._checkers import _digest

    return _digest(salt, canonical)


def quiz_secrets(bank: dict) -> list[str]:
    """Feedback texts and accepted strings of a quiz bank (must not ship in plain text)."""
    secrets = []
    for q in bank["questions"]:
        for a in q["answers"]:
            secrets += [s for s in _strings(a.get("feedback")) if len(s) >= 12]
            secrets += [t for texts in (a.get("accept") or {}).values() for t in texts if len(t) >= 4
                        and not re.fullmatch(r"[\d\s.,]+", t)]
    return list(dict.fromkeys(secrets))

