"""PriorityMap: heatmap of instruments × priority areas (our editorial mapping) and its rationale.

>>> from dcteach.widgets import PriorityMap
>>> pm = PriorityMap(lang="en")
>>> pm.instrument_select.value, pm.priority_select.value = "INS-DM", "PA-03"
>>> pm.linked
True
>>> pm.priority_select.value = "PA-01"
>>> pm.rationale_html.value
'<p><b>INS-DM × PA-01</b>: no link drawn.</p>'
>>> pm.cells["INS-RKC", "PA-06"].click()           # or click a cell of the matrix
>>> pm.instrument, pm.priority_area, pm.linked
('INS-RKC', 'PA-06', True)
"""

from __future__ import annotations

import ipywidgets as w
import matplotlib.pyplot as plt
import pandas as pd
import traitlets as t

from dcteach._compute import priority_matrix
from dcteach.data import load_dataset
from dcteach.i18n import _
from dcteach.plots import plot_priority_map
from dcteach.widgets._common import Choice, a11y_support, esc, new_output, resolve_lang, show_figure

__all__ = ["LINK_MARK", "PriorityMap", "link_rationale", "rationale_text"]

#: The mark of a linked cell in the matrix (as on the heatmap); a symbol, not a word.
LINK_MARK = "\u2713"


def rationale_text(link: dict, lang: str) -> tuple[str, bool]:
    """The rationale of a link row in ``lang`` and whether it fell back to English.

    A Russian rationale comes from the ``rationale_ru`` column (our translation)
    when the table has it and the cell is not blank; otherwise the English one.

    >>> rationale_text({"rationale": "Data model.", "rationale_ru": "Модель данных."}, "ru")
    ('Модель данных.', False)
    >>> rationale_text({"rationale": "Data model.", "rationale_ru": None}, "ru")
    ('Data model.', True)
    >>> rationale_text({"rationale": "Data model."}, "en")
    ('Data model.', False)
    """
    if lang == "en":
        return link.get("rationale") or "", False
    own = (link.get(f"rationale_{lang}") or "").strip()
    return (own, False) if own else (link.get("rationale") or "", True)


def link_rationale(links: pd.DataFrame, instrument_id: str, priority_area_id: str) -> dict | None:
    """The link row between an instrument and a priority area, as a dict, or ``None``.

    >>> import dcteach as dc
    >>> link_rationale(dc.load_dataset("instrument_priority_links"), "INS-DM", "PA-03")["basis"]
    'editorial'
    """
    hit = links[(links["instrument_id"] == instrument_id) & (links["priority_area_id"] == priority_area_id)]
    if hit.empty:
        return None
    row = hit.iloc[0]
    return {k: (None if pd.isna(v) else str(v)) for k, v in row.items()}


class PriorityMap(w.VBox):
    """Heatmap with the editorial basis stated; choose a cell to read why the link is drawn.

    A cell is chosen with the two dropdowns or by clicking it in a matrix of
    buttons (one per instrument × priority area, ✓ where a link is drawn; each
    named "instrument × priority area: linked / not linked" for screen readers
    and as its tooltip). The chosen cell is outlined on the heatmap and in the
    matrix, and its rationale is shown in text.

    Parameters
    ----------
    lang : {"en", "ru"}, optional
    links : DataFrame, optional
        The ``instrument_priority_links`` table (default: the core one). In
        Russian the ``rationale_ru`` column is shown where it has text.

    Attributes
    ----------
    instrument, priority_area : traits (ids, or ``None``)
    cells : dict
        ``{(instrument id, priority area id): ipywidgets.Button}``, the clickable matrix.
    linked : bool (trait)
        Whether the chosen cell holds a link.
    """

    lang = t.Unicode("en")
    instrument = t.Unicode(None, allow_none=True)
    priority_area = t.Unicode(None, allow_none=True)
    linked = t.Bool(False)
    _batch = False

    def __init__(self, *, lang: str | None = None, links: pd.DataFrame | None = None, **kwargs):
        lang = resolve_lang(lang)
        self.links = load_dataset("instrument_priority_links") if links is None else links
        self.matrix = priority_matrix(lang)
        rows, cols = self.matrix.attrs["row_labels"], self.matrix.attrs["col_labels"]
        self.instrument_select = Choice(
            options=[(_("map.choose", lang), None)] + [(f"{i} {rows[i]}", i) for i in self.matrix.index],
            value=None, description=_("map.instrument", lang), style={"description_width": "initial"},
            layout=w.Layout(width="60%"))
        self.priority_select = Choice(
            options=[(_("map.choose", lang), None)] + [(f"{c} {cols[c]}", c) for c in self.matrix.columns],
            value=None, description=_("map.priority_area", lang), style={"description_width": "initial"})
        self.basis_html = w.HTML(f"<p><b>{esc(_('map.basis', lang))}</b> {esc(_('map.basis_note', lang))}</p>")
        self.rationale_html = w.HTML()
        self.out = new_output("dcteach-map-figure")
        self.figure, self.ax = plt.subplots(figsize=(10, 8))
        plt.close(self.figure)
        self.cells: dict[tuple[str, str], w.Button] = {}
        self.grid = self._matrix_grid(lang, rows, cols)
        self._selected_cell: w.Button | None = None
        super().__init__(children=[a11y_support(), self.basis_html,
                                   w.HBox([self.instrument_select, self.priority_select],
                                          layout=w.Layout(flex_flow="row wrap")),
                                   w.HTML(f"<p>{esc(_('map.grid_title', lang))}</p>"), self.grid,
                                   self.rationale_html, self.out], **kwargs)
        self.add_class("dcteach-priority-map")
        self.rationale_html.add_class("dcteach-map-rationale")
        self.lang = lang
        w.link((self.instrument_select, "value"), (self, "instrument"))
        w.link((self.priority_select, "value"), (self, "priority_area"))
        self.observe(self._refresh, ["instrument", "priority_area"])
        self._refresh()

    def _matrix_grid(self, lang: str, rows: dict, cols: dict) -> w.GridBox:
        """Header row of priority-area ids, then per instrument its id and one button per area.

        The cell buttons share one layout and one style: each widget is a model
        the kernel sends to the browser, so sharing sends 168 widgets instead of
        504 (the matrix is 24 × 7) and opens the map faster when a class does it
        at once (``benchmarks/bench_hub.py``).
        """
        cell_layout = w.Layout(width="auto", height="auto", min_height="1.8em", padding="0", margin="0")
        cell_style = w.ButtonStyle()
        children = [w.Label("")]
        for c in self.matrix.columns:
            children.append(w.Label(c, tooltip=f"{c} {cols[c]}", layout=w.Layout(justify_content="center")))
        for r in self.matrix.index:
            children.append(w.Label(r, tooltip=f"{r} {rows[r]}"))
            for c in self.matrix.columns:
                linked = bool(self.matrix.at[r, c])
                key = "map.cell_linked" if linked else "map.cell_not_linked"
                button = w.Button(description=LINK_MARK if linked else "",
                                  tooltip=_(key, lang, instrument=f"{r} {rows[r]}", area=f"{c} {cols[c]}"),
                                  layout=cell_layout, style=cell_style)
                button.add_class("dcteach-cell")
                button.on_click(lambda _b, r=r, c=c: self.select(r, c))
                self.cells[r, c] = button
                children.append(button)
        grid = w.GridBox(children, layout=w.Layout(
            grid_template_columns=f"minmax(4.5em, max-content) repeat({self.matrix.shape[1]}, minmax(2.2em, 4em))",
            grid_gap="1px", width="auto", max_width="100%", overflow="auto"))
        grid.add_class("dcteach-map-grid")
        return grid

    def select(self, instrument: str | None, priority_area: str | None) -> None:
        """Choose the cell ``instrument × priority_area`` (what a click on the matrix does)."""
        self._batch = True  # one refresh (one heatmap draw) for both traits
        try:
            self.instrument, self.priority_area = instrument, priority_area
        finally:
            self._batch = False
        self._refresh()

    def _mark_selected(self, cell) -> None:
        chosen = self.cells.get(cell)
        if chosen is self._selected_cell:
            return
        if self._selected_cell is not None:
            self._selected_cell.remove_class("dcteach-selected")
        if chosen is not None:
            chosen.add_class("dcteach-selected")
        self._selected_cell = chosen

    def _refresh(self, _change=None) -> None:
        if self._batch:
            return
        cell = (self.instrument, self.priority_area)
        self._mark_selected(cell)
        link = link_rationale(self.links, *cell) if all(cell) else None
        self.linked = link is not None
        if not all(cell):
            self.rationale_html.value = f"<p>{esc(_('map.pick', self.lang))}</p>"
        elif link is None:
            self.rationale_html.value = (f"<p><b>{esc(cell[0])} × {esc(cell[1])}</b>: "
                                         f"{esc(_('map.no_link', self.lang))}</p>")
        else:
            text, english = rationale_text(link, self.lang)
            note = f" <small>{esc(_('map.english_only', self.lang))}</small>" if english else ""
            self.rationale_html.value = (
                f"<p><b>{esc(cell[0])} × {esc(cell[1])}</b>: {esc(_('map.link', self.lang))}</p>"
                f"<p>{esc(_('map.rationale', self.lang))} {esc(text)}{note}</p>"
                f"<p><small>{esc(_('map.provenance', self.lang, source=link['source_id'], locator=link['locator']))}"
                "</small></p>")
        self.ax.clear()
        plot_priority_map(self.matrix, ax=self.ax, lang=self.lang,
                          highlight=cell if all(cell) else None)
        show_figure(self.out, self.figure, _("map.alt", self.lang, n=int(self.matrix.values.sum()),
                                              rows=self.matrix.shape[0], cols=self.matrix.shape[1]),
                    tight=True)
