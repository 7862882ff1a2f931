"""Competency classification: items, types, files, distribution and class agreement (pure)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pandas as pd

from dcteach._atomic import atomic_write_text
from dcteach._jsondoc import check_format, first_schema_error, loads_located, read_user_text, schema_validator
from dcteach._errors import DatasetError
from dcteach.assessment._agreement import fleiss_kappa
from dcteach.data import load_dataset
from dcteach.i18n import resolve_lang

__all__ = [
    "ClassificationFileError",
    "agreement",
    "classification_from_json",
    "classification_items",
    "classification_to_json",
    "competency_types",
    "fleiss_kappa",
    "load_class_folder",
    "load_classification",
    "save_classification",
    "type_distribution",
]

FORMAT, VERSION = "dcteach-competency-classification", 1
_HERE = Path(__file__).resolve().parent


class ClassificationFileError(DatasetError):
    """A classification file is unreadable, corrupt or not a classification."""


@functools.lru_cache(maxsize=1)
def _validator():
    schema = json.loads((_HERE / "classification.schema.json").read_text(encoding="utf-8"))
    return schema_validator(schema)


def competency_types() -> list[str]:
    """The four types of the article's first grouping (strategic, core, key, leading).

    >>> competency_types()
    ['strategic', 'core', 'key', 'leading']
    """
    ct = load_dataset("competency_types")
    return list(ct.loc[ct["in_grouping_a"].fillna(False).astype(bool), "term"].astype(str))


@functools.lru_cache(maxsize=2)
def _items(lang: str) -> pd.DataFrame:
    parts = []
    for table, kind in (("capabilities", "capability"), ("action_plan", "action_plan")):
        df = load_dataset(table)
        parts.append(pd.DataFrame({"id": df["id"].astype(str), "kind": kind, "name": df[f"name_{lang}"].astype(str)}))
    return pd.concat(parts, ignore_index=True)


def classification_items(lang: str | None = None) -> pd.DataFrame:
    """The 20 items to classify: 13 capabilities and 7 action-plan areas (``id``, ``kind``, ``name``).

    >>> classification_items("en")["kind"].value_counts().to_dict()
    {'capability': 13, 'action_plan': 7}
    """
    return _items(resolve_lang(lang)).copy()


def type_distribution(assignments: dict) -> pd.Series:
    """How many items are in each competency type (all four types, zeros included).

    >>> type_distribution({"CAP-01": "key", "CAP-02": "key", "AP-01": None}).to_dict()
    {'strategic': 0, 'core': 0, 'key': 2, 'leading': 0}
    """
    types = competency_types()
    counts = pd.Series([v for v in assignments.values() if v], dtype="object").value_counts()
    return counts.reindex(types, fill_value=0).astype("int64")


def classification_to_json(student: str, assignments: dict, justifications: dict | None = None) -> str:
    """Serialise one student's classification (every item, unclassified ones as ``null``)."""
    justifications = justifications or {}
    items = {i: {"type": assignments.get(i), "justification": justifications.get(i, "")}
             for i in _items("en")["id"]}
    doc = {"format": FORMAT, "version": VERSION, "student": student, "items": items}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def classification_from_json(text: str, source: str = "<json>") -> dict:
    """Parse and validate; return ``{"student", "assignments", "justifications"}``.

    >>> classification_from_json('{"format": "other"}', "x.json")
    Traceback (most recent call last):
    ...
    dcteach.assessment._classify.ClassificationFileError: x.json: not a dcteach competency classification (no "format": "dcteach-competency-classification"); choose a file saved by the CompetencyClassifier widget
    """
    doc = loads_located(text, source, ClassificationFileError, "save the classification again from the widget")
    check_format(doc, source, ClassificationFileError, FORMAT, "a dcteach competency classification",
                 "choose a file saved by the CompetencyClassifier widget")
    problem = first_schema_error(_validator(), doc)
    if problem:
        where, message = problem
        raise ClassificationFileError(
            f"{source}: at {where}: {message}; types are {', '.join(competency_types())} or null"
        )
    known = set(_items("en")["id"])
    unknown = sorted(set(doc["items"]) - known)
    if unknown:
        raise ClassificationFileError(f"{source}: at items/{unknown[0]}: unknown item id; valid ids are CAP-01…CAP-13 and AP-01…AP-07")
    return {
        "student": doc["student"],
        "assignments": {k: v["type"] for k, v in doc["items"].items()},
        "justifications": {k: v.get("justification", "") for k, v in doc["items"].items()},
    }


def save_classification(path, student: str, assignments: dict, justifications: dict | None = None) -> Path:
    """Write a classification as JSON, atomically."""
    return atomic_write_text(Path(path), classification_to_json(student, assignments, justifications))


def load_classification(path) -> dict:
    """Read one classification file; raise :class:`ClassificationFileError` if unusable."""
    text = read_user_text(path, ClassificationFileError)
    return classification_from_json(text, str(path))


def load_class_folder(folder) -> tuple[list[dict], list[str]]:
    """Read every ``*.json`` of a folder: ``(classifications, problems)``; bad files are skipped.

    Each problem names the file and says what is wrong; nothing raises for a bad file.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ClassificationFileError(f"{folder}: not a folder; give the folder holding the students' .json files")
    docs, problems = [], []
    for path in sorted(folder.glob("*.json")):
        try:
            doc = load_classification(path)
        except ClassificationFileError as exc:
            problems.append(str(exc))
            continue
        doc["file"] = path.name
        docs.append(doc)
    return docs, problems


def agreement(docs: list[dict]) -> pd.DataFrame:
    """Per item: answers, counts per type, the modal type(s) and its share. No right answer is assumed.

    Ties list every modal type joined by " / ".

    >>> docs = [{"assignments": {"CAP-01": "key"}}, {"assignments": {"CAP-01": "key"}},
    ...         {"assignments": {"CAP-01": "core"}}]
    >>> row = agreement(docs).set_index("id").loc["CAP-01"]
    >>> int(row["n"]), row["modal"], round(float(row["share"]), 2)
    (3, 'key', 0.67)
    """
    types = competency_types()
    ids = list(_items("en")["id"])
    counts = pd.DataFrame(0, index=pd.Index(ids, name="id"), columns=types, dtype="int64")
    for doc in docs:
        for item, typ in doc["assignments"].items():
            if typ in counts.columns and item in counts.index:
                counts.loc[item, typ] += 1
    n = counts.sum(axis=1)
    top = counts.max(axis=1)
    modal = [" / ".join(t for t in types if c[t] == m) if m else "" for (_, c), m in zip(counts.iterrows(), top)]
    out = counts.reset_index()
    out.insert(1, "n", n.to_numpy())
    out["modal"] = modal
    out["share"] = np.where(n > 0, top / n.where(n > 0, 1), np.nan)
    return out
