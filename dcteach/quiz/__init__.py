"""Quiz banks as data: load and validate them, grade one answer (pure functions).

A bank is a JSON file checked against ``dcteach/quiz/schema.json`` (shaped like
jupyterquiz's: ``multiple_choice``, ``many_choice``, ``numeric``, ``string``;
every text in English and Russian). Banks shipped with dcteach live in
``dcteach/quiz/banks/<name>.json``; :func:`load_bank` takes such a name or a path.
The widget is :class:`dcteach.widgets.Quiz`.

Examples
--------
>>> bank = load_bank("example")
>>> q = bank["questions"][0]
>>> q["type"]
'multiple_choice'
>>> grade_answer(q, 1, lang="en")
(True, '✔ Correct — strategy, legal basis, management structure and ICT infrastructure (l. 63).')
>>> grade_answer(q, 0, lang="ru")[0]
False
>>> grade_answer(bank["questions"][4], "  bessel ", lang="en")[0]
True
"""

from __future__ import annotations

from dcteach.quiz._bank import (
    BANKS_DIR,
    SCHEMA_PATH,
    QuizBankError,
    list_banks,
    load_bank,
    validate_bank,
)
from dcteach.quiz._grade import grade_answer, parse_number

__all__ = [
    "BANKS_DIR",
    "SCHEMA_PATH",
    "QuizBankError",
    "grade_answer",
    "list_banks",
    "load_bank",
    "parse_number",
    "validate_bank",
]
