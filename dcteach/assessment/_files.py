"""Scale, items and (de)serialisation of self-assessments, with located errors."""

from __future__ import annotations

import csv
import functools
import io
import json
from pathlib import Path

import pandas as pd

from dcteach._atomic import atomic_write_text
from dcteach._jsondoc import check_format, first_schema_error, loads_located, read_user_text, schema_validator
from dcteach._errors import DatasetError
from dcteach.data import load_dataset
from dcteach.i18n import resolve_lang

__all__ = [
    "AssessmentFileError",
    "assessment_from_csv",
    "assessment_from_json",
    "assessment_items",
    "assessment_to_csv",
    "assessment_to_json",
    "load_assessment",
    "load_scale",
    "save_assessment",
]

_HERE = Path(__file__).resolve().parent
FORMAT, VERSION = "dcteach-self-assessment", 1
CSV_HEADER = ["id", "score", "name"]


class AssessmentFileError(DatasetError):
    """A self-assessment file is unreadable, corrupt or not a self-assessment."""


@functools.lru_cache(maxsize=1)
def load_scale() -> dict:
    """The editorial 0–4 maturity scale (levels with en/ru names and descriptors)."""
    return json.loads((_HERE / "scale.json").read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def _schema_validator():
    schema = json.loads((_HERE / "assessment.schema.json").read_text(encoding="utf-8"))
    return schema_validator(schema)


@functools.lru_cache(maxsize=2)
def _items(lang: str) -> pd.DataFrame:
    col = f"name_{lang}"
    parts = []
    for table, kind in (("enablers", "enabler"), ("capabilities", "capability")):
        df = load_dataset(table)
        parts.append(pd.DataFrame({"id": df["id"].astype(str), "kind": kind, "name": df[col].astype(str)}))
    return pd.concat(parts, ignore_index=True)


def assessment_items(lang: str | None = None) -> pd.DataFrame:
    """The 20 items assessed: ``id``, ``kind`` (enabler/capability), ``name`` in ``lang``."""
    return _items(resolve_lang(lang)).copy()


def _scale_id() -> str:
    return load_scale()["id"]


def _levels() -> range:
    levels = [lvl["level"] for lvl in load_scale()["levels"]]
    return range(min(levels), max(levels) + 1)


def assessment_to_json(name: str, scores: dict) -> str:
    """Serialise an assessment as JSON text (keys in item order, UTF-8, indented)."""
    order = list(_items("en")["id"])
    ordered = {k: int(scores[k]) for k in order if k in scores}
    doc = {"format": FORMAT, "version": VERSION, "scale": _scale_id(), "name": name, "scores": ordered}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def assessment_to_csv(name: str, scores: dict) -> str:
    """Serialise an assessment as CSV ``id,score,name``; the assessment's name is in a ``#`` line.

    >>> print(assessment_to_csv("Demo", {"EN-01": 3}).splitlines()[:3])
    ['# dcteach-self-assessment v1; scale dcteach-maturity-0-4; name: Demo', 'id,score,name', 'EN-01,3,Strategy']
    """
    names = dict(zip(_items("en")["id"], _items("en")["name"]))
    buf = io.StringIO()
    buf.write(f"# {FORMAT} v{VERSION}; scale {_scale_id()}; name: {' '.join(name.split())}\n")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for item in _items("en")["id"]:
        if item in scores:
            writer.writerow([item, int(scores[item]), names[item]])
    return buf.getvalue()


def _check_complete(scores: dict, source: str) -> dict:
    known = list(_items("en")["id"])
    unknown = [k for k in scores if k not in known]
    missing = [k for k in known if k not in scores]
    if unknown:
        raise AssessmentFileError(
            f"{source}: unknown item id {unknown[0]!r}; valid ids are EN-01…EN-07 and CAP-01…CAP-13"
        )
    if missing:
        raise AssessmentFileError(
            f"{source}: no score for {', '.join(missing[:5])}{'…' if len(missing) > 5 else ''}; "
            f"give every one of the {len(known)} items a level {_levels().start}–{_levels().stop - 1}"
        )
    return {k: int(scores[k]) for k in known}


def assessment_from_json(text: str, source: str = "<json>") -> tuple[str, dict]:
    """Parse and validate JSON text; return ``(name, scores)``."""
    doc = loads_located(text, source, AssessmentFileError,
                        "save the assessment again from the widget, or fix the JSON there")
    check_format(doc, source, AssessmentFileError, FORMAT, "a dcteach self-assessment",
                 "choose a file saved by the SelfAssessment widget")
    problem = first_schema_error(_schema_validator(), doc)
    if problem:
        where, message = problem
        raise AssessmentFileError(
            f"{source}: at {where}: {message}; scores are whole numbers "
            f"{_levels().start}–{_levels().stop - 1} keyed by item id (e.g. \"EN-01\": 2)"
        )
    return doc["name"], _check_complete(doc["scores"], source)


def assessment_from_csv(text: str, source: str = "<csv>") -> tuple[str, dict]:
    """Parse and validate CSV text (``id,score[,name]``); return ``(name, scores)``."""
    lines = text.splitlines()
    name = ""
    if lines and lines[0].startswith("#"):
        head = lines.pop(0)
        if FORMAT not in head:
            raise AssessmentFileError(f"{source}: line 1: not a dcteach self-assessment header")
        name = head.split("name:", 1)[1].strip() if "name:" in head else ""
    offset = 1 if text.startswith("#") else 0
    reader = csv.reader(lines)
    header = next(reader, None)
    if not header or [h.strip() for h in header[:2]] != CSV_HEADER[:2]:
        raise AssessmentFileError(
            f"{source}: row {1 + offset}: the header is {header!r}; a self-assessment CSV starts "
            "with the columns id,score (then optionally name)"
        )
    scores: dict = {}
    levels = _levels()
    for rownum, row in enumerate(reader, start=2 + offset):
        if not row or not any(c.strip() for c in row):
            continue
        item = row[0].strip()
        raw = row[1].strip() if len(row) > 1 else ""
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or value not in levels:
            raise AssessmentFileError(
                f"{source}: row {rownum}, column 'score': {raw!r} is not a level; "
                f"write a whole number {levels.start}–{levels.stop - 1}"
            )
        if item in scores:
            raise AssessmentFileError(f"{source}: row {rownum}, column 'id': {item!r} appears twice; keep one row")
        scores[item] = value
    return name, _check_complete(scores, source)


def save_assessment(path, name: str, scores: dict) -> Path:
    """Write an assessment atomically; ``.csv`` → CSV, anything else → JSON."""
    path = Path(path)
    text = assessment_to_csv(name, scores) if path.suffix.lower() == ".csv" else assessment_to_json(name, scores)
    return atomic_write_text(path, text)


def load_assessment(path) -> tuple[str, dict]:
    """Read an assessment file (``.csv`` or JSON); raise :class:`AssessmentFileError` if unusable."""
    path = Path(path)
    text = read_user_text(path, AssessmentFileError, not_text="is it a spreadsheet (.xlsx)? Export it as CSV")
    if path.suffix.lower() == ".csv":
        return assessment_from_csv(text, str(path))
    return assessment_from_json(text, str(path))
