"""Tables for people: :func:`table` shows a DataFrame in a notebook without ``NaN`` or wrapped ids."""

from __future__ import annotations

import hashlib

import pandas as pd

__all__ = ["table"]

#: Columns whose values are identifiers or codes: never broken over two lines.
_ID_LIKE = ("id", "code", "locator", "date", "footnote", "number")


def _id_like(column) -> bool:
    name = str(column).lower()
    return any(name == k or name.endswith("_" + k) or name.startswith(k + "_") for k in _ID_LIKE)


def table(df: pd.DataFrame, *, caption: str | None = None, missing: str = "—", index: bool = False,
          nowrap=None):
    """A pandas Styler of ``df`` for reading in a notebook: the call notebooks use to show a table.

    Missing values (``NaN``, ``<NA>``, ``None``) show as ``missing`` (default an
    em dash) instead of ``NaN``; identifier columns (``id``, ``*_id``, ``code``,
    ``locator``, dates...) never wrap; headers are left-aligned over left-aligned
    text; the index is hidden unless ``index=True``. The HTML ids are derived
    from the content, so re-running a notebook gives the same output.

    Parameters
    ----------
    df : DataFrame
    caption : str, optional
        A caption (says what the table is; read by screen readers first).
    missing : str
        Shown in place of a missing value.
    index : bool
        Show the index as the first column.
    nowrap : list of str, optional
        Columns never broken over lines (default: the identifier-like ones).

    Examples
    --------
    >>> import dcteach as dc
    >>> html = dc.table(dc.load_dataset("instruments")[["id", "abbreviation"]].head(3)).to_html()
    >>> "nan" in html.lower() or "&lt;NA&gt;" in html
    False
    >>> "white-space: nowrap" in html
    True
    """
    digest = hashlib.sha1(pd.util.hash_pandas_object(df.astype("string"), index=True).to_numpy().tobytes()
                          + repr(list(df.columns)).encode()).hexdigest()[:10]
    styler = df.style.set_uuid(f"dcteach{digest}").format(na_rep=missing)
    cols = [c for c in df.columns if _id_like(c)] if nowrap is None else list(nowrap)
    if cols:
        styler = styler.set_properties(subset=cols, **{"white-space": "nowrap"})
    styler = styler.set_table_styles([
        {"selector": "th", "props": [("text-align", "left"), ("vertical-align", "bottom")]},
        {"selector": "td", "props": [("text-align", "left"), ("vertical-align", "top")]},
        {"selector": "caption", "props": [("text-align", "left"), ("font-weight", "bold")]},
    ], overwrite=False)
    if caption:
        styler = styler.set_caption(caption)
    if not index:
        styler = styler.hide(axis="index")
    return styler
