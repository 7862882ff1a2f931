"""SelfAssessment: rate a customs administration on the 7 enablers and 13 capabilities (0–4).

The scale is editorial (``dcteach/assessment/scale.json``): our scale, inspired
by common maturity models, not from the article.

>>> from dcteach.widgets import SelfAssessment
>>> sa = SelfAssessment(lang="en")
>>> sa.sliders["EN-02"].value = 3
>>> sa.scores["EN-02"], len(sa.ax.lines)
(3, 1)
>>> sa.gaps.value.count("<li>")
20
>>> name, scores = decode_download(sa.download_links(), "csv")
>>> scores["EN-02"]
3
"""

from __future__ import annotations

import base64
import re
import urllib.parse
from pathlib import Path

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import traitlets as t

from dcteach._compute import gap_list
from dcteach._errors import UsageError
from dcteach.assessment import (
    AssessmentFileError,
    assessment_from_csv,
    assessment_from_json,
    assessment_items,
    assessment_to_csv,
    assessment_to_json,
    load_assessment,
    load_scale,
    save_assessment,
)
from dcteach.i18n import _
from dcteach.plots import plot_radar, update_radar
from dcteach.widgets._common import (
    FastFigure,
    a11y_support,
    button_row,
    download_anchor,
    esc,
    new_output,
    resolve_lang,
    set_status,
    show_png,
    status_widget,
    text_button,
)

__all__ = ["SelfAssessment", "decode_download", "file_stem"]

_RADAR_DPI = 80  # CSS pixels per inch of the radar as shown

#: MIME types of the two download formats.
MIME = {"json": "application/json", "csv": "text/csv"}


def file_stem(name: str, default: str) -> str:
    """A safe file name stem from an assessment name (letters of any script kept).

    >>> file_stem("Customs of X, 2025", "a"), file_stem("  ", "a"), file_stem("Таможня/РФ", "a")
    ('Customs_of_X_2025', 'a', 'Таможня_РФ')
    """
    stem = re.sub(r"[^\w-]+", "_", name, flags=re.UNICODE).strip("_")
    return stem[:80] or default


def decode_download(html: str, fmt: str) -> tuple[str, dict]:
    """Read back the assessment behind the ``fmt`` (``json``/``csv``) link of ``html``.

    For tests and for checking what a user will get from :meth:`SelfAssessment.download_links`.

    >>> decode_download("<p>no link</p>", "json")
    Traceback (most recent call last):
    ...
    dcteach.UsageError: no json download link in the given HTML
    """
    match = re.search(rf'href="data:{re.escape(MIME[fmt])};charset=utf-8;base64,([^"]+)"', html)
    if match is None:
        raise UsageError(f"no {fmt} download link in the given HTML")
    text = base64.b64decode(urllib.parse.unquote(match.group(1))).decode("utf-8")
    parse = assessment_from_json if fmt == "json" else assessment_from_csv
    return parse(text, f"download.{fmt}")


class SelfAssessment(w.VBox):
    """Sliders 0–4 per item, a radar chart, a gap list, save/load and comparison.

    Parameters
    ----------
    lang : {"en", "ru"}, optional
    name : str
        Name of the assessment (e.g. the administration and year).
    initial : int
        Starting level of every item (default 0).

    Attributes
    ----------
    scores : dict (trait)
        ``{item id: level}`` for the 20 items.
    name : str (trait)
    downloads : ipywidgets.HTML
        "Download JSON" and "Download CSV" links (see :meth:`download_links`),
        rebuilt on every change: the browser saves the file, nothing is written
        on the server.
    compared : dict (trait)
        ``{name: scores}`` of loaded assessments drawn with the current one.
    status : str (trait)
        The last message (saved, loaded, or what went wrong).
    """

    lang = t.Unicode("en")
    scores = t.Dict()
    name = t.Unicode("")
    compared = t.Dict()
    status = t.Unicode("")
    _batch = False

    def __init__(self, *, lang: str | None = None, name: str = "", initial: int = 0, **kwargs):
        lang = resolve_lang(lang)
        self.items = assessment_items(lang)
        self.scale = load_scale()
        top = len(self.scale["levels"]) - 1
        if isinstance(initial, bool) or not isinstance(initial, (int, np.integer)) or not 0 <= initial <= top:
            raise UsageError(f"initial={initial!r}: the starting level must be a whole number between 0 and {top}")
        self._names = dict(zip(self.items["id"], self.items["name"]))
        self.sliders: dict[str, w.IntSlider] = {}
        self.level_labels: dict[str, w.Label] = {}
        rows = []
        for kind in ("enabler", "capability"):
            rows.append(w.HTML(f"<b>{esc(_('assessment.section.' + kind, lang))}</b>"))
            for row in self.items[self.items["kind"] == kind].itertuples():
                # the description wraps on its own line above the track (see a11y_support):
                # long names are never cut off, and it stays the handle's accessible name
                # no editable readout: the level is said in words next to the slider (and as the
                # handle's aria-valuetext), and a readout would double the Tab stops
                slider = w.IntSlider(
                    value=initial, min=0, max=len(self.scale["levels"]) - 1, readout=False,
                    description=f"{row.id} {row.name}", continuous_update=False,
                    style={"description_width": "initial"}, layout=w.Layout(flex="1 1 16em", width="auto"),
                )
                slider.add_class("dcteach-item-slider")
                label = w.Label(value="", layout=w.Layout(flex="0 1 auto", align_self="flex-end"))
                label.add_class("dcteach-level")
                self.sliders[row.id], self.level_labels[row.id] = slider, label
                rows.append(w.HBox([slider, label], layout=w.Layout(flex_flow="row wrap", width="100%")))
        # descriptions as wide as their text (never cut off, in either language)
        self.name_box = w.Text(value=name, description=_("assessment.name", lang),
                               placeholder=_("assessment.name_placeholder", lang),
                               style={"description_width": "initial"}, layout=w.Layout(width="min(100%, 36em)"))
        self.path_box = w.Text(value="", description=_("assessment.file", lang),
                               placeholder=_("assessment.file_placeholder", lang),
                               style={"description_width": "initial"}, layout=w.Layout(width="min(100%, 36em)"))
        self.save_json_button = text_button(_("assessment.save_json", lang), icon="save")
        self.save_csv_button = text_button(_("assessment.save_csv", lang), icon="save")
        self.load_button = text_button(_("assessment.load", lang), icon="folder-open")
        self.compare_button = text_button(_("assessment.compare", lang), icon="plus")
        self.clear_button = text_button(_("assessment.clear", lang), icon="times")
        self.status_html = status_widget()
        self.downloads = w.HTML(layout=w.Layout(width="auto"))
        self.downloads.add_class("dcteach-downloads")
        self.gaps = w.HTML()
        self.gaps.add_class("dcteach-gaps")
        self.out = new_output("dcteach-radar")
        self.figure, self.ax = plt.subplots(figsize=(8, 6), subplot_kw={"projection": "polar"})
        self.figure.subplots_adjust(left=0.06, right=0.66, top=0.88, bottom=0.06)  # fixed: one draw
        plt.close(self.figure)  # drawn on demand into the Output, never by pyplot
        # drawn at twice the shown size (640 CSS px): sharp at 200 % zoom and on HiDPI screens
        self._fast = FastFigure(self.figure, dpi=2 * _RADAR_DPI)
        self._drawn_series: tuple | None = None  # the series the radar was last fully drawn with
        self.scale_note = scale_note = w.HTML(f"<small>{esc(_('assessment.scale_note', lang, basis=self.scale['basis'][lang]))}</small>")
        files = w.VBox([self.name_box, self.path_box,
                        button_row(self.save_json_button, self.save_csv_button, self.load_button,
                                   self.compare_button, self.clear_button),
                        self.downloads, self.status_html])
        files.add_class("dcteach-assessment-files")
        super().__init__(children=[a11y_support(), scale_note, *rows, files, self.out, self.gaps], **kwargs)
        self.add_class("dcteach-self-assessment")
        self.lang = lang
        self.name = name
        for item, slider in self.sliders.items():
            slider.observe(self._on_slider, "value")
        self.name_box.observe(lambda c: setattr(self, "name", c["new"]), "value")
        self.save_json_button.on_click(lambda _b: self.save(self._path_or_default(".json")))
        self.save_csv_button.on_click(lambda _b: self.save(self._path_or_default(".csv")))
        self.load_button.on_click(lambda _b: self.load(self.path_box.value))
        self.compare_button.on_click(lambda _b: self.add_comparison(self.path_box.value))
        self.clear_button.on_click(lambda _b: self.clear_comparison())
        self.observe(self._redraw, ["scores", "compared", "name"])
        self.observe(self._refresh_downloads, ["scores", "name"])
        self.scores = {k: s.value for k, s in self.sliders.items()}
        for item in self.sliders:
            self._update_level_label(item)
        self._refresh_downloads()

    # --- wiring -------------------------------------------------------------------
    def _on_slider(self, change) -> None:
        item = next(k for k, s in self.sliders.items() if s is change["owner"])
        self._update_level_label(item)
        if not self._batch:
            self.scores = {**self.scores, item: change["new"]}

    def _update_level_label(self, item: str) -> None:
        level = self.scale["levels"][self.sliders[item].value]
        self.level_labels[item].value = _("assessment.level", self.lang, level=level["level"],
                                          name=level["name"][self.lang])
        self.level_labels[item].tooltip = level["descriptor"][self.lang]

    def _say(self, text: str, problem: bool = False) -> None:
        self.status = text
        set_status(self.status_html, text, problem=problem)

    def _path_or_default(self, suffix: str) -> Path:
        text = self.path_box.value.strip()
        path = Path(text) if text else Path(f"self_assessment{suffix}")
        return path.with_suffix(suffix)

    # --- drawing (pure functions behind) -----------------------------------------
    def series(self) -> pd.DataFrame:
        """The current assessment and the compared ones as a frame (items × names)."""
        current = self.name or _("assessment.current", self.lang)
        data = {current: pd.Series(self.scores)}
        for nm, sc in self.compared.items():
            data[nm if nm != current else f"{nm} (2)"] = pd.Series(sc)
        return pd.DataFrame(data).reindex(list(self.sliders))

    def radar_alt(self, frame: pd.DataFrame | None = None) -> str:
        """The radar's text alternative: every item's level, the mean, the compared assessments."""
        frame = self.series() if frame is None else frame
        current = frame.iloc[:, 0]
        text = _("assessment.radar_alt", self.lang, name=frame.columns[0], max=len(self.scale["levels"]) - 1,
                 scores=", ".join(f"{i} {v:g}" for i, v in current.items()), mean=f"{current.mean():.1f}")
        if frame.shape[1] > 1:
            others = ", ".join(_("assessment.series_mean", self.lang, name=nm, mean=f"{frame[nm].mean():.1f}")
                               for nm in frame.columns[1:])
            text += " " + _("assessment.radar_alt_compared", self.lang, series=others)
        return text

    def _redraw(self, _change=None) -> None:
        frame = self.series()
        series = tuple(map(str, frame.columns))
        if self._drawn_series is not None and len(series) == len(self._drawn_series):
            # values or names changed: move the lines, rename the legend's entries, on the
            # kept background (no full redraw)
            update_radar(frame, ax=self.ax)
            for line, text, name in zip(self.ax.lines, self.ax.get_legend().get_texts(), series):
                line.set_label(name)
                text.set_text(name)
            png = self._fast.update()
        else:  # a series more or less: draw everything, keep the static parts for later updates
            self.ax.clear()
            plot_radar(frame, ax=self.ax, lang=self.lang, max_level=len(self.scale["levels"]) - 1)
            png = self._fast.render([*self.ax.lines, *self.ax.patches, *self.ax.texts, self.ax.get_legend()])
        self._drawn_series = series
        show_png(self.out, png, self.radar_alt(frame), width=int(self.figure.get_figwidth() * _RADAR_DPI))
        gaps = gap_list(self.scores, names=self._names, target=len(self.scale["levels"]) - 1)
        items = "".join(
            f"<li>{esc(_('assessment.gap_item', self.lang, id=r.id, name=r.name, score=r.score, gap=r.gap))}</li>"
            for r in gaps.itertuples()
        )
        self.gaps.value = f"<b>{esc(_('assessment.gaps_title', self.lang))}</b><ol>{items}</ol>"

    # --- downloads (nothing written on the server) ------------------------------
    def download_links(self) -> str:
        """HTML of two links that download the current assessment as JSON and as CSV.

        The files are named after the assessment (``Customs_of_X_2025.json``);
        their content is in the links' ``data:`` URLs. :attr:`downloads` shows
        these links and is rebuilt on every change.
        """
        stem = file_stem(self.name, _("assessment.default_file", self.lang))
        return "".join(
            download_anchor(to(self.name, self.scores), f"{stem}.{fmt}", _(f"assessment.download_{fmt}", self.lang),
                            mime=MIME[fmt], title=_("assessment.download_title", self.lang, fmt=fmt.upper()))
            for fmt, to in (("json", assessment_to_json), ("csv", assessment_to_csv))
        )

    def _refresh_downloads(self, _change=None) -> None:
        self.downloads.value = self.download_links()

    # --- files --------------------------------------------------------------------
    def set_scores(self, scores: dict) -> None:
        """Move the sliders to ``scores`` with a single redraw at the end."""
        self._batch = True
        try:
            for item, value in scores.items():
                if item in self.sliders:
                    self.sliders[item].value = int(value)
        finally:
            self._batch = False
        self.scores = {k: s.value for k, s in self.sliders.items()}

    def save(self, path) -> Path | None:
        """Save the current assessment (``.csv`` → CSV, else JSON), atomically."""
        try:
            written = save_assessment(path, self.name, self.scores)
        except OSError as exc:
            self._say(_("assessment.save_failed", self.lang, path=str(path), error=exc.strerror or str(exc)), True)
            return None
        self._say(_("assessment.saved", self.lang, path=str(written)))
        return written

    def restore(self, name: str, scores: dict) -> None:
        """Show the assessment ``(name, scores)`` (e.g. read from a file): sliders, name, one redraw."""
        self.set_scores(scores)
        self.name_box.value = name

    def _read(self, path) -> tuple[str, dict] | None:
        """``(name, scores)`` of a saved assessment, or ``None`` after saying what is wrong."""
        try:
            return load_assessment(path)
        except AssessmentFileError as exc:
            self._say(_("assessment.load_failed", self.lang, error=str(exc)), True)
            return None

    def load(self, path) -> bool:
        """Load an assessment into the sliders; on a bad file keep the state and say why."""
        read = self._read(path)
        if read is None:
            return False
        self.restore(*read)
        self._say(_("assessment.loaded", self.lang, path=str(path), name=read[0]))
        return True

    def add_comparison(self, path) -> bool:
        """Draw a saved assessment on the same radar, named after its file's ``name``."""
        read = self._read(path)
        if read is None:
            return False
        name, scores = read
        name = name or Path(path).stem
        self.compared = {**self.compared, name: scores}
        self._say(_("assessment.compared", self.lang, name=name, n=len(self.compared)))
        return True

    def clear_comparison(self) -> None:
        """Remove the compared assessments from the radar."""
        self.compared = {}
        self._say(_("assessment.cleared", self.lang))
