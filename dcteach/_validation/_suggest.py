"""Did you mean …? The closest known value within a small edit distance.

The distance is the optimal string alignment distance (insertions,
deletions, substitutions and swaps of two neighbouring characters, each 1),
computed only up to the limit, so a miss costs little.

>>> closest("EN-O3", ["EN-01", "EN-02", "EN-03"])
'EN-03'
>>> closest("XYZ-99", ["EN-01", "EN-02"]) is None
True
"""

from __future__ import annotations

from typing import Iterable

__all__ = ["closest", "distance"]


def distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal string alignment distance of *a* and *b*, or ``limit + 1`` if it exceeds *limit*.

    >>> distance("EN-O3", "EN-03"), distance("ab", "ba"), distance("abc", "xyz")
    (1, 1, 3)
    """
    if a == b:
        return 0
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        best = cur[0]
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            best = min(best, v)
        if best > limit:
            return limit + 1
        prev2, prev = prev, cur
    return min(prev[-1], limit + 1)


def closest(value: str, known: Iterable[str], limit: int = 2, budget: int = 200_000) -> str | None:
    """The known value nearest to *value* within *limit* edits (ties: the first), else None.

    At most *budget* candidates (of a length close enough) are compared, so a
    huge reference table cannot slow a report down.
    """
    best, best_d = None, limit + 1
    n = len(value)
    seen = 0
    for k in known:
        if not isinstance(k, str) or abs(len(k) - n) > limit or k == value:
            continue
        seen += 1
        if seen > budget:
            break
        d = distance(value, k, min(limit, best_d - 1) if best_d <= limit else limit)
        if d < best_d:
            best, best_d = k, d
            if d == 1:
                break
    return best if best_d <= limit else None
