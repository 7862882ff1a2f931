"""The one judge: compare a student's answer with what a bank's checker spec asks for.

A spec is data (see ``schema/bank.schema.json``); :data:`CHECKERS` maps each
``type`` to a pure function ``(spec, answer, frames) -> Verdict``. The same
function runs in the student's self-check (``ex.q1.check``) and in the grader,
on the same value:

* with a **lecturer spec** (it holds the key: ``answer``, ``accept``,
  ``value``, or the query ``where``/``ordered_by`` from which the key is
  computed from the data) the verdict also carries partial credit;
* with a **student spec** (made at release by :func:`student_checker`: the
  key is replaced by salted hashes of its canonical form) the verdict is
  correct exactly when the answer's canonical form hashes to the key's.

Both reduce the answer to the same canonical form first, so they agree on
correct / incorrect / not attempted. A Russian label of a category
(``dcteach:labels`` in the data descriptor) is read as its code, so
``{"операционные": 15}`` is the same answer as ``{"operational": 15}``.

Partial credit (``Verdict.score``, a fraction of the question's points)
----------------------------------------------------------------------
* ``ids`` (a set): right minus wrong, ``max(0, (hits - wrong) / expected)``;
  10 of 11 with nothing wrong scores 10/11.
* ``ids`` with ``ordered_by`` (a list): the longest run of ids in the right
  relative order (longest common subsequence) minus wrong ids, over expected.
* ``mapping``: keys with the right count minus keys that should not be there,
  over expected keys.
* ``parts`` (multi-part item): the mean of the parts' scores.
* ``count``, ``value``, ``choice``, ``number``, ``text``: all or nothing.

>>> check({"type": "number", "value": 13}, 13).outcome
'correct'
>>> v = check({"type": "choice", "options": {"a": {"en": "x", "ru": "x"}, "b": {"en": "y", "ru": "y"}}, "answer": "b"}, "A")
>>> v.outcome, v.details[0][0]
('incorrect', 'choice.wrong')
>>> student = student_checker({"type": "number", "value": 13}, salt="s")
>>> "value" in student, check(student, 13).outcome, check(student, 12).outcome
(False, 'correct', 'incorrect')
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import re
from dataclasses import dataclass

from dcteach.exercises._bank import BankError
from dcteach.exercises._serial import is_thunk

__all__ = ["CHECKERS", "KEY_FIELDS", "Verdict", "check", "expected_key", "is_not_attempted", "select_rows",
           "student_checker"]

#: checker fields that are (or compute) the answer: lecturer banks only
KEY_FIELDS = ("answer", "accept", "value", "tolerance", "where", "ordered_by", "unique")


@dataclass(frozen=True)
class Verdict:
    """Outcome of one check (``correct``, ``incorrect``, ``not_attempted``,
    ``submitted``), the diagnostics to explain it ``(message key, values)`` and
    the fraction of the points earned (partial credit)."""

    outcome: str
    details: tuple[tuple[str, dict], ...] = ()
    score: float = 0.0
    matched: object = None  # the canonical answer that matched (opens sealed feedback)


def _correct(matched: object = None) -> Verdict:
    return Verdict("correct", (), 1.0, matched)


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


def _load(name: str, frames: dict | None = None):
    if frames and name in frames:
        return frames[name]
    import dcteach

    return dcteach.load_dataset(name)


def _digest(salt: str, canonical: object) -> str:
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{salt}\x00{text}".encode()).hexdigest()


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


def select_rows(spec: dict, frames: dict | None = None):
    """Rows of ``spec["dataset"]`` that satisfy ``spec["where"]`` (all conditions).

    ``frames`` maps dataset names to tables to use instead of the course data
    (the grader passes a changed copy to test function answers).

    Raises
    ------
    BankError
        If the spec names a column the table does not have.
    """
    frame = _load(spec["dataset"], frames)
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


def _label_codes(dataset: str, column: str) -> dict[str, str]:
    """``{normalised English or Russian label or code: code}`` of an enum column (empty if none)."""
    from dcteach import data

    try:
        fields = data._resource(dataset)["schema"]["fields"]
    except Exception:  # noqa: BLE001 - an unknown dataset has no labels
        return {}
    field = next((f for f in fields if f.get("name") == column), None)
    if not field or "enum" not in field.get("constraints", {}):
        return {}
    codes: dict[str, str] = {}
    for lang in ("en", "ru"):
        for code, label in data.enum_labels(field, lang).items():
            codes.setdefault(_norm_text(label), code)
            codes.setdefault(_norm_text(code), code)
    return codes


def _has_labels(spec: dict) -> bool:
    column = spec.get("by") if spec.get("type") == "mapping" else spec.get("column")
    return bool(column and spec.get("dataset") and _label_codes(spec["dataset"], column))


def accepts_russian(spec: dict) -> bool:
    """True when a Russian label or spelling is accepted as the answer.

    >>> accepts_russian({"type": "mapping", "dataset": "instruments", "by": "group"})
    True
    >>> accepts_russian({"type": "count", "dataset": "instruments"})
    False
    """
    if spec.get("type") in ("value", "mapping") and _has_labels(spec):
        return True
    return bool(spec.get("accepts_ru")) or any(re.search("[а-яё]", str(a), re.I) for a in spec.get("accept", []))


def _resolve(spec: dict, answer: object, frames: dict | None) -> object:
    """Call a function answer (with the datasets the spec names); a question with ``call`` needs one."""
    if not spec.get("call"):
        if is_thunk(answer):  # ``lambda: plan(EXAMPLE_A)``: check what it returns
            try:
                return answer()
            except NotImplementedError:
                raise _StubRaised from None
        return answer
    if not callable(answer) or isinstance(answer, type):
        raise _WrongType("expected.function", answer)
    args = [_load(name, frames).copy() for name in spec["call"].get("datasets", [])]
    try:
        return answer(*args)
    except NotImplementedError:
        raise _StubRaised from None


# ---- canonical forms: the same for the self-check and the grader ----------------------------

def _as_id_list(answer: object, column: str = "id", ordered: bool = False) -> list[str]:
    import numpy as np
    import pandas as pd

    if isinstance(answer, pd.DataFrame):
        values = list(answer[column]) if column in answer.columns else list(answer.index)
    elif isinstance(answer, pd.Series):
        values = list(answer)
    elif isinstance(answer, (pd.Index, np.ndarray, list, tuple)):
        values = list(answer)
    elif isinstance(answer, (set, frozenset)):
        if ordered:
            raise _WrongType("expected.ordered_ids", answer)
        values = sorted(answer, key=str)
    elif isinstance(answer, str):
        values = [answer]
    else:
        raise _WrongType("expected.ids" if not ordered else "expected.ordered_ids", answer)
    for v in values:
        if isinstance(v, (list, tuple, set, dict, frozenset)) or callable(v):
            raise _WrongType("expected.ids" if not ordered else "expected.ordered_ids", answer)
    return [str(v).strip() for v in values if not (v is None or (isinstance(v, float) and math.isnan(v)))]


def _canonical_ids(spec: dict, answer: object) -> list[str]:
    got = _as_id_list(answer, spec.get("column", "id"), ordered=bool(spec.get("ordered_by") or spec.get("ordered")))
    if spec.get("ordered_by") or spec.get("ordered"):
        return got
    return sorted(set(got))


def _as_int(answer: object, expected: str = "expected.count") -> int:
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise _WrongType(expected, answer)
    if isinstance(answer, numbers.Integral):
        return int(answer)
    if math.isfinite(float(answer)) and float(answer).is_integer():
        return int(answer)
    raise _WrongType(expected, answer)


def _norm_text(value: object) -> str:
    import unicodedata

    text = " ".join(unicodedata.normalize("NFC", str(value)).split()).casefold()
    return text.strip(" .;:,!?\"'«»“”").replace("ё", "е")


def _norm_value(value: object) -> object:
    import datetime

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, pd.Timestamp):
            return value.date().isoformat() if value == value.normalize() else value.isoformat()
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = float(value)
        return _norm_text(int(number) if number.is_integer() else number)
    return _norm_text(value)


def _canonical_value(spec: dict, answer: object) -> str | None:
    if isinstance(answer, (list, tuple, set, frozenset, dict)) or callable(answer):
        raise _WrongType("expected.value", answer)
    try:
        import pandas as pd

        if isinstance(answer, (pd.DataFrame, pd.Series, pd.Index)):
            raise _WrongType("expected.value", answer)
    except ImportError:  # pragma: no cover
        pass
    got = _norm_value(answer)
    codes = _label_codes(spec["dataset"], spec["column"]) if spec.get("dataset") else {}
    return codes.get(got, got) if isinstance(got, str) else got


def _as_mapping(spec: dict, answer: object) -> dict[str, int]:
    try:
        import pandas as pd

        if isinstance(answer, pd.Series):
            answer = answer.to_dict()
    except ImportError:  # pragma: no cover
        pass
    if not isinstance(answer, dict):
        raise _WrongType("expected.mapping", answer)
    codes = _label_codes(spec["dataset"], spec["by"]) if spec.get("dataset") else {}
    result: dict[str, int] = {}
    for key, value in answer.items():
        number = _as_int(value, "expected.mapping")
        key = str(key).strip()
        key = codes.get(_norm_text(key), key)
        if number:
            result[key] = result.get(key, 0) + number
    return result


def _canonical_choice(answer: object) -> str:
    if not isinstance(answer, str):
        raise _WrongType("expected.choice", answer)
    return answer.strip().lower().rstrip(").")


def _as_number(answer: object) -> float:
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real) or not math.isfinite(float(answer)):
        raise _WrongType("expected.number", answer)
    return float(answer)


#: a tolerance is applied on a grid of a tenth of it (so that it can be hashed)
_GRID = 10


def _number_cells(value: float, tolerance: float) -> list[object]:
    if tolerance <= 0:
        return [repr(float(value))]
    step = tolerance / _GRID
    centre = round(value / step)
    return [centre + k for k in range(-_GRID, _GRID + 1)]


def _number_cell(answer: float, tolerance: float) -> object:
    return repr(float(answer)) if tolerance <= 0 else round(answer / (tolerance / _GRID))


def _as_text(answer: object) -> str:
    if not isinstance(answer, str):
        raise _WrongType("expected.text", answer)
    return _norm_text(answer)


# ---- keys, computed from the lecturer's spec and data -----------------------------------------

def expected_key(spec: dict, frames: dict | None = None) -> object:
    """The canonical key of a lecturer spec (computed from the data for data questions).

    >>> expected_key({"type": "count", "dataset": "instruments", "where": {"group": "strategic"}})
    3
    """
    kind = spec["type"]
    if kind == "ids":
        rows = select_rows(spec, frames)
        if spec.get("ordered_by"):
            _column(rows, spec["ordered_by"], spec["dataset"])
            rows = rows.sort_values(spec["ordered_by"], kind="stable")
        values = [str(v) for v in _column(rows, spec.get("column", "id"), spec["dataset"]) if v is not None
                  and not (isinstance(v, float) and math.isnan(v))]
        return values if spec.get("ordered_by") else sorted(set(values))
    if kind == "count":
        rows = select_rows(spec, frames)
        return int(rows[spec["unique"]].nunique()) if spec.get("unique") else len(rows)
    if kind == "value":
        rows = select_rows(spec, frames)
        if len(rows) != 1:
            raise BankError(f"value checker on {spec['dataset']!r} selects {len(rows)} rows, not exactly 1")
        return _canonical_value(spec, _column(rows, spec["column"], spec["dataset"]).iloc[0])
    if kind == "mapping":
        rows = select_rows(spec, frames)
        counts = _column(rows, spec["by"], spec["dataset"]).astype("string").value_counts(dropna=True)
        return {str(k): int(v) for k, v in counts.items() if int(v)}
    if kind == "choice":
        return spec["answer"]
    if kind == "number":
        return float(spec["value"])
    if kind == "text":
        return sorted({_norm_text(a) for a in spec["accept"]})
    if kind == "parts":
        return [expected_key(part, frames) for part in spec["parts"]]
    raise BankError(f"checker type {kind!r} has no key")


def _has_key(spec: dict) -> bool:
    return "hash" not in spec and "hashes" not in spec


def _fmt(items) -> str:
    return ", ".join(sorted(str(i) for i in items)) or "—"


def _lcs(a: list, b: list) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def _check_ids(spec: dict, answer: object, frames: dict | None = None) -> Verdict:
    got = _canonical_ids(spec, answer)
    column = spec.get("column", "id")
    ordered = bool(spec.get("ordered_by") or spec.get("ordered"))
    if column == "id" and spec.get("dataset"):  # spelling mistakes show against a table's own primary key
        known = {str(v) for v in _load(spec["dataset"], frames)[column]}
        unknown = sorted({g for g in got if g not in known})
    else:
        unknown = []
    if not _has_key(spec):
        same = _digest(spec["salt"], got) == spec["hash"]
        if same:
            return _correct(got)
        details = []
        if unknown:
            details.append(("ids.unknown", {"dataset": spec["dataset"], "unknown": _fmt(unknown)}))
        if ordered and spec.get("set_hash") and _digest(spec["salt"], sorted(set(got))) == spec["set_hash"]:
            details.append(("ids.order", {}))
        return Verdict("incorrect", tuple(details))
    expected = expected_key(spec, frames)
    if got == expected:
        return _correct(got)
    expected_set, got_set = set(expected), set(got)
    extra = sorted(got_set - expected_set - set(unknown))
    missing = expected_set - got_set
    details = []
    if unknown:
        details.append(("ids.unknown", {"dataset": spec["dataset"], "unknown": _fmt(unknown)}))
    if extra:
        details.append(("ids.extra", {"n_extra": len(extra), "extra": _fmt(extra)}))
    if missing:
        details.append(("ids.missing", {"n_missing": len(missing)}))
    wrong = len(got_set - expected_set)
    if ordered:
        if not details:
            details.append(("ids.order", {}))
        hits = _lcs([g for g in got if g in expected_set], expected)
    else:
        hits = len(got_set & expected_set)
    score = max(0.0, (hits - wrong) / len(expected)) if expected else 0.0
    return Verdict("incorrect", tuple(details), min(score, 0.99))


def _check_count(spec: dict, answer: object, frames: dict | None = None) -> Verdict:
    got = _as_int(answer)
    if not _has_key(spec):
        return _correct(got) if _digest(spec["salt"], got) == spec["hash"] else Verdict("incorrect", (("count.wrong", {"got": got}),))
    expected = expected_key(spec, frames)
    if got == expected:
        return _correct(got)
    return Verdict("incorrect", (("count.wrong", {"got": got}),))


def _check_value(spec: dict, answer: object, frames: dict | None = None) -> Verdict:
    got = _canonical_value(spec, answer)
    shown = {"got": answer}
    if not _has_key(spec):
        same = _digest(spec["salt"], got) in spec["hashes"]
    else:
        accepted = {expected_key(spec, frames)} | {_canonical_value(spec, a) for a in spec.get("accept", [])}
        same = got in accepted
    return _correct(got) if same else Verdict("incorrect", (("value.mismatch", shown),))


def _check_mapping(spec: dict, answer: object, frames: dict | None = None) -> Verdict:
    got = _as_mapping(spec, answer)
    if not _has_key(spec):
        if _digest(spec["salt"], got) == spec["hash"]:
            return _correct(got)
        if spec.get("keys_hash") and _digest(spec["salt"], sorted(got)) == spec["keys_hash"]:
            return Verdict("incorrect", (("mapping.counts", {}),))
        return Verdict("incorrect", (("mapping.wrong", {}),))
    expected = expected_key(spec, frames)
    if got == expected:
        return _correct(got)
    details = []
    if set(got) != set(expected):
        details.append(("mapping.keys", {"missing": _fmt(set(expected) - set(got)),
                                          "extra": _fmt(set(got) - set(expected))}))
    wrong = [k for k in expected if k in got and expected[k] != got[k]]
    if wrong:
        details.append(("mapping.values", {"keys": _fmt(wrong)}))
    right = sum(1 for k in expected if got.get(k) == expected[k])
    score = max(0.0, (right - len(set(got) - set(expected))) / len(expected)) if expected else 0.0
    return Verdict("incorrect", tuple(details), min(score, 0.99))


def _check_choice(spec: dict, answer: object, frames: dict | None = None) -> Verdict:
    got = _canonical_choice(answer)
    if got not in spec["options"]:
        return Verdict("incorrect", (("choice.unknown", {"got": repr(answer), "options": _fmt(spec["options"])}),))
    same = _digest(spec["salt"], got) == spec["hash"] if not _has_key(spec) else got == spec["answer"]
    return _correct(got) if same else Verdict("incorrect", (("choice.wrong", {"got": got}),))


def _check_number(spec: dict, answer: object, frames: dict | None = None) -> Verdict:
    got = _as_number(answer)
    if not _has_key(spec):
        cell = _number_cell(got, spec.get("grid", 0))
        same = _digest(spec["salt"], cell) in spec["hashes"]
    else:
        tolerance = spec.get("tolerance", 0)
        cell = _number_cell(got, tolerance)
        same = cell in _number_cells(float(spec["value"]), tolerance)
    return _correct(cell) if same else Verdict("incorrect", (("number.wrong", {"got": answer}),))


def _check_text(spec: dict, answer: object, frames: dict | None = None) -> Verdict:
    got = _as_text(answer)
    if not _has_key(spec):
        same = _digest(spec["salt"], got) in spec["hashes"]
    else:
        same = got in set(expected_key(spec))
    return _correct(got) if same else Verdict("incorrect", (("text.wrong", {"got": answer.strip()}),))


def _check_open(spec: dict, answer: object, frames: dict | None = None) -> Verdict:
    if not isinstance(answer, str):
        raise _WrongType("expected.text", answer)
    n_words = len(re.findall(r"\w+", answer))
    if n_words < spec["min_words"]:
        return Verdict("incorrect", (("open.too_short", {"n_words": n_words, "min_words": spec["min_words"]}),))
    return Verdict("submitted", (("open.submitted", {"n_words": n_words}),))


def _check_parts(spec: dict, answer: object, frames: dict | None = None) -> Verdict:
    parts = spec["parts"]
    if isinstance(answer, dict):
        answer = [answer.get(i + 1, answer.get(str(i + 1))) for i in range(len(parts))]
    if not isinstance(answer, (list, tuple)) or len(answer) != len(parts):
        raise _WrongType("expected.parts", answer)
    verdicts = [check(part, value, frames=frames) for part, value in zip(parts, answer)]
    if all(v.outcome == "correct" for v in verdicts):
        return _correct([v.matched for v in verdicts])
    details = tuple(("parts.part", {"n": i + 1, "outcome": v.outcome}) for i, v in enumerate(verdicts)
                    if v.outcome != "correct")
    return Verdict("incorrect", details, min(0.99, sum(v.score for v in verdicts) / len(verdicts)))


#: checker type -> function(spec, answer, frames) -> Verdict
CHECKERS = {
    "ids": _check_ids,
    "count": _check_count,
    "value": _check_value,
    "mapping": _check_mapping,
    "choice": _check_choice,
    "number": _check_number,
    "text": _check_text,
    "open": _check_open,
    "parts": _check_parts,
}


def check(spec: dict, answer: object, *, frames: dict | None = None) -> Verdict:
    """Check ``answer`` against ``spec``; never raises for a student's mistake.

    A question whose spec has ``call`` expects a function: it is called with
    the datasets named there (a stub raising ``NotImplementedError`` counts as
    not attempted; any other exception is an incorrect answer that says what
    was raised; a value where a function is expected is a wrong type).

    Examples
    --------
    >>> check({"type": "count", "dataset": "enablers"}, ...).outcome
    'not_attempted'
    >>> def stub(df):
    ...     raise NotImplementedError("Exercise 2.1")
    >>> check({"type": "count", "dataset": "enablers", "call": {"datasets": ["enablers"]}}, stub).outcome
    'not_attempted'
    >>> check({"type": "number", "value": 4}, "four").details
    (('wrong_type', {'expected': 'expected.number', 'got': 'str'}),)
    >>> check({"type": "ids", "dataset": "enablers", "call": {"datasets": ["enablers"]}}, ["EN-01"]).details
    (('wrong_type', {'expected': 'expected.function', 'got': 'list'}),)
    """
    if is_not_attempted(answer):
        return Verdict("not_attempted")
    try:
        answer = _resolve(spec, answer, frames)
    except _StubRaised:
        return Verdict("not_attempted")
    except _WrongType as exc:
        return Verdict("incorrect", (("wrong_type", {"expected": exc.expected, "got": exc.got}),))
    except Exception as exc:  # the student's function failed: say how
        return Verdict("incorrect", (("raised", {"ename": type(exc).__name__, "evalue": str(exc)[:200]}),))
    if is_not_attempted(answer):
        return Verdict("not_attempted")
    try:
        return CHECKERS[spec["type"]](spec, answer, frames)
    except _WrongType as exc:
        return Verdict("incorrect", (("wrong_type", {"expected": exc.expected, "got": exc.got}),))


def _keystream(key: bytes, n: int) -> bytes:
    blocks = (hashlib.sha256(key + i.to_bytes(4, "big")).digest() for i in range((n + 31) // 32))
    return b"".join(blocks)[:n]


def seal(salt: str, canonical: object, text: dict) -> str:
    """Encrypt ``text`` (i18n dict) so that only the right answer opens it (see :func:`unseal`).

    >>> unseal("s", 3, seal("s", 3, {"en": "yes"}))
    {'en': 'yes'}
    >>> unseal("s", 4, seal("s", 3, {"en": "yes"})) is None
    True
    """
    import base64

    key = hashlib.sha256(("seal\x00" + _digest(salt + "\x00seal", canonical)).encode()).digest()
    plain = json.dumps(text, ensure_ascii=False).encode()
    check = hashlib.sha256(key + plain).digest()[:8]
    body = bytes(a ^ b for a, b in zip(plain, _keystream(key, len(plain))))
    return base64.b64encode(check + body).decode()


def unseal(salt: str, canonical: object, sealed: str):
    """The text sealed for ``canonical``, or None if the answer does not open it."""
    import base64

    try:
        raw = base64.b64decode(sealed)
    except ValueError:
        return None
    key = hashlib.sha256(("seal\x00" + _digest(salt + "\x00seal", canonical)).encode()).digest()
    check, body = raw[:8], raw[8:]
    plain = bytes(a ^ b for a, b in zip(body, _keystream(key, len(body))))
    if hashlib.sha256(key + plain).digest()[:8] != check:
        return None
    return json.loads(plain.decode())


def accepted_canonicals(spec: dict) -> list:
    """Every canonical answer a lecturer spec accepts (what correct feedback is sealed for)."""
    kind = spec["type"]
    key = expected_key(spec)
    if kind == "value":
        return sorted({key} | {_canonical_value(spec, a) for a in spec.get("accept", [])}, key=str)
    if kind == "number":
        return _number_cells(key, spec.get("tolerance", 0))
    if kind == "text":
        return list(key)
    return [key]


def _salt(seed: str) -> str:
    return hashlib.sha256(("dcteach-salt\x00" + seed).encode()).hexdigest()[:16]


def student_checker(spec: dict, *, salt: str) -> dict:
    """The student form of a lecturer checker: the key replaced by salted hashes.

    Data questions keep the dataset, the id column and ``call``, which the
    prompt states anyway; the query (``where``, ``ordered_by``, ``unique``)
    that computes the key stays with the lecturer. Open tasks keep only the
    minimum length.

    >>> sorted(student_checker({"type": "ids", "dataset": "instruments", "where": {"group": "strategic"}}, salt="x"))
    ['dataset', 'hash', 'salt', 'type']
    """
    kind = spec["type"]
    keep = {k: v for k, v in spec.items() if k not in KEY_FIELDS and k not in ("rubric", "answer", "parts")}
    out = dict(keep, salt=salt)
    if kind == "open":
        return {"type": "open", "min_words": spec["min_words"]}
    if kind == "parts":
        return {"type": "parts", "salt": salt, "parts": [student_checker(p, salt=_salt(f"{salt}:{i}"))
                                                         for i, p in enumerate(spec["parts"])]}
    key = expected_key(spec)
    if kind == "ids":
        out["hash"] = _digest(salt, key)
        if spec.get("ordered_by"):
            out["ordered"] = True
            out["set_hash"] = _digest(salt, sorted(set(key)))
    elif kind in ("count", "choice"):
        out["hash"] = _digest(salt, key)
    elif kind == "mapping":
        out["hash"] = _digest(salt, key)
        out["keys_hash"] = _digest(salt, sorted(key))
    elif kind == "value":
        accepted = {key} | {_canonical_value(spec, a) for a in spec.get("accept", [])}
        out["hashes"] = sorted(_digest(salt, a) for a in accepted)
        if any(re.search("[а-яё]", str(a), re.I) for a in spec.get("accept", [])):
            out["accepts_ru"] = True
    elif kind == "number":
        tolerance = spec.get("tolerance", 0)
        out["grid"] = tolerance
        out["hashes"] = sorted(_digest(salt, c) for c in _number_cells(key, tolerance))
    elif kind == "text":
        out["hashes"] = sorted(_digest(salt, a) for a in key)
        if any(re.search("[а-яё]", a, re.I) for a in spec["accept"]):
            out["accepts_ru"] = True
    return out
