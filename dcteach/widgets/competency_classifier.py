"""CompetencyClassifier: put capabilities and action-plan areas into competency types, justify, compare.

The article leaves this classification open: there is no answer key, only the
class's agreement.

>>> from dcteach.widgets import CompetencyClassifier
>>> cc = CompetencyClassifier(lang="en")
>>> cc.type_selects["CAP-01"].value = "key"
>>> cc.distribution.to_dict()
{'strategic': 0, 'core': 0, 'key': 1, 'leading': 0}
"""

from __future__ import annotations

from pathlib import Path

import ipywidgets as w
import matplotlib.pyplot as plt
import pandas as pd
import traitlets as t

from dcteach.assessment import (
    ClassificationFileError,
    agreement,
    classification_items,
    competency_types,
    fleiss_kappa,
    load_class_folder,
    save_classification,
    type_distribution,
)
from dcteach.i18n import _, field_labels, ngettext
from dcteach.plots import plot_distribution
from dcteach.widgets._common import (
    TABLE_CSS,
    Choice,
    a11y_support,
    esc,
    new_output,
    resolve_lang,
    set_status,
    show_figure,
    status_widget,
    text_button,
)

__all__ = ["CompetencyClassifier"]


class CompetencyClassifier(w.VBox):
    """One dropdown and one justification line per item; distribution; save; class agreement.

    Attributes
    ----------
    assignments : dict (trait)
        ``{item id: type code or None}``.
    justifications : dict (trait)
        ``{item id: text}``.
    student : str (trait)
    class_results : DataFrame or None
        Agreement per item after :meth:`load_class`.
    status : str (trait)
    """

    lang = t.Unicode("en")
    assignments = t.Dict()
    justifications = t.Dict()
    student = t.Unicode("")
    status = t.Unicode("")
    class_size = t.Int(0)

    def __init__(self, *, lang: str | None = None, student: str = "", **kwargs):
        lang = resolve_lang(lang)
        self.items = classification_items(lang)
        self.types = competency_types()
        self._type_labels = field_labels("competency_types", "term", lang)
        self.type_selects: dict[str, w.Dropdown] = {}
        self.why_boxes: dict[str, w.Text] = {}
        rows = [a11y_support(), w.HTML(f"<p>{esc(_('classifier.intro', lang))}</p>")]
        for kind in ("capability", "action_plan"):
            rows.append(w.HTML(f"<b>{esc(_('classifier.section.' + kind, lang))}</b>"))
            for r in self.items[self.items["kind"] == kind].itertuples():
                dd = Choice(options=[(_("classifier.unclassified", lang), None)]
                                + [(self._type_labels[c], c) for c in self.types],
                                value=None, description=f"{r.id} {r.name}", layout=w.Layout(width="60%"))
                dd.add_class("dcteach-item-choice")  # the whole name, wrapped above the dropdown
                why = w.Text(value="", description=_("classifier.why", lang),
                             placeholder=_("classifier.why_placeholder", lang), layout=w.Layout(width="38%"))
                self.type_selects[r.id], self.why_boxes[r.id] = dd, why
                rows.append(w.HBox([dd, why]))
        self.summary_html = w.HTML()
        self.out = new_output("dcteach-classifier-figure")
        wide = {"description_width": "initial"}  # labels as wide as their text (never cut off, in either language)
        self.student_box = w.Text(value=student, description=_("classifier.student", lang), style=wide)
        self.path_box = w.Text(value="", description=_("classifier.file", lang),
                               placeholder=_("classifier.file_placeholder", lang), style=wide)
        self.save_button = text_button(_("classifier.save", lang), icon="save")
        self.folder_box = w.Text(value="", description=_("classifier.folder", lang),
                                 placeholder=_("classifier.folder_placeholder", lang), style=wide)
        self.load_class_button = text_button(_("classifier.load_class", lang), icon="users")
        self.status_html = status_widget()
        self.agreement_html = w.HTML()
        self.class_results: pd.DataFrame | None = None
        self.figure, self.ax = plt.subplots(figsize=(6, 3))
        self.figure.subplots_adjust(left=0.25, right=0.95, top=0.85, bottom=0.2)
        plt.close(self.figure)
        super().__init__(children=[*rows, self.summary_html, self.out, self.student_box,
                                   w.HBox([self.path_box, self.save_button]),
                                   w.HBox([self.folder_box, self.load_class_button]),
                                   self.status_html, self.agreement_html], **kwargs)
        self.add_class("dcteach-competency-classifier")
        self.summary_html.add_class("dcteach-classifier-summary")
        self.agreement_html.add_class("dcteach-classifier-agreement")
        self.lang = lang
        w.link((self.student_box, "value"), (self, "student"))
        for item, dd in self.type_selects.items():
            dd.observe(self._on_type, "value")
            self.why_boxes[item].observe(self._on_why, "value")
        self.save_button.on_click(lambda _b: self.save(self.path_box.value.strip() or self._default_file()))
        self.load_class_button.on_click(lambda _b: self.load_class(self.folder_box.value))
        self.observe(self._redraw, "assignments")
        self.assignments = dict.fromkeys(self.type_selects)

    def _default_file(self) -> str:
        stem = "_".join(self.student.split()) or "classification"
        return f"{stem}.json"

    def _on_type(self, change) -> None:
        item = next(k for k, d in self.type_selects.items() if d is change["owner"])
        self.assignments = {**self.assignments, item: change["new"]}

    def _on_why(self, change) -> None:
        item = next(k for k, b in self.why_boxes.items() if b is change["owner"])
        self.justifications = {**self.justifications, item: change["new"]}

    def _say(self, text: str, problem: bool = False) -> None:
        self.status = text
        set_status(self.status_html, text, problem=problem)

    @property
    def distribution(self) -> pd.Series:
        """Items per competency type (pure :func:`type_distribution` of the assignments)."""
        return type_distribution(self.assignments)

    def _redraw(self, _change=None) -> None:
        dist = self.distribution
        done = int(dist.sum())
        parts = ", ".join(f"{self._type_labels[c]}: {n}" for c, n in dist.items())
        self.summary_html.value = (f"<p>{esc(_('classifier.progress', self.lang, done=done, total=len(self.items)))}"
                                   f" {esc(parts)}</p>")
        self.ax.clear()
        plot_distribution(dist, ax=self.ax, lang=self.lang)
        show_figure(self.out, self.figure, _("classifier.alt", self.lang, parts=parts))

    def save(self, path) -> Path | None:
        """Save this student's classification as JSON (atomic)."""
        try:
            written = save_classification(path, self.student, self.assignments, self.justifications)
        except OSError as exc:
            self._say(_("classifier.save_failed", self.lang, path=str(path), error=exc.strerror or str(exc)), True)
            return None
        self._say(_("classifier.saved", self.lang, path=str(written)))
        return written

    def load_class(self, folder) -> pd.DataFrame | None:
        """Read a folder of students' files; show agreement per item; report and skip bad files."""
        try:
            docs, problems = load_class_folder(folder)
        except ClassificationFileError as exc:
            self._say(str(exc), True)
            return None
        self.class_size = len(docs)
        table = agreement(docs)
        self.class_results = table
        kappa = fleiss_kappa(table[self.types])
        msg = ngettext("classifier.class_loaded", len(docs), self.lang, folder=str(folder))
        if problems:
            msg += " " + ngettext("classifier.skipped", len(problems), self.lang) + " " + " | ".join(problems)
        self._say(msg, bool(problems))
        names = dict(zip(self.items["id"], self.items["name"]))
        head = "".join(f"<th scope=\"col\">{esc(_(k, self.lang))}</th>" for k in
                       ("classifier.col.item", "classifier.col.n", "classifier.col.modal", "classifier.col.share"))
        head += "".join(f"<th scope=\"col\">{esc(self._type_labels[c])}</th>" for c in self.types)
        body = ""
        for r in table.itertuples(index=False):
            modal = " / ".join(self._type_labels.get(m, m) for m in r.modal.split(" / ")) if r.modal else "—"
            share = "—" if pd.isna(r.share) else f"{r.share:.0%}"
            counts = "".join(f"<td>{getattr(r, c)}</td>" for c in self.types)
            body += (f"<tr><td>{esc(r.id)} {esc(names.get(r.id, ''))}</td><td>{r.n}</td>"
                     f"<td>{esc(modal)}</td><td>{share}</td>{counts}</tr>")
        kappa_text = _("classifier.kappa", self.lang, kappa=f"{kappa:.2f}" if kappa.defined else "—")
        self.agreement_html.value = (
            f"<p>{esc(_('classifier.no_key', self.lang))} {esc(kappa_text)}</p>"
            f'{TABLE_CSS}<table class="dcteach-table"><caption>{esc(_("classifier.caption", self.lang))}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        return table
