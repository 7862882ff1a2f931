"""Checkers: compare a student's answer with what a bank's checker spec asks for.

A spec is data (see ``schema/bank.schema.json``); :data:`CHECKERS` maps each
``type`` to a pure function ``(spec, answer) -> Verdict``. Answers that come
from the datasets are compared with the value *computed from the data at check
time* (a set of ids, a count, a cell), so a corrected dataset moves the key
with it.

>>> check({"type": "number", "value": 13}, 13).outcome
'correct'
>>> v = check({"type": "choice", "options": {"a": {"en": "x", "ru": "x"}, "b": {"en": "y", "ru": "y"}}, "answer": "b"}, "A")
>>> v.outcome, v.details[0][0]
('incorrect', 'choice.wrong')
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass

from dcteach.exercises._bank import BankError

__all__ = ["CHECKERS", "Verdict", "check", "is_not_attempted", "select_rows"]


@dataclass(frozen=True)
class Verdict:
    """Outcome of one check (``correct``, ``incorrect``, ``not_attempted``,
    ``submitted``) and the diagnostics to explain it: ``(message key, values)``."""

    outcome: str
    details: tuple[tuple[str, dict], ...] = ()


class _WrongType(Exception):
    def __init__(self, expected: str, got: object):
        super().__init__(expected)
        self.expected, self.got = expected, type(got).__name__


class _StubRaised(Exception):
    pass


def is_not_attempted(answer: object) -> bool:
    """True for the placeholders a student has not replaced yet.

    >>> is_not_attempted(...), is_not_attempted(None), is_not_attempted("  "), is_not_attempted(0)
    (True, True, True, False)
    """
    return answer is None or answer is Ellipsis or (isinstance(answer, str) and not answer.strip())


def _load(name: str):
    import dcteach

    return dcteach.load_dataset(name)


def _op_eq(series, value):
    return series.isna() if value is None else series == value


_OPS = {
    "eq": _op_eq,
    "ne": lambda s, v: ~_op_eq(s, v),
    "in": lambda s, v: s.isin(v),
    "notnull": lambda s, v: s.notna(),
    "isnull": lambda s, v: s.isna(),
    "contains": lambda s, v: s.astype("string").str.contains(v, case=False, regex=False).fillna(False),
    "gt": lambda s, v: s > v,
    "ge": lambda s, v: s >= v,
    "lt": lambda s, v: s < v,
    "le": lambda s, v: s <= v,
}


def select_rows(spec: dict):
    """Rows of ``spec["dataset"]`` that satisfy ``spec["where"]`` (all conditions).

    Raises
    ------
    BankError
        If the spec names a column the table does not have.
    """
    frame = _load(spec["dataset"])
    mask = None
    for column, condition in (spec.get("where") or {}).items():
        if column not in frame.columns:
            raise BankError(f"checker refers to column {column!r}, which table {spec['dataset']!r} lacks")
        op, value = next(iter(condition.items())) if isinstance(condition, dict) else ("eq", condition)
        part = _OPS[op](frame[column], value).fillna(False).astype(bool)
        mask = part if mask is None else mask & part
    return frame if mask is None else frame[mask]


def _column(frame, name: str, dataset: str):
    if name not in frame.columns:
        raise BankError(f"checker refers to column {name!r}, which table {dataset!r} lacks")
    return frame[name]


def _resolve(spec: dict, answer: object) -> object:
    """Call a function answer (with the datasets the spec names)."""
    if not callable(answer) or isinstance(answer, type):
        return answer
    args = [_load(name) for name in (spec.get("call") or {}).get("datasets", [])]
    try:
        return answer(*args)
    except NotImplementedError:
        raise _StubRaised from None


def _as_id_list(answer: object, column: str = "id") -> list[str]:
    import numpy as np
    import pandas as pd

    if isinstance(answer, pd.DataFrame):
        values = answer[column] if column in answer.columns else answer.index
    elif isinstance(answer, (pd.Series, pd.Index, np.ndarray, list, tuple, set, frozenset)):
        values = answer
    elif isinstance(answer, str):
        values = [answer]
    else:
        raise _WrongType("expected.ids", answer)
    if isinstance(answer, (set, frozenset)):
        values = sorted(values, key=str)
    return [str(v).strip() for v in values]


def _fmt(items) -> str:
    return ", ".join(sorted(str(i) for i in items)) or "—"


def _check_ids(spec: dict, answer: object) -> Verdict:
    column = spec.get("column", "id")
    rows = select_rows(spec)
    if spec.get("ordered_by"):
        _column(rows, spec["ordered_by"], spec["dataset"])
        rows = rows.sort_values(spec["ordered_by"], kind="stable")
    expected = [str(v) for v in _column(rows, column, spec["dataset"])]
    if spec.get("ordered_by") and isinstance(answer, (set, frozenset)):
        raise _WrongType("expected.ids", answer)
    got = _as_id_list(answer, column)
    # spelling mistakes are only recognisable against a table's own primary key
    known = {str(v) for v in _load(spec["dataset"])[column]} if column == "id" else set(got) | set(expected)
    unknown = [g for g in got if g not in known]
    extra = [g for g in got if g in known and g not in set(expected)]
    missing = set(expected) - set(got)
    details = []
    if unknown:
        details.append(("ids.unknown", {"dataset": spec["dataset"], "unknown": _fmt(set(unknown))}))
    if extra:
        details.append(("ids.extra", {"n_extra": len(set(extra)), "extra": _fmt(set(extra))}))
    if missing:
        details.append(("ids.missing", {"n_missing": len(missing)}))
    if details:
        return Verdict("incorrect", tuple(details))
    if spec.get("ordered_by") and [g for g in got] != expected:
        return Verdict("incorrect", (("ids.order", {}),))
    return Verdict("correct")


def _as_int(answer: object) -> int:
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise _WrongType("expected.count", answer)
    if isinstance(answer, numbers.Integral):
        return int(answer)
    if math.isfinite(float(answer)) and float(answer).is_integer():
        return int(answer)
    raise _WrongType("expected.count", answer)


def _check_count(spec: dict, answer: object) -> Verdict:
    rows = select_rows(spec)
    expected = rows[spec["unique"]].nunique() if spec.get("unique") else len(rows)
    got = _as_int(answer)
    if got == expected:
        return Verdict("correct")
    return Verdict("incorrect", (("count.high" if got > expected else "count.low", {"got": got}),))


def _norm_text(value: object) -> str:
    text = " ".join(str(value).split()).casefold()
    return text.strip(" .;:,!?\"'«»“”")


def _norm_value(value: object) -> object:
    import datetime

    import pandas as pd

    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, datetime.datetime)):
        value = pd.Timestamp(value)
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    return _norm_text(value)


def _check_value(spec: dict, answer: object) -> Verdict:
    rows = select_rows(spec)
    if len(rows) != 1:
        raise BankError(f"value checker on {spec['dataset']!r} selects {len(rows)} rows, not exactly 1")
    if isinstance(answer, (list, tuple, set, dict)):
        raise _WrongType("expected.value", answer)
    expected = _norm_value(_column(rows, spec["column"], spec["dataset"]).iloc[0])
    got = _norm_value(answer)
    if isinstance(expected, float) and isinstance(got, str):
        expected = _norm_text(int(expected) if expected.is_integer() else expected)
    if isinstance(expected, str) and isinstance(got, float):
        got = _norm_text(int(got) if got.is_integer() else got)
    same = math.isclose(expected, got) if isinstance(expected, float) and isinstance(got, float) else expected == got
    return Verdict("correct") if same else Verdict("incorrect", (("value.mismatch", {"got": answer}),))


def _as_mapping(answer: object) -> dict[str, int]:
    import pandas as pd

    if isinstance(answer, pd.Series):
        answer = answer.to_dict()
    if not isinstance(answer, dict):
        raise _WrongType("expected.mapping", answer)
    result = {}
    for key, value in answer.items():
        try:
            number = _as_int(value)
        except _WrongType:
            raise _WrongType("expected.mapping", answer) from None
        if number:
            result[str(key).strip()] = number
    return result


def _check_mapping(spec: dict, answer: object) -> Verdict:
    rows = select_rows(spec)
    counts = _column(rows, spec["by"], spec["dataset"]).astype("string").value_counts(dropna=True)
    expected = {str(k): int(v) for k, v in counts.items() if int(v)}
    got = _as_mapping(answer)
    if set(got) != set(expected):
        return Verdict("incorrect", (("mapping.keys", {
            "missing": _fmt(set(expected) - set(got)), "extra": _fmt(set(got) - set(expected))}),))
    wrong = [k for k in expected if expected[k] != got[k]]
    return Verdict("incorrect", (("mapping.values", {"keys": _fmt(wrong)}),)) if wrong else Verdict("correct")


def _check_choice(spec: dict, answer: object) -> Verdict:
    if not isinstance(answer, str):
        raise _WrongType("expected.choice", answer)
    got = answer.strip().lower().rstrip(").")
    if got not in spec["options"]:
        return Verdict("incorrect", (("choice.unknown", {"got": repr(answer), "options": _fmt(spec["options"])}),))
    if got != spec["answer"]:
        return Verdict("incorrect", (("choice.wrong", {"got": got}),))
    return Verdict("correct")


def _check_number(spec: dict, answer: object) -> Verdict:
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise _WrongType("expected.number", answer)
    if abs(float(answer) - spec["value"]) <= spec.get("tolerance", 0):
        return Verdict("correct")
    return Verdict("incorrect", (("number.wrong", {"got": answer}),))


def _check_text(spec: dict, answer: object) -> Verdict:
    if not isinstance(answer, str):
        raise _WrongType("expected.text", answer)
    if _norm_text(answer) in {_norm_text(a) for a in spec["accept"]}:
        return Verdict("correct")
    return Verdict("incorrect", (("text.wrong", {"got": answer.strip()}),))


def _check_open(spec: dict, answer: object) -> Verdict:
    if not isinstance(answer, str):
        raise _WrongType("expected.text", answer)
    n_words = len(re.findall(r"\w+", answer))
    if n_words < spec["min_words"]:
        return Verdict("incorrect", (("open.too_short", {"n_words": n_words, "min_words": spec["min_words"]}),))
    return Verdict("submitted", (("open.submitted", {"n_words": n_words}),))


#: checker type -> function(spec, answer) -> Verdict
CHECKERS = {
    "ids": _check_ids,
    "count": _check_count,
    "value": _check_value,
    "mapping": _check_mapping,
    "choice": _check_choice,
    "number": _check_number,
    "text": _check_text,
    "open": _check_open,
}


def check(spec: dict, answer: object) -> Verdict:
    """Check ``answer`` against ``spec``; never raises for a student's mistake.

    A function answer is called first (a stub raising ``NotImplementedError``
    counts as not attempted; any other exception is an incorrect answer that
    says what was raised).

    Examples
    --------
    >>> check({"type": "count", "dataset": "enablers"}, ...).outcome
    'not_attempted'
    >>> def stub():
    ...     raise NotImplementedError("Exercise 2.1")
    >>> check({"type": "count", "dataset": "enablers"}, stub).outcome
    'not_attempted'
    >>> check({"type": "number", "value": 4}, "four").details
    (('wrong_type', {'expected': 'expected.number', 'got': 'str'}),)
    """
    if is_not_attempted(answer):
        return Verdict("not_attempted")
    try:
        answer = _resolve(spec, answer)
    except _StubRaised:
        return Verdict("not_attempted")
    except Exception as exc:  # the student's function failed: say how
        return Verdict("incorrect", (("raised", {"ename": type(exc).__name__, "evalue": str(exc)[:200]}),))
    if is_not_attempted(answer):
        return Verdict("not_attempted")
    try:
        return CHECKERS[spec["type"]](spec, answer)
    except _WrongType as exc:
        return Verdict("incorrect", (("wrong_type", {"expected": exc.expected, "got": exc.got}),))
