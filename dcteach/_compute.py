"""Pure computations behind the plots and widgets (no matplotlib, no ipywidgets).

>>> m = priority_matrix("en")
>>> m.shape
(24, 7)
>>> int(m.values.sum())
29
>>> format_partial_date("2018", "year"), format_partial_date("2016-04-11", "day", "2016-04-13")
('2018', '2016-04-11 – 2016-04-13')
"""

from __future__ import annotations

import pandas as pd

from dcteach.data import load_dataset
from dcteach.i18n import resolve_lang

__all__ = [
    "date_position",
    "format_partial_date",
    "gap_list",
    "name_column",
    "priority_matrix",
]


def name_column(lang: str) -> str:
    """The name column of a table in ``lang`` (``name_en`` or ``name_ru``)."""
    return f"name_{resolve_lang(lang)}"


def priority_matrix(
    lang: str | None = None,
    *,
    instruments: pd.DataFrame | None = None,
    links: pd.DataFrame | None = None,
    priority_areas: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Instruments × priority areas: 1 where our editorial mapping draws a link, else 0.

    Rows are instrument ids (in table order), columns priority-area ids.
    ``attrs["row_labels"]`` and ``attrs["col_labels"]`` map ids to names in
    ``lang``; ``attrs["basis"]`` is ``"editorial"`` (the article draws no such map).

    >>> m = priority_matrix("ru")
    >>> int(m.loc["INS-DM", "PA-03"]), int(m.loc["INS-DM", "PA-01"])
    (1, 0)
    >>> m.attrs["col_labels"]["PA-03"]
    'Модель данных'
    """
    lang = resolve_lang(lang)
    ins = load_dataset("instruments") if instruments is None else instruments
    pas = load_dataset("priority_areas") if priority_areas is None else priority_areas
    lnk = load_dataset("instrument_priority_links") if links is None else links
    matrix = pd.DataFrame(0, index=pd.Index(ins["id"], name="instrument_id"),
                          columns=pd.Index(pas["id"], name="priority_area_id"), dtype="int64")
    known = lnk[lnk["instrument_id"].isin(matrix.index) & lnk["priority_area_id"].isin(matrix.columns)]
    rows = matrix.index.get_indexer(known["instrument_id"])
    cols = matrix.columns.get_indexer(known["priority_area_id"])
    values = matrix.to_numpy(copy=True)
    values[rows, cols] = 1
    matrix.loc[:, :] = values
    col = name_column(lang)
    matrix.attrs.update(
        row_labels=dict(zip(ins["id"], ins[col])),
        col_labels=dict(zip(pas["id"], pas[col])),
        basis="editorial",
    )
    return matrix


def gap_list(scores, *, names: dict | None = None, target: int = 4) -> pd.DataFrame:
    """Items sorted weakest first, with their gap to ``target`` (ties keep item order).

    Parameters
    ----------
    scores : mapping or pandas.Series
        ``{item id: level}``.
    names : dict, optional
        ``{item id: name}`` for the ``name`` column.
    target : int
        The level counted as no gap (default 4, the top of the scale).

    >>> gap_list({"EN-01": 3, "EN-02": 1, "EN-03": 1}, target=4)
          id name  score  gap
    0  EN-02          1    3
    1  EN-03          1    3
    2  EN-01          3    1
    """
    s = pd.Series(scores, dtype="int64") if not isinstance(scores, pd.Series) else scores.astype("int64")
    names = names or {}
    out = pd.DataFrame({"id": s.index.astype(str), "score": s.to_numpy()})
    out.insert(1, "name", [names.get(i, "") for i in out["id"]])
    out["gap"] = target - out["score"]
    return out.sort_values("score", kind="stable").reset_index(drop=True)


def format_partial_date(start, precision=None, end=None) -> str:
    """A partial ISO date as precise as the source allows ("2018", never "2018-01-01").

    >>> format_partial_date("2018-06", "month")
    '2018-06'
    >>> format_partial_date("2015-12-07", "day", "2015-12-09")
    '2015-12-07 – 2015-12-09'
    """
    start = "" if start is None or pd.isna(start) else str(start)
    digits = {"year": 4, "month": 7, "day": 10}.get(str(precision), len(start))
    text = start[:digits]
    if end is not None and not pd.isna(end) and str(end) and str(end) != start:
        text += f" – {end}"
    return text


def date_position(start: str) -> pd.Timestamp:
    """Where a partial date sits on a time axis: mid-year for YYYY, mid-month for YYYY-MM.

    >>> date_position("2018"), date_position("2018-06"), date_position("2016-04-11")
    (Timestamp('2018-07-01 00:00:00'), Timestamp('2018-06-15 00:00:00'), Timestamp('2016-04-11 00:00:00'))
    """
    parts = str(start).split("-")
    if len(parts) == 1:
        return pd.Timestamp(int(parts[0]), 7, 1)
    if len(parts) == 2:
        return pd.Timestamp(int(parts[0]), int(parts[1]), 15)
    return pd.Timestamp(str(start))
