"""How `make test` shares its work between pytest-xdist workers (``-n auto --dist loadfile``).

Each course notebook is one unit of work: its cells run in order, in one
kernel, on one worker (nbval needs that), while notebooks run side by side,
each in a kernel of its own (no state passes from one notebook to another).
Every other test (unit tests, doctests, browser and hub tests) is in one unit
``suite`` and so runs serially on one worker, in the usual order, as without
xdist: tests that start servers, browsers or hubs never overlap one another.

This replaces ``--dist loadfile``'s scheduler (one unit per file) through
xdist's ``pytest_xdist_make_scheduler`` hook. (``--dist loadgroup`` with
``xdist_group`` marks would say the same, but with pytest 9.2 and
pytest-xdist 3.8 it silently stops grouping: pytest-xdist issue 1386.)
A run without ``-n`` does not use this file.
"""

from __future__ import annotations

import pytest

#: Not collected (``--doctest-modules`` imports every module under ``dcteach/``): the
#: stand-in that hides rfc3987-syntax in students' servers raises ImportError by design.
collect_ignore = ["dcteach/hub/student_env"]


def work_unit(nodeid: str) -> str:
    """The unit of work of a collected test: its notebook for a notebook cell, else ``suite``.

    >>> work_unit("notebooks/ru/00_start_here.ipynb::Cell 3")
    'notebooks/ru/00_start_here.ipynb'
    >>> work_unit("tests/test_data.py::test_load[a.ipynb]")
    'suite'
    """
    file = nodeid.split("::", 1)[0]
    return file if file.endswith(".ipynb") else "suite"


@pytest.hookimpl(optionalhook=True, tryfirst=True)  # optional: only with pytest-xdist installed
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class NotebookScheduling(LoadFileScheduling):
        """``loadfile`` for notebooks; everything else in one unit, run first."""

        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return NotebookScheduling(config, log)
