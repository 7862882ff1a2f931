"""The course's own exercises, run as the grader runs them (in the sandbox).

Every lecturer source in ``exercises/source`` must earn full marks with its
solutions and give "not attempted" for every automatic item of its student
version. This is ``dcteach exercises check exercises/source``: it caught the
capstone's ``lambda: plan(EXAMPLE_A)`` answers, which the self-check judged
but the grader did not call.
"""

from __future__ import annotations

from pathlib import Path

from dcteach.exercises import _checkers
from dcteach.exercises._verify import check_sources

REPO = Path(__file__).resolve().parent.parent


def test_every_course_exercise_passes_with_its_solution_and_not_with_its_stub():
    report = check_sources(REPO / "exercises" / "source", timeout=120, workers=2)
    assert sorted(report.problems) == sorted(p.stem.split("_")[0] for p in (REPO / "exercises" / "source").glob("ex*.ipynb"))
    assert report.ok, "\n".join(report.lines())


def test_a_function_without_arguments_is_called_and_what_it_returns_is_judged():
    spec = {"type": "number", "value": 4}
    assert _checkers.check(spec, lambda: 4).outcome == "correct"
    assert _checkers.check(spec, lambda: 5).outcome == "incorrect"

    def stub():
        raise NotImplementedError("Exercise 9.1")

    assert _checkers.check(spec, stub).outcome == "not_attempted"
    raised = _checkers.check(spec, lambda: 1 / 0)
    assert raised.outcome == "incorrect" and raised.details[0][0] == "raised"
    assert _checkers.check(spec, lambda x: 4).outcome == "incorrect"  # it needs an argument: a wrong type
