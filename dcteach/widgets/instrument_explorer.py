"""InstrumentExplorer: filter the WCO instruments by group, priority area and text (en + ru).

>>> from dcteach.widgets import InstrumentExplorer
>>> ex = InstrumentExplorer(lang="en")
>>> ex.group_select.value = "strategic"
>>> ex.count_html.value
'<b>3 instruments match</b>'
>>> ex.text_box.value = "данных"            # Russian text works in the English view too
>>> ex.n_matches
0
"""

from __future__ import annotations

import ipywidgets as w
import numpy as np
import pandas as pd
import traitlets as t

from dcteach.data import load_dataset
from dcteach.i18n import _, field_labels, ngettext
from dcteach.widgets._common import TABLE_CSS, Choice, esc, resolve_lang

__all__ = ["InstrumentExplorer", "filter_instruments", "MAX_ROWS"]

#: Rows drawn in the table at most (the count says how many match).
MAX_ROWS = 50
_TEXT_COLUMNS = ("id", "name_en", "name_ru", "abbreviation", "document_title")


def _haystack(df: pd.DataFrame) -> pd.Series:
    """Lower-cased text of the searchable columns, one string per row."""
    cols = [df[c].astype("string").fillna("") for c in _TEXT_COLUMNS if c in df.columns]
    joined = cols[0].str.cat(cols[1:], sep="\u241f") if cols else pd.Series("", index=df.index)
    return joined.str.casefold()


def filter_instruments(
    df: pd.DataFrame,
    group: str | None = None,
    priority_area: str | None = None,
    text: str = "",
    links: pd.DataFrame | None = None,
    *,
    haystack: pd.Series | None = None,
) -> pd.DataFrame:
    """Instruments matching all the given filters (vectorised; order kept).

    Parameters
    ----------
    df : DataFrame
        The ``instruments`` table (English codes in ``group``).
    group : str, optional
        A group code: ``strategic``, ``political_legal`` or ``operational``.
    priority_area : str, optional
        A priority-area id (``PA-01``…); keeps instruments linked to it in
        ``links`` (the editorial ``instrument_priority_links`` table; loaded if omitted).
    text : str
        Words to find, case-insensitively, in the id, the English and Russian
        names, the abbreviation or the document title; every word must occur.
    haystack : Series, optional
        Precomputed search text (see :func:`_haystack`) to skip recomputing it.

    Examples
    --------
    >>> import dcteach as dc
    >>> ins = dc.load_dataset("instruments")
    >>> list(filter_instruments(ins, group="strategic")["id"])
    ['INS-SP', 'INS-ITG', 'INS-SW1']
    >>> list(filter_instruments(ins, priority_area="PA-03")["id"])
    ['INS-DM']
    >>> list(filter_instruments(ins, text="киотская")["id"])
    ['INS-RKC']
    """
    mask = np.ones(len(df), dtype=bool)
    if group:
        mask &= (df["group"].astype(str) == group).to_numpy()
    if priority_area:
        links = load_dataset("instrument_priority_links") if links is None else links
        linked = links.loc[links["priority_area_id"] == priority_area, "instrument_id"]
        mask &= df["id"].isin(set(linked)).to_numpy()
    words = str(text or "").casefold().split()
    if words:
        hay = _haystack(df) if haystack is None else haystack
        for word in words:
            mask &= hay.str.contains(word, regex=False).to_numpy(dtype=bool, na_value=False)
    return df[mask]


class InstrumentExplorer(w.VBox):
    """Filters, a table of matching instruments with their count, and a detail pane.

    Parameters
    ----------
    lang : {"en", "ru"}, optional
    instruments, links, priority_areas, sources : DataFrame, optional
        Tables to explore instead of the core ones (e.g. a researcher's extension).

    Attributes
    ----------
    group, priority_area, text, selected : traits
        The filters and the selected instrument id (``None`` when none).
    n_matches : int (trait)
    """

    lang = t.Unicode("en")
    group = t.Unicode(None, allow_none=True)
    priority_area = t.Unicode(None, allow_none=True)
    text = t.Unicode("")
    selected = t.Unicode(None, allow_none=True)
    n_matches = t.Int(0)

    def __init__(self, *, lang: str | None = None, instruments=None, links=None,
                 priority_areas=None, sources=None, **kwargs):
        lang = resolve_lang(lang)
        self.instruments = load_dataset("instruments") if instruments is None else instruments
        self.links = load_dataset("instrument_priority_links") if links is None else links
        pas = load_dataset("priority_areas") if priority_areas is None else priority_areas
        self.sources = load_dataset("sources") if sources is None else sources
        self._hay = _haystack(self.instruments)
        self._by_id = self.instruments.set_index("id", drop=False)
        self._name_col = f"name_{lang}"
        groups = field_labels("instruments", "group", lang)
        self._group_labels = groups
        everything = _("explorer.all", lang)
        self.group_select = Choice(options=[(everything, None)] + [(v, k) for k, v in groups.items()],
                                       value=None, description=_("explorer.group", lang),
                                       style={"description_width": "initial"})
        self.priority_select = Choice(
            options=[(everything, None)] + [(f"{r.id} {getattr(r, self._name_col)}", r.id) for r in pas.itertuples()],
            value=None, description=_("explorer.priority_area", lang), style={"description_width": "initial"})
        # wide enough for the whole placeholder (it is the only example of what to type)
        self.text_box = w.Text(value="", description=_("explorer.search", lang),
                               placeholder=_("explorer.search_placeholder", lang),
                               style={"description_width": "initial"}, layout=w.Layout(width="min(100%, 40em)"))
        self.count_html = w.HTML()
        self.table_html = w.HTML()
        self._choose = _("map.choose", lang)
        self.instrument_select = Choice(options=[(self._choose, None)], value=None,
                                        description=_("explorer.details_of", lang),
                                            style={"description_width": "initial"},
                                            layout=w.Layout(width="95%"))
        self.detail_html = w.HTML()
        note = w.HTML(f"<small>{esc(_('explorer.links_note', lang))}</small>")
        super().__init__(children=[w.HBox([self.group_select, self.priority_select]), self.text_box, note,
                                   self.count_html, self.table_html, self.instrument_select,
                                   self.detail_html], **kwargs)
        self.add_class("dcteach-instrument-explorer")
        for part, css in ((self.count_html, "count"), (self.table_html, "table"), (self.detail_html, "detail")):
            part.add_class(f"dcteach-explorer-{css}")
        self.lang = lang
        # controls → traits → pure function
        for control, trait in ((self.group_select, "group"), (self.priority_select, "priority_area"),
                               (self.text_box, "text"), (self.instrument_select, "selected")):
            w.link((control, "value"), (self, trait))
        self.observe(self._refresh, ["group", "priority_area", "text"])
        self.observe(self._show_detail, "selected")
        self._refresh()

    def matches(self) -> pd.DataFrame:
        """The instruments matching the current filters."""
        return filter_instruments(self.instruments, self.group, self.priority_area, self.text,
                                  self.links, haystack=self._hay)

    def _refresh(self, _change=None) -> None:
        found = self.matches()
        n = len(found)
        self.n_matches = n
        shown = found.iloc[:MAX_ROWS]
        count = esc(ngettext("explorer.count", n, self.lang))
        if n > MAX_ROWS:
            count += " — " + esc(_("explorer.first_rows", self.lang, shown=MAX_ROWS))
        self.count_html.value = f"<b>{count}</b>"
        self.table_html.value = self._table(shown)
        options = [(self._choose, None)] + [(f"{i} — {nm}", i) for i, nm in zip(shown["id"], shown[self._name_col])]
        keep = self.selected if self.selected in set(shown["id"]) else None
        self.instrument_select.options = options
        self.instrument_select.value = keep
        self.selected = keep
        self._show_detail()

    def _table(self, shown: pd.DataFrame) -> str:
        if shown.empty:
            return f"<p>{esc(_('explorer.none', self.lang))}</p>"
        head = "".join(f'<th scope="col">{esc(_(k, self.lang))}</th>' for k in
                       ("explorer.col.id", "explorer.col.group", "explorer.col.name", "explorer.col.footnote"))
        groups = [self._group_labels.get(g, g) for g in shown["group"].astype(str)]
        rows = "".join(
            f"<tr><td>{esc(i)}</td><td>{esc(g)}</td><td>{esc(nm)}</td><td>{esc(fn)}</td></tr>"
            for i, g, nm, fn in zip(shown["id"], groups, shown[self._name_col], shown["footnote"])
        )
        caption = esc(_("explorer.caption", self.lang))
        return (f'{TABLE_CSS}<table class="dcteach-table"><caption>{caption}</caption>'
                f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")

    def _show_detail(self, _change=None) -> None:
        if not self.selected or self.selected not in self._by_id.index:
            self.detail_html.value = f"<p>{esc(_('explorer.pick', self.lang))}</p>"
            return
        row = self._by_id.loc[self.selected]
        src_names = self.sources.set_index("id")[self._name_col] if "id" in self.sources else {}
        source = row.get("source_id")
        fields = [
            ("explorer.detail.name", row.get(self._name_col)),
            ("explorer.detail.group", self._group_labels.get(str(row.get("group")), row.get("group"))),
            ("explorer.detail.footnote", row.get("footnote")),
            ("explorer.detail.document", row.get("document_title")),
            ("explorer.detail.url", row.get("url")),
            ("explorer.detail.source", f"{source} — {src_names.get(source, '')}" if source else None),
            ("explorer.detail.locator", row.get("locator")),
            ("explorer.detail.ambiguity", row.get("ambiguity")),
            ("explorer.detail.note", row.get("note")),
        ]
        items = "".join(f"<dt>{esc(_(k, self.lang))}</dt><dd>{esc(v)}</dd>" for k, v in fields
                        if esc(v) != "")
        self.detail_html.value = f"<h4>{esc(self.selected)}</h4><dl>{items}</dl>"
