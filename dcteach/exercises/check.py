"""Self-checks for students: ``ex.q1.check(answer)``, ``.hint()``, ``.solution()``.

Every check ends in one of three outcomes, stated in words and a symbol (never
colour alone): **correct** (``✔ Correct —``), **incorrect** (``✘ Not yet —``)
or **not attempted** (``○ Not attempted —``: the answer is still ``None``,
``...`` or a stub raising ``NotImplementedError``). Open tasks (short essays)
have a fourth state, **submitted**, once the text is long enough: the lecturer
marks them with the rubric. Output is deterministic (nbval compares it).

>>> ex = load("ex04")
>>> ex.q1.check(...)
○ Not attempted — 4.1. Replace the `...` or the `raise NotImplementedError(...)` line with your answer, run that cell, then run this check again.
>>> ex.q1.check(..., lang="ru").outcome
<Outcome.NOT_ATTEMPTED: 'not_attempted'>
"""

from __future__ import annotations

import enum
import json
import os
from dataclasses import dataclass

from dcteach.exercises import _checkers
from dcteach.exercises._bank import load_bank, message, normalise_id, resolve_lang, source_path
from dcteach.exercises._markers import one_line_solution, split_regions
from dcteach.exercises._notebook import analyse, cell_source

__all__ = [
    "Exercise",
    "Feedback",
    "IncorrectAnswer",
    "Message",
    "NotAttempted",
    "Outcome",
    "Question",
    "load",
]


class Outcome(str, enum.Enum):
    """The result of a check."""

    CORRECT = "correct"
    INCORRECT = "incorrect"
    NOT_ATTEMPTED = "not_attempted"
    SUBMITTED = "submitted"


class NotAttempted(AssertionError):
    """Raised by :meth:`Question.grade` when the answer is still a placeholder."""


class IncorrectAnswer(AssertionError):
    """Raised by :meth:`Question.grade` when the answer is wrong."""


class Message(str):
    """Text that displays without quotes in Jupyter and at the prompt.

    >>> Message("Hint 1")
    Hint 1
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(str(self))


@dataclass(frozen=True)
class Feedback:
    """What a check says: the outcome and a message that teaches.

    ``bool(feedback)`` is true for correct answers and submitted essays.
    """

    number: str
    outcome: Outcome
    message: str

    def __str__(self) -> str:
        return self.message

    __repr__ = __str__

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(self.message)

    def __bool__(self) -> bool:
        return self.outcome in (Outcome.CORRECT, Outcome.SUBMITTED)

    @property
    def correct(self) -> bool:
        """True only for a correct automatic answer."""
        return self.outcome is Outcome.CORRECT


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


class Question:
    """One question of an exercise, built from its bank entry."""

    def __init__(self, exercise: "Exercise", spec: dict):
        self._exercise = exercise
        self._spec = spec
        self.id: str = spec["id"]
        self.number: str = spec["number"]
        self.kind: str = spec["kind"]
        self.points: float = spec["points"]

    def _lang(self, lang: str | None) -> str:
        return resolve_lang(lang if lang is not None else self._exercise.lang)

    @property
    def _call(self) -> str:
        return f"ex.{self.id}"

    def title(self, lang: str | None = None) -> str:
        """Short title of the question."""
        return self._spec["title"][self._lang(lang)]

    def prompt(self, lang: str | None = None) -> Message:
        """The task as the student reads it.

        >>> load("ex04").q1.prompt()
        4.1. Which instruments of the operational group have a document cited in a footnote ...
        """
        lang = self._lang(lang)
        text = f"{self.number}. {self._spec['prompt'][lang]}"
        if _checkers.accepts_russian(self._spec["checker"]):
            text += " " + message("accepts_ru", lang)
        return Message(text)

    def _detail(self, key: str, values: dict, lang: str) -> str:
        if key == "wrong_type":
            values = {**values, "expected": message(values["expected"], lang)}
        if key == "parts.part":
            values = {**values, "outcome": message(f"label.{values['outcome']}", lang).rstrip(" —")}
        if key == "open.submitted":
            rubric = self._spec["checker"]["rubric"]
            values = {**values, "rubric": " ".join(
                f"({i}) {item['criterion'][lang]} [{item['points']:g}]" for i, item in enumerate(rubric, 1))}
        return message(key, lang, **values)

    def check(self, answer: object, *, lang: str | None = None) -> Feedback:
        """Check an answer; return feedback (it displays itself).

        ``answer`` may be a value or a function: a function is called (with the
        datasets the question names) and a stub raising ``NotImplementedError``
        counts as not attempted.

        Examples
        --------
        >>> q = load("ex04").q1
        >>> q.check(None).outcome.value
        'not_attempted'
        >>> str(q.check(["INS-XX"])).startswith("✘ Not yet — 4.1.")
        True
        >>> q.check(None, lang="ru").message.startswith("○ Нет ответа — 4.1.")
        True
        """
        return self.feedback(_checkers.check(self._spec["checker"], answer), lang=lang)

    def feedback(self, verdict: "_checkers.Verdict", *, lang: str | None = None) -> Feedback:
        """Word a verdict of the judge (the grader words its own verdicts with this too)."""
        lang = self._lang(lang)
        outcome = Outcome(verdict.outcome)
        parts = [message(f"label.{outcome.value}", lang), f"{self.number}."]
        details = [_capitalise(self._detail(key, values, lang)) for key, values in verdict.details]
        if outcome is Outcome.NOT_ATTEMPTED:
            parts.append(_capitalise(message("not_attempted", lang)))
        elif outcome is Outcome.CORRECT:
            parts.append(_capitalise(self._correct_text(verdict, lang)))
        elif outcome is Outcome.INCORRECT:
            parts.extend(details)
            parts.append(_capitalise(self._spec["feedback"]["incorrect"][lang]))
            parts.append(message("try_hint", lang, call=self._call))
        else:
            parts.extend(details)
        return Feedback(self.number, outcome, " ".join(p for p in parts if p))

    def _correct_text(self, verdict, lang: str) -> str:
        feedback = self._spec["feedback"]
        if "correct" in feedback:
            return feedback["correct"][lang]
        salt = self._spec["checker"].get("salt", "")
        for sealed in feedback.get("correct_sealed", []):  # a student bank: the right answer opens it
            opened = _checkers.unseal(salt, verdict.matched, sealed)
            if opened:
                return opened[lang]
        return ""

    def grade(self, answer: object, *, lang: str | None = None) -> Feedback:
        """Like :meth:`check`, but raise unless the answer is correct (or submitted).

        Hidden tests call this: the grader reads the exception's class name.

        Raises
        ------
        NotAttempted
            The answer is still a placeholder.
        IncorrectAnswer
            The answer is wrong; the message says why.

        Examples
        --------
        >>> load("ex04").q1.grade(...)
        Traceback (most recent call last):
        ...
        dcteach.exercises.check.NotAttempted: ○ Not attempted — 4.1. ...
        """
        feedback = self.check(answer, lang=lang)
        if feedback.outcome is Outcome.NOT_ATTEMPTED:
            raise NotAttempted(feedback.message)
        if feedback.outcome is Outcome.INCORRECT:
            raise IncorrectAnswer(feedback.message)
        return feedback

    def hint(self, n: int = 1, *, lang: str | None = None) -> Message:
        """Return hint number ``n`` (1 is the gentlest).

        Examples
        --------
        >>> load("ex04").q1.hint(99)
        There is no hint 99 for 4.1: it has ... Look again at the article and the data dictionary.
        """
        lang = self._lang(lang)
        hints = self._spec["hints"]
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= len(hints):
            return Message(message("hint.none", lang, n=n, number=self.number, total=len(hints)))
        return Message(message("hint", lang, n=n, total=len(hints), number=self.number, text=hints[n - 1][lang]))

    def solution(self, *, lang: str | None = None) -> Message:
        """The model solution, only where the lecturer enables it.

        Solutions are shown only when ``DCTEACH_SOLUTIONS=1`` is set *and* the
        lecturer's material is present (the source notebook, or the practice
        bank's ``solution``); students' copies hold neither, so elsewhere this
        returns a message saying so.

        >>> print(load("ex04").q1.solution())  # doctest: +ELLIPSIS
        Solutions to ex04 are not enabled here. ...
        """
        lang = self._lang(lang)
        if os.environ.get("DCTEACH_SOLUTIONS", "").strip().lower() not in ("1", "yes", "true", "on"):
            return Message(message("solution.disabled", lang, exercise=self._exercise.id, call=self._call))
        if self._spec.get("solution"):  # a practice task: the lecturer bank holds the code
            header = message("solution", lang, number=self.number, source=f"{self._exercise.id}.json")
            return Message(f"{header}\n{self._spec['solution']}")
        path = source_path(self._exercise.id)
        if path is None:
            return Message(message("solution.missing", lang, number=self.number,
                                   exercise=self._exercise.id, call=self._call))
        nb = json.loads(path.read_text("utf-8"))
        lines: list[str] = []
        for info in analyse(nb):
            cell = nb["cells"][info.index]
            if info.role != "answer" or info.question != self.id:
                continue
            for region in split_regions(cell_source(cell)):
                if region.kind == "solution":
                    lines.extend(region.lines)
                elif region.kind == "public":
                    lines.extend(code for code in map(one_line_solution, region.lines) if code)
        header = message("solution", lang, number=self.number, source=path.name)
        return Message("\n".join([header, *lines]))

    def __repr__(self) -> str:
        return f"<Question {self.id} ({self.number}, {self.kind}, {self.points:g} pt): {self.title()}>"


class Exercise:
    """An exercise: its questions are attributes ``q1``, ``q2``...

    >>> ex = load("ex04")
    >>> ex.id, ex.q1.number
    ('ex04', '4.1')
    >>> ex.q99
    Traceback (most recent call last):
    ...
    AttributeError: ex04 has no question 'q99'; its questions are ...
    """

    def __init__(self, bank: dict, lang: str | None = None):
        self.id: str = bank["id"]
        self.lang: str = resolve_lang(lang)
        self._bank = bank
        self._questions = {spec["id"]: Question(self, spec) for spec in bank["questions"]}

    @property
    def questions(self) -> tuple[Question, ...]:
        """All questions in bank order."""
        return tuple(self._questions.values())

    @property
    def title(self) -> str:
        """Title in the exercise's language."""
        return self._bank["title"][self.lang]

    def __getattr__(self, name: str) -> Question:
        questions = self.__dict__.get("_questions", {})
        if name in questions:
            return questions[name]
        raise AttributeError(f"{self.__dict__.get('id', 'exercise')} has no question {name!r}; "
                             f"its questions are {', '.join(questions)}")

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._questions))

    def __repr__(self) -> str:
        lines = [f"{self.id}: {self.title}"]
        lines += [f"  {q.id} ({q.number}, {q.points:g} pt) {q.title(self.lang)}" for q in self.questions]
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(repr(self))


def load(exercise_id: str | int, *, lang: str | None = None) -> Exercise:
    """Load an exercise by id (``"ex04"``; ``4`` and ``"ex4"`` work too).

    ``lang`` (``"en"`` or ``"ru"``) is the default language of its feedback;
    None means ``$DCTEACH_LANG`` or English.

    Raises
    ------
    dcteach.UsageError
        For an unknown id (the message lists the available ones) or language.

    Examples
    --------
    >>> load(4, lang="ru").q1.title() == load("ex04").q1.title(lang="ru")
    True
    """
    return Exercise(load_bank(normalise_id(exercise_id)), lang=lang)
