"""Timeline: the events by date and body, with dates as precise as the sources allow.

>>> from dcteach.widgets import Timeline
>>> tl = Timeline(lang="en")
>>> tl.body_select.value = ("capacity_building_committee",)
>>> tl.n_events
4
>>> "Bessel" in tl.table_html.value
True
"""

from __future__ import annotations

import ipywidgets as w
import matplotlib.pyplot as plt
import pandas as pd
import traitlets as t

from dcteach._compute import format_partial_date
from dcteach.data import load_dataset
from dcteach.i18n import _, field_labels
from dcteach.plots import TIMELINE_SIZE, plot_timeline
from dcteach.widgets._common import TABLE_CSS, esc, new_output, resolve_lang, show_figure

__all__ = ["Timeline", "event_rows"]


def event_rows(events: pd.DataFrame, lang: str | None = None, sources: pd.DataFrame | None = None) -> pd.DataFrame:
    """The events as rows of text: date (as precise as known), name, body, session, place, code, source.

    Where the article words the place differently (the CBC 7th session "held in
    Bessel"), ``place`` says so.

    >>> import dcteach as dc
    >>> rows = event_rows(dc.load_dataset("events"), "en").set_index("id")
    >>> rows.loc["EV-14", "date"], rows.loc["EV-07", "date"]
    ('2018', '2016-04-11 – 2016-04-13')
    >>> rows.loc["EV-07", "place"]
    'Brussels (the article writes “Bessel”)'
    """
    lang = resolve_lang(lang)
    sources = load_dataset("sources") if sources is None else sources
    src_names = dict(zip(sources["id"], sources[f"name_{lang}"]))
    bodies = field_labels("events", "body", lang)
    out = []
    for r in events.itertuples():
        place = "" if pd.isna(r.place) else str(r.place)
        written = "" if pd.isna(r.place_as_written) else str(r.place_as_written)
        if written and written != place:
            note = _("timeline.as_written", lang, written=written)
            place = f"{place} {note}".strip()
        out.append({
            "id": r.id,
            "date": format_partial_date(r.date_start, r.date_precision, r.date_end),
            "name": getattr(r, f"name_{lang}"),
            "body": bodies.get(str(r.body), str(r.body)),
            "session": "" if pd.isna(r.session) else str(r.session),
            "place": place,
            "document_code": "" if pd.isna(r.document_code) else str(r.document_code),
            "source": f"{r.source_id} — {src_names.get(r.source_id, '')}, {r.locator}",
        })
    return pd.DataFrame(out, columns=["id", "date", "name", "body", "session", "place", "document_code", "source"])


class Timeline(w.VBox):
    """Events on a time axis, filtered by body (multi-select), listed with codes and sources.

    Attributes
    ----------
    bodies : tuple (trait)
        Body codes shown (``council``, ``policy_commission``, ...).
    n_events : int (trait)
    """

    lang = t.Unicode("en")
    bodies = t.Tuple()
    n_events = t.Int(0)

    def __init__(self, *, lang: str | None = None, **kwargs):
        lang = resolve_lang(lang)
        self.events = load_dataset("events")
        self.sources = load_dataset("sources")
        labels = field_labels("events", "body", lang)
        present = [b for b in labels if b in set(self.events["body"].astype(str))]
        self.body_select = w.SelectMultiple(options=[(labels[b], b) for b in present], value=tuple(present),
                                            rows=min(len(present), 8), description=_("timeline.bodies", lang),
                                            style={"description_width": "initial"}, layout=w.Layout(width="60%"))
        self.count_html = w.HTML()
        self.table_html = w.HTML()
        self.out = new_output("dcteach-timeline-figure")
        self.figure, self.ax = plt.subplots(figsize=TIMELINE_SIZE)
        plt.close(self.figure)
        hint = w.HTML(f"<small>{esc(_('timeline.hint', lang))}</small>")
        super().__init__(children=[self.body_select, hint, self.count_html, self.out, self.table_html], **kwargs)
        self.add_class("dcteach-timeline")
        self.count_html.add_class("dcteach-timeline-count")
        self.table_html.add_class("dcteach-timeline-table")
        self.lang = lang
        w.link((self.body_select, "value"), (self, "bodies"))
        self.observe(self._refresh, "bodies")
        self._refresh()

    def selected_events(self) -> pd.DataFrame:
        """The events of the chosen bodies, in date order."""
        ev = self.events[self.events["body"].astype(str).isin(self.bodies)]
        return ev.sort_values("date_start", kind="stable")

    def _refresh(self, _change=None) -> None:
        ev = self.selected_events()
        self.n_events = len(ev)
        self.count_html.value = f"<b>{esc(_('timeline.count', self.lang, n=len(ev)))}</b>"
        self.ax.clear()
        plot_timeline(ev, ax=self.ax, lang=self.lang)
        show_figure(self.out, self.figure, _("timeline.alt", self.lang, n=len(ev)), tight=True)
        rows = event_rows(ev, self.lang, self.sources)
        cols = ["id", "date", "name", "body", "session", "place", "document_code", "source"]
        head = "".join(f"<th scope=\"col\">{esc(_('timeline.col.' + c, self.lang))}</th>" for c in cols)
        cells = rows[cols].map(esc)
        cells["date"] = ["&nbsp;– ".join(f'<span class="dcteach-nowrap">{d}</span>' for d in v.split(" – "))
                         for v in cells["date"]]  # 2016-04-11 never broken at a hyphen; a range may break after "–"
        body = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in r) + "</tr>" for r in cells.itertuples(index=False))
        self.table_html.value = (f'{TABLE_CSS}<table class="dcteach-table"><caption>{esc(_("timeline.caption", self.lang))}'
                                 f"</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
