"""Russian (or any non-English) column headers for tables shown in Jupyter.

``load_dataset(name, lang="ru")`` keeps the English column names (code written for
one language runs in the other: ``df["name_ru"]``, ``df[["id", "group"]]``), records
``lang`` in ``df.attrs``, and registers -- once, only inside IPython -- a display
formatter that shows such frames (and what is selected from them, which keeps
``attrs``) with the headers of the message catalogues (``columns.<name>``).
Frames without ``attrs["lang"]`` display as pandas displays them. Every table (and Styler) is
shown in a keyboard-focusable box, so that a wide one can be scrolled without a mouse.
"""

from __future__ import annotations

import sys

import pandas as pd

_registered: set[int] = set()


def labelled(df, lang: str | None = None):
    """A copy of ``df`` whose column (and index) names are headers in ``lang``.

    >>> import dcteach as dc
    >>> list(labelled(dc.load_dataset("enablers", lang="ru")[["id", "name_ru"]]).columns)
    ['Идентификатор', 'Название (рус.)']
    """
    from dcteach.i18n import column_label

    lang = lang or df.attrs.get("lang", "en")
    out = df.rename(columns=lambda c: column_label(c, lang) if isinstance(c, str) else c)
    if isinstance(out.index, pd.MultiIndex):
        out.index = out.index.set_names([column_label(n, lang) if isinstance(n, str) else n
                                         for n in out.index.names])
    elif isinstance(out.index.name, str):
        out.index = out.index.rename(column_label(out.index.name, lang))
    return out


def _shown(obj):
    lang = obj.attrs.get("lang")
    return labelled(obj, lang) if lang and lang != "en" else obj


def _focusable(html: str | None) -> str | None:
    """``html`` in a keyboard-focusable box: a wide table scrolls inside the output area, and a
    scrollable region must be reachable from the keyboard (WCAG 2.1.1; axe-core's
    ``scrollable-region-focusable``).

    >>> _focusable("<table></table>")
    '<div class="dcteach-table-scroll" tabindex="0"><table></table></div>'
    """
    return None if html is None else f'<div class="dcteach-table-scroll" tabindex="0">{html}</div>'


def _html(obj):
    return _focusable(_shown(obj)._repr_html_())


def _styler_html(styler):
    return _focusable(styler._repr_html_())


def _plain(obj, p, cycle):
    p.text(repr(_shown(obj)))


def register() -> None:
    """Install the formatters in the running IPython shell (no-op outside IPython)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or id(shell) in _registered:
        return
    formatters = shell.display_formatter.formatters
    formatters["text/html"].for_type(pd.DataFrame, _html)
    from pandas.io.formats.style import Styler

    formatters["text/html"].for_type(Styler, _styler_html)
    formatters["text/plain"].for_type(pd.DataFrame, _plain)
    _registered.add(id(shell))
