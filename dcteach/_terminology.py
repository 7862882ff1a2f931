"""The preferred Russian terms (``datasets/terminology.csv``) as a checker of texts.

A rejected variant is matched by word stems (``связанность`` also finds
``связанности``), abbreviations exactly; a row's ``applies_when`` words limit the
rejection to texts that mention one of them (e.g. an EEU context).

>>> [d.term_id for d in deviations("Связанность и связность")]
['TERM-04']
>>> deviations("таможенные администрации стран ВТамО")
[]
>>> [d.found for d in deviations("таможенными администрациями государств ЕАЭС")]
['таможенными администрациями']
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

__all__ = ["Deviation", "deviations", "rules"]


@dataclass(frozen=True)
class Deviation:
    term_id: str
    found: str
    preferred: str


def _split(cell) -> list[str]:
    if cell is None or (isinstance(cell, float)) or str(cell) in ("", "<NA>"):
        return []
    return [v.strip() for v in str(cell).split("|") if v.strip()]


def _pattern(variant: str) -> re.Pattern:
    parts = []
    for tok in re.findall(r"\w+|[^\w\s]", variant):
        if not re.match(r"\w", tok):
            parts.append(re.escape(tok))
        elif sum(ch.isupper() for ch in tok) >= 2:  # an abbreviation: exactly
            parts.append(rf"\b{re.escape(tok)}\b")
        else:
            parts.append(rf"\b{re.escape(tok[: max(4, len(tok) - 2)])}\w*")
    return re.compile(r"[\s«»\"]*".join(parts), re.IGNORECASE if not any(
        sum(ch.isupper() for ch in t) >= 2 for t in re.findall(r"\w+", variant)) else 0)


@functools.lru_cache(maxsize=1)
def rules() -> tuple:
    """``((term_id, preferred, [patterns], [context words]), ...)`` from the data package."""
    from dcteach.data import load_dataset

    df = load_dataset("terminology")
    return tuple(
        (r.id, r.name_ru, tuple(_pattern(v) for v in _split(r.rejected_ru)), tuple(_split(r.applies_when)))
        for r in df.itertuples()
    )


def deviations(text: str) -> list[Deviation]:
    """Rejected variants found in ``text`` (one text unit: a paragraph, a message, a data row)."""
    found = []
    low = text.lower()
    for term_id, preferred, patterns, context in rules():
        if context and not any(c.lower() in low for c in context):
            continue
        for pat in patterns:
            for m in pat.finditer(text):
                found.append(Deviation(term_id, m[0], preferred))
    return found
