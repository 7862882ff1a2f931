"""Find, read and validate question banks; the generic feedback wording.

Banks are JSON files ``exNN.json`` validated against
``dcteach/exercises/schema/bank.schema.json``. They are looked up, in order, in

1. ``$DCTEACH_EXERCISES/banks`` (a lecturer's own folder),
2. the banks shipped inside the wheel (``dcteach/exercises/banks``),
3. ``exercises/banks`` of a source checkout.

Lecturer sources (``exNN_*.ipynb``) are looked up the same way under
``source/`` (they are not shipped in the wheel).

>>> normalise_id(4), normalise_id("ex4"), normalise_id("EX04"), normalise_id("p2")
('ex04', 'ex04', 'ex04', 'p02')
>>> render("{n} of {total}", n=1, total=3)
'1 of 3'
"""

from __future__ import annotations

import functools
import json
import os
import re
from importlib import resources
from pathlib import Path

from dcteach._errors import DcteachError, UsageError
from dcteach._jsondoc import loads_located, read_user_text, schema_validator
from dcteach.data import LANGUAGES
from dcteach.data import resolve_lang as _package_resolve_lang

__all__ = [
    "BankError",
    "LANGUAGES",
    "bank_paths",
    "load_bank",
    "message",
    "normalise_id",
    "render",
    "resolve_lang",
    "is_student_bank",
    "source_path",
    "validate_bank",
]

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent / "exercises"
_ID = re.compile(r"^(ex|p)?0*([0-9]{1,2})$", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class BankError(DcteachError):
    """A question bank is missing, not valid JSON or does not match the schema."""


def normalise_id(exercise_id: str | int) -> str:
    """Return the canonical ``exNN`` (or ``pNN``, a practice bank) form of an exercise id.

    Raises
    ------
    UsageError
        If the id does not look like an exercise id.

    Examples
    --------
    >>> normalise_id("ex12")
    'ex12'
    >>> normalise_id("lecture 4")
    Traceback (most recent call last):
    ...
    dcteach.UsageError: 'lecture 4' is not an exercise id: use the form 'ex04' (exercise for course notebook 04)
    """
    match = _ID.match(str(exercise_id).strip())
    if not match:
        raise UsageError(
            f"{exercise_id!r} is not an exercise id: use the form 'ex04' "
            "(exercise for course notebook 04)"
        )
    return f"{(match[1] or 'ex').lower()}{int(match[2]):02d}"


def _roots() -> list[Path]:
    roots = []
    if os.environ.get("DCTEACH_EXERCISES"):
        roots.append(Path(os.environ["DCTEACH_EXERCISES"]))
    roots.extend([_PACKAGE, _CHECKOUT])
    return roots


def bank_paths() -> dict[str, Path]:
    """Map every available bank id (``exNN`` exercises, ``pNN`` practice) to its file (first root wins).

    >>> "ex04" in bank_paths()
    True
    """
    found: dict[str, Path] = {}
    for root in _roots():
        folder = root / "banks"
        if folder.is_dir():
            for pattern in ("ex[0-9][0-9].json", "p[0-9][0-9].json"):
                for path in sorted(folder.glob(pattern)):
                    found.setdefault(path.stem, path)
    return dict(sorted(found.items()))


def source_path(exercise_id: str) -> Path | None:
    """Return the lecturer source notebook of an exercise, or None if absent.

    >>> source_path("ex99") is None
    True
    """
    for root in _roots():
        folder = root / "source"
        if folder.is_dir():
            matches = sorted(folder.glob(f"{exercise_id}_*.ipynb")) + sorted(
                folder.glob(f"{exercise_id}.ipynb")
            )
            if matches:
                return matches[0]
    return None


@functools.cache
def _schema() -> dict:
    text = resources.files("dcteach.exercises").joinpath("schema/bank.schema.json").read_text("utf-8")
    return json.loads(text)




def validate_bank(data: object, *, where: str = "bank") -> dict:
    """Check a bank against the JSON Schema and the rules a schema cannot state.

    Returns the bank unchanged; raises :class:`BankError` naming the first
    problem and where it is (``questions/0/checker: ...``).

    Examples
    --------
    >>> validate_bank({"id": "ex01"}, where="ex01.json")
    Traceback (most recent call last):
    ...
    dcteach.exercises._bank.BankError: ex01.json: (top level): 'notebook' is a required property
    """
    validator = schema_validator(_schema())  # imports jsonschema
    import jsonschema.exceptions

    errors = sorted(validator.iter_errors(data), key=lambda e: (list(e.absolute_path), e.message))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        location = "/".join(str(p) for p in best.absolute_path) or "(top level)"
        raise BankError(f"{where}: {location}: {best.message}")
    seen_ids: set[str] = set()
    seen_numbers: set[str] = set()
    for index, question in enumerate(data["questions"]):
        for key, seen in (("id", seen_ids), ("number", seen_numbers)):
            if question[key] in seen:
                raise BankError(f"{where}: questions/{index}/{key}: {question[key]!r} is used twice")
            seen.add(question[key])
        checker = question["checker"]
        is_open = checker["type"] == "open"
        if is_open != (question["kind"] == "open"):
            raise BankError(
                f"{where}: questions/{index}: kind {question['kind']!r} needs "
                + ("an 'open' checker" if question["kind"] == "open" else "an automatic checker")
            )
        if checker["type"] == "choice" and checker["answer"] not in checker["options"]:
            raise BankError(f"{where}: questions/{index}/checker/answer: {checker['answer']!r} is not an option")
    return data


@functools.cache
def _load_bank_cached(path: str, mtime: float, validate: bool) -> dict:
    where = Path(path).name
    text = read_user_text(path, BankError)
    data = loads_located(text, where, BankError, "fix the bank's JSON syntax (a missing comma or quote?)")
    if validate:
        validate_bank(data, where=where)
    if not isinstance(data, dict) or data.get("id") != Path(path).stem:
        raise BankError(f"{where}: its id does not match the file name")
    return data


def load_bank(exercise_id: str | int, *, validate: bool = False) -> dict:
    """Return the bank of one exercise.

    Banks are validated against the schema by ``dcteach exercises check`` and
    the tests; ``validate=True`` does it here too (importing jsonschema costs
    about a second, too much for every student's kernel).

    Raises
    ------
    UsageError
        If no bank has this id; the message lists the available ones.

    Examples
    --------
    >>> load_bank("ex04")["id"]
    'ex04'
    """
    exercise_id = normalise_id(exercise_id)
    paths = bank_paths()
    if exercise_id not in paths:
        available = ", ".join(paths) or "none found"
        raise UsageError(f"no exercise {exercise_id!r}; available: {available}")
    path = paths[exercise_id]
    return _load_bank_cached(str(path), path.stat().st_mtime, validate)


def resolve_lang(lang: str | None) -> str:
    """Validate ``lang``, ignoring case and spaces (None means ``$DCTEACH_LANG`` or English).

    >>> resolve_lang("RU")
    'ru'
    >>> resolve_lang("de")
    Traceback (most recent call last):
    ...
    dcteach.UsageError: unsupported language 'de'; supported languages: 'en', 'ru'
    """
    return _package_resolve_lang(None if lang is None else str(lang).strip().lower())


def render(template: str, **values: object) -> str:
    """Fill ``{name}`` placeholders; unknown names are left as they are.

    Only plain names are replaced (no attribute or index access), so a bank
    string can never reach into Python objects.

    >>> render("{a} and {b.__class__}", a=1)
    '1 and {b.__class__}'
    """
    return _PLACEHOLDER.sub(lambda m: str(values[m[1]]) if m[1] in values else m[0], template)


def message(key: str, lang: str, **values: object) -> str:
    """Return a generic message in ``lang`` with placeholders filled.

    The wording lives in the package's catalogues (``dcteach/locales``) under
    ``exercises.<key>``; question-specific wording lives in the banks.

    >>> message("label.correct", "ru")
    '✔ Верно —'
    """
    own = _messages().get(key)
    if own is not None:
        return render(own[lang], **values)
    from dcteach.i18n import catalogue

    return render(catalogue(lang)[f"exercises.{key}"], **values)


@functools.cache
def _messages() -> dict:
    text = resources.files("dcteach.exercises").joinpath("messages.json").read_text("utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("@")}


def is_student_bank(bank: dict) -> bool:
    """True for a bank made by release for students (keys replaced by hashes).

    >>> is_student_bank({"id": "ex01"}), is_student_bank({"id": "ex01", "release": {"student": True}})
    (False, True)
    """
    return bool((bank.get("release") or {}).get("student"))
