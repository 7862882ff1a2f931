"""Quiz: questions from a JSON bank, immediate feedback per answer, a running score.

>>> from dcteach.widgets import Quiz
>>> quiz = Quiz("example", lang="en")
>>> quiz.total
5
>>> quiz.items[0].control.value = 1          # choose "Four"
>>> quiz.items[0].feedback.value
'✔ Correct — strategy, legal basis, management structure and ICT infrastructure (l. 63).'
>>> quiz.score, quiz.score_label.value
(1, 'Score: 1 of 5')
"""

from __future__ import annotations

import ipywidgets as w
import traitlets as t

from dcteach.i18n import _
from dcteach.quiz import grade_answer, load_bank
from dcteach.widgets._common import esc, resolve_lang, text_button

__all__ = ["Quiz", "QuestionItem"]


class QuestionItem(w.VBox):
    """One question: its text, an answer control, a Check button and the feedback.

    ``correct`` is ``None`` until checked, then the verdict of the last check.
    """

    correct = t.Bool(None, allow_none=True)

    def __init__(self, question: dict, number: int, total: int, lang: str):
        self.question, self.lang = question, lang
        header = w.HTML(
            f"<b>{esc(_('quiz.question_number', lang, number=number, total=total))}</b>"
            f"<br>{esc(question['question'][lang])}"
        )
        self.check_button = text_button(_("quiz.check", lang), tooltip=_("quiz.check_tooltip", lang), icon="check")
        self.feedback = w.Label(value="")
        self.control = self._make_control()
        self.check_button.on_click(lambda _b: self.check())
        parts = [header, self.control, self.check_button, self.feedback]
        if "hint" in question:
            self.hint = w.Accordion(
                children=[w.Label(question["hint"][lang])], titles=(_("quiz.hint", lang),)
            )
            self.hint.selected_index = None
            parts.insert(2, self.hint)
        if question.get("source"):
            parts.append(w.HTML(f"<small>{esc(_('quiz.source', lang, source=question['source']))}</small>"))
        super().__init__(children=parts, layout=w.Layout(border="1px solid #ccc", padding="6px", margin="4px 0"))
        self.add_class("dcteach-quiz-question")
        self.feedback.add_class("dcteach-quiz-feedback")

    def _make_control(self):
        lang, q = self.lang, self.question
        kind = q["type"]
        if kind == "multiple_choice":
            control = w.RadioButtons(
                options=[(a["answer"][lang], i) for i, a in enumerate(q["answers"])],
                value=None,
                description=_("quiz.your_answer", lang),
                tooltip=_("quiz.choose_one", lang),
                layout=w.Layout(width="auto"),
                style={"description_width": "initial"},
            )
            control.observe(lambda _c: self.check(), "value")  # immediate feedback
            return control
        if kind == "many_choice":
            boxes = [
                w.Checkbox(value=False, description=a["answer"][lang], indent=False)
                for a in q["answers"]
            ]
            return w.VBox([w.Label(_("quiz.choose_many", lang)), *boxes])
        control = w.Text(
            value="",
            description=_("quiz.your_answer", lang),
            placeholder=_("quiz.type_number" if kind == "numeric" else "quiz.type_text", lang),
            continuous_update=False,
            style={"description_width": "initial"},
        )
        control.observe(lambda _c: self.check(), "value")  # Enter or leaving the field
        return control

    @property
    def answer(self):
        """The student's current answer in the form :func:`grade_answer` takes."""
        if self.question["type"] == "many_choice":
            return [i for i, box in enumerate(self.control.children[1:]) if box.value]
        return self.control.value

    def check(self) -> bool | None:
        """Grade the current answer, show the feedback and return the verdict."""
        ok, text = grade_answer(self.question, self.answer, lang=self.lang)
        attempted = text != _("quiz.not_attempted", self.lang)
        self.feedback.value = text
        self.correct = ok if attempted else None
        return self.correct


class Quiz(w.VBox):
    """A quiz from a bank: name (``"example"`` → ``dcteach/quiz/banks/example.json``) or path.

    Parameters
    ----------
    bank : str or path-like
        Bank name or path of a JSON file following ``dcteach/quiz/schema.json``.
    lang : {"en", "ru"}, optional
        Language; default ``$DCTEACH_LANG`` or English.

    Attributes
    ----------
    score : int (trait)
        Questions whose last check was correct.
    total : int (trait)
        Number of questions.
    results : dict (trait)
        ``{question id: True/False}`` for the questions checked so far.
    items : list of QuestionItem
        One box per question (``.control``, ``.check_button``, ``.feedback``).
    """

    lang = t.Unicode("en")
    score = t.Int(0)
    total = t.Int(0)
    results = t.Dict()

    def __init__(self, bank="example", *, lang: str | None = None, **kwargs):
        lang = resolve_lang(lang)
        self.bank = load_bank(bank)
        questions = self.bank["questions"]
        self.items = [QuestionItem(q, i + 1, len(questions), lang) for i, q in enumerate(questions)]
        self.score_label = w.Label(value="")
        title = w.HTML(f"<h3>{esc(self.bank['title'][lang])}</h3>")
        intro = self.bank.get("description", {}).get(lang)
        head = [title] + ([w.HTML(f"<p>{esc(intro)}</p>")] if intro else [])
        super().__init__(children=[*head, *self.items, self.score_label], **kwargs)
        self.add_class("dcteach-quiz")
        self.score_label.add_class("dcteach-quiz-score")
        self.lang, self.total = lang, len(questions)
        for item in self.items:
            item.observe(self._on_result, "correct")
        self._update_score()

    def _on_result(self, change) -> None:
        item = change["owner"]
        results = dict(self.results)
        if change["new"] is None:
            results.pop(item.question["id"], None)
        else:
            results[item.question["id"]] = bool(change["new"])
        self.results = results
        self._update_score()

    def _update_score(self) -> None:
        self.score = sum(self.results.values())
        self.score_label.value = _("quiz.score", self.lang, correct=self.score, total=self.total)
