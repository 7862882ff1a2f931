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
"""

from __future__ import annotations

from pathlib import Path

import ipywidgets as w
import matplotlib.pyplot as plt
import pandas as pd
import traitlets as t

from dcteach._compute import gap_list
from dcteach.assessment import AssessmentFileError, assessment_items, load_assessment, load_scale, save_assessment
from dcteach.i18n import _
from dcteach.plots import plot_radar
from dcteach.widgets._common import esc, new_output, resolve_lang, set_status, show_figure, status_widget

__all__ = ["SelfAssessment"]


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
        self._names = dict(zip(self.items["id"], self.items["name"]))
        self.sliders: dict[str, w.IntSlider] = {}
        self.level_labels: dict[str, w.Label] = {}
        rows = []
        for kind in ("enabler", "capability"):
            rows.append(w.HTML(f"<b>{esc(_('assessment.section.' + kind, lang))}</b>"))
            for row in self.items[self.items["kind"] == kind].itertuples():
                slider = w.IntSlider(
                    value=initial, min=0, max=len(self.scale["levels"]) - 1,
                    description=f"{row.id} {row.name}", continuous_update=False,
                    style={"description_width": "60%"}, layout=w.Layout(width="70%"),
                )
                label = w.Label(value="")
                self.sliders[row.id], self.level_labels[row.id] = slider, label
                rows.append(w.HBox([slider, label]))
        self.name_box = w.Text(value=name, description=_("assessment.name", lang),
                               placeholder=_("assessment.name_placeholder", lang))
        self.path_box = w.Text(value="", description=_("assessment.file", lang),
                               placeholder=_("assessment.file_placeholder", lang))
        self.save_json_button = w.Button(description=_("assessment.save_json", lang), icon="save")
        self.save_csv_button = w.Button(description=_("assessment.save_csv", lang), icon="save")
        self.load_button = w.Button(description=_("assessment.load", lang), icon="folder-open")
        self.compare_button = w.Button(description=_("assessment.compare", lang), icon="plus")
        self.clear_button = w.Button(description=_("assessment.clear", lang), icon="times")
        self.status_html = status_widget()
        self.gaps = w.HTML()
        self.out = new_output()
        self.figure, self.ax = plt.subplots(figsize=(8, 6), subplot_kw={"projection": "polar"})
        self.figure.subplots_adjust(left=0.06, right=0.66, top=0.88, bottom=0.06)  # fixed: one draw
        plt.close(self.figure)  # drawn on demand into the Output, never by pyplot
        scale_note = w.HTML(f"<small>{esc(_('assessment.scale_note', lang, basis=self.scale['basis'][lang]))}</small>")
        files = w.VBox([self.name_box, self.path_box,
                        w.HBox([self.save_json_button, self.save_csv_button, self.load_button,
                                self.compare_button, self.clear_button]),
                        self.status_html])
        super().__init__(children=[scale_note, *rows, files, self.out, self.gaps], **kwargs)
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
        self.observe(self._redraw, ["scores", "compared"])
        self.scores = {k: s.value for k, s in self.sliders.items()}
        for item in self.sliders:
            self._update_level_label(item)

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

    def _redraw(self, _change=None) -> None:
        frame = self.series()
        self.ax.clear()
        plot_radar(frame, ax=self.ax, lang=self.lang, max_level=len(self.scale["levels"]) - 1)
        alt = _("assessment.radar_alt", self.lang, series=", ".join(map(str, frame.columns)),
                mean=f"{frame.iloc[:, 0].mean():.1f}")
        show_figure(self.out, self.figure, alt)
        gaps = gap_list(self.scores, names=self._names, target=len(self.scale["levels"]) - 1)
        items = "".join(
            f"<li>{esc(_('assessment.gap_item', self.lang, id=r.id, name=r.name, score=r.score, gap=r.gap))}</li>"
            for r in gaps.itertuples()
        )
        self.gaps.value = f"<b>{esc(_('assessment.gaps_title', self.lang))}</b><ol>{items}</ol>"

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

    def load(self, path) -> bool:
        """Load an assessment into the sliders; on a bad file keep the state and say why."""
        try:
            name, scores = load_assessment(path)
        except AssessmentFileError as exc:
            self._say(_("assessment.load_failed", self.lang, error=str(exc)), True)
            return False
        self.set_scores(scores)
        self.name_box.value = name
        self._say(_("assessment.loaded", self.lang, path=str(path), name=name))
        return True

    def add_comparison(self, path) -> bool:
        """Draw a saved assessment on the same radar, named after its file's ``name``."""
        try:
            name, scores = load_assessment(path)
        except AssessmentFileError as exc:
            self._say(_("assessment.load_failed", self.lang, error=str(exc)), True)
            return False
        name = name or Path(path).stem
        self.compared = {**self.compared, name: scores}
        self._say(_("assessment.compared", self.lang, name=name, n=len(self.compared)))
        return True

    def clear_comparison(self) -> None:
        """Remove the compared assessments from the radar."""
        self.compared = {}
        self._say(_("assessment.cleared", self.lang))
