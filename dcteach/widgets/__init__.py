"""Interactive widgets (ipywidgets 8) on the data package, in English and Russian.

Each widget is a :class:`ipywidgets.VBox` subclass whose state lives in
traitlets; controls are wired with ``observe`` to pure functions, and every
user-facing string comes from ``dcteach/locales``. Pass ``lang="en"`` or
``lang="ru"`` (default: ``$DCTEACH_LANG`` or English).
"""

from __future__ import annotations

from dcteach.widgets.quiz import QuestionItem, Quiz
from dcteach.widgets.self_assessment import SelfAssessment

__all__ = ["QuestionItem", "Quiz", "SelfAssessment"]
