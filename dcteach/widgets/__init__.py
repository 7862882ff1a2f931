"""Interactive widgets (ipywidgets 8) on the data package, in English and Russian.

Each widget is a :class:`ipywidgets.VBox` subclass whose state lives in
traitlets; controls are wired with ``observe`` to pure functions, and every
user-facing string comes from ``dcteach/locales``. Pass ``lang="en"`` or
``lang="ru"`` (default: ``$DCTEACH_LANG`` or English).
"""

from __future__ import annotations

from dcteach.widgets.coding import CodingWidget
from dcteach.widgets.competency_classifier import CompetencyClassifier
from dcteach.widgets.instrument_explorer import InstrumentExplorer, filter_instruments
from dcteach.widgets.priority_map import PriorityMap, link_rationale
from dcteach.widgets.quiz import QuestionItem, Quiz
from dcteach.widgets.self_assessment import SelfAssessment
from dcteach.widgets.timeline import Timeline, event_rows

__all__ = [
    "CodingWidget",
    "CompetencyClassifier",
    "InstrumentExplorer",
    "PriorityMap",
    "QuestionItem",
    "Quiz",
    "SelfAssessment",
    "Timeline",
    "event_rows",
    "filter_instruments",
    "link_rationale",
]
