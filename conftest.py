"""How `make test` shares its work between pytest-xdist workers (``-n auto --dist loadfile``).

Each course notebook is one unit of work: its cells run in order, in one
kernel, on one worker (nbval needs that), while notebooks run side by side,
each in a kernel of its own (no state passes from one notebook to another).
Every other test (unit tests, doctests, browser and hub tests) is in one unit
``suite`` and so runs serially on one worker, in the usual order, as without
xdist: tests that start servers, browsers or hubs never overlap one another.

Units are handed out in collection order, which puts ``suite`` first and then
the notebooks, the longest first (by the run time recorded in each notebook's
cells when it was last executed): the last notebook to finish is then a short
one, and no core waits long at the end (longest-processing-time-first).

This replaces ``--dist loadfile``'s scheduler (one unit per file) through
xdist's ``pytest_xdist_make_scheduler`` hook. (``--dist loadgroup`` with
``xdist_group`` marks would say the same, but with pytest 9.2 and
pytest-xdist 3.8 it silently stops grouping: pytest-xdist issue 1386.)
A run without ``-n`` does not use this file.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

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


def recorded_seconds(notebook: Path) -> float:
    """Seconds its code cells took when the notebook was last executed (0 if not recorded).

    nbclient records each cell's ``execution`` times in its metadata
    (tested in ``tests/test_notebook_run_cost.py``; pytest does not collect this file).
    """
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return 0.0
    total = 0.0
    for cell in cells:
        times = cell.get("metadata", {}).get("execution", {}) if isinstance(cell, dict) else {}
        try:
            total += (datetime.fromisoformat(times["shell.execute_reply"])
                      - datetime.fromisoformat(times["iopub.execute_input"])).total_seconds()
        except (KeyError, TypeError, ValueError):
            continue
    return total


def pytest_collection_modifyitems(items):
    """Everything that is not a notebook first (in its order), then the notebooks, longest first."""
    weights: dict[str, float] = {}

    def key(item) -> tuple[int, float]:
        unit = work_unit(item.nodeid)
        if unit == "suite":
            return (0, 0.0)
        if unit not in weights:
            weights[unit] = recorded_seconds(Path(item.path))
        return (1, -weights[unit])

    items.sort(key=key)  # stable: a notebook's cells keep their order


@pytest.hookimpl(optionalhook=True, tryfirst=True)  # optional: only with pytest-xdist installed
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    config.option.loadscopereorder = False  # keep the collection's order (see above)

    class NotebookScheduling(LoadFileScheduling):
        """``loadfile`` for notebooks; everything else in one unit, run first."""

        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return NotebookScheduling(config, log)
