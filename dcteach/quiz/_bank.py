"""Find, read and validate quiz banks; errors name the file and the place."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from dcteach._errors import DatasetError, UsageError
from dcteach._jsondoc import json_path, loads_located, read_user_text, schema_validator

if TYPE_CHECKING:
    import jsonschema

__all__ = ["BANKS_DIR", "SCHEMA_PATH", "QuizBankError", "list_banks", "load_bank", "validate_bank"]

_HERE = Path(__file__).resolve().parent
#: Folder of the banks shipped with dcteach (``<name>.json``).
BANKS_DIR = _HERE / "banks"
#: The JSON Schema every bank must pass.
SCHEMA_PATH = _HERE / "schema.json"


class QuizBankError(DatasetError):
    """A quiz bank file is unreadable or does not follow the schema."""


@functools.lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    # built on first use: a Quiz cell with a shipped bank never needs it
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema_validator(schema)


def list_banks() -> list[str]:
    """Names of the banks shipped with dcteach.

    >>> "example" in list_banks()
    True
    """
    return sorted(p.stem for p in BANKS_DIR.glob("*.json"))


def _semantic_problems(bank: dict) -> list[str]:
    """Rules the schema cannot say: unique ids, one correct choice, a correct answer."""
    problems, seen = [], set()
    for i, q in enumerate(bank["questions"]):
        where = f"questions/{i} (id {q['id']!r})"
        if q["id"] in seen:
            problems.append(f"{where}: the id is used twice; give each question its own id")
        seen.add(q["id"])
        n_correct = sum(bool(a["correct"]) for a in q["answers"])
        if q["type"] == "multiple_choice" and n_correct != 1:
            problems.append(
                f"{where}: a multiple_choice question needs exactly one correct answer, "
                f"found {n_correct}; use many_choice for several"
            )
        elif n_correct < 1:
            problems.append(f"{where}: no answer is marked \"correct\": true")
    return problems


def validate_bank(bank, source: str = "<bank>") -> dict:
    """Check a bank (already parsed JSON) and return it; raise :class:`QuizBankError`.

    The message names ``source``, the place in the file (a JSON path such as
    ``questions/2/answers/0``), what is wrong and how to fix it.

    >>> validate_bank({"schema_version": 1, "title": {"en": "t"}, "questions": []}, "mine.json")
    Traceback (most recent call last):
    ...
    dcteach.quiz._bank.QuizBankError: mine.json: not a valid quiz bank (see dcteach/quiz/schema.json):
      - questions: [] should be non-empty
      - title: 'ru' is a required property
    """
    if isinstance(bank, dict) and (bank.get("release") or {}).get("student"):
        # a student version made at release (keys hashed): see dcteach/exercises/_student.py
        if not isinstance(bank.get("questions"), list) or not bank["questions"]:
            raise QuizBankError(f"{source}: a student quiz bank without questions; release it again")
        return bank
    errors = sorted(_validator().iter_errors(bank), key=lambda e: (list(map(str, e.path)), e.message))
    problems = [f"{json_path(e.path)}: {e.message}" for e in errors[:20]]
    if not problems:
        problems = _semantic_problems(bank)
    if problems:
        raise QuizBankError(
            f"{source}: not a valid quiz bank (see dcteach/quiz/schema.json):\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
    return bank


def _check_shipped(bank, source: str) -> dict:
    """:func:`validate_bank` for a bank shipped with dcteach, without the JSON Schema pass
    while the bank passes the other checks (any problem: the full check, for a located message).

    >>> _check_shipped({"questions": [{"id": "q1", "type": "numeric"}]}, "mine.json")
    Traceback (most recent call last):
    ...
    dcteach.quiz._bank.QuizBankError: mine.json: not a valid quiz bank (see dcteach/quiz/schema.json):
      - (top level): 'schema_version' is a required property
    ...
    """
    if isinstance(bank, dict) and not (bank.get("release") or {}).get("student"):
        try:
            if bank["questions"] and not _semantic_problems(bank):
                return bank
        except (KeyError, TypeError, IndexError, AttributeError):
            pass
    return validate_bank(bank, source)


def _resolve(path_or_name) -> tuple[Path, bool]:
    """The bank's path, and whether it was given by name (a bank shipped with dcteach)."""
    text = os.fspath(path_or_name)
    looks_like_name = not (
        text.endswith(".json") or os.sep in text or "/" in text or Path(text).exists()
    )
    if looks_like_name:
        path = BANKS_DIR / f"{text}.json"
        if not path.is_file():
            raise UsageError(
                f"no quiz bank named {text!r}; shipped banks: {', '.join(list_banks())} "
                "(or give the path of a .json file)"
            )
        return path, True
    return Path(text), False


def load_bank(path_or_name) -> dict:
    """Read and validate a bank given by name (``"example"``) or path.

    A bank given by path is checked in full (JSON Schema, then the rules a
    schema cannot state). A bank shipped with dcteach, given by name (what a
    notebook's Quiz does), gets the second check only, and the full one as
    soon as that finds anything wrong: the test suite validates every shipped bank against the
    schema (``tests/test_quiz_banks.py``), and importing jsonschema would
    cost every Quiz cell seconds.

    Raises
    ------
    dcteach.UsageError
        For an unknown bank name (the message lists the shipped ones).
    QuizBankError
        If the file is missing, not JSON, or does not follow the schema.
    """
    path, shipped = _resolve(path_or_name)
    text = read_user_text(path, QuizBankError)
    bank = loads_located(text, str(path), QuizBankError, "check for a missing comma or quote there")
    if shipped:
        return _check_shipped(bank, str(path))
    return validate_bank(bank, str(path))
