"""What keeps the course's nbval run fast (issues 11, 12; timings: benchmarks/bench_notebooks.py).

* A notebook's usual cells (dcteach, the exercises, every widget, a quiz of the
  course) never import jsonschema: in a Jupyter environment that import costs
  seconds of CPU (its optional format checkers build grammars), once per kernel.
  Files a user gives are still validated in full.
* ``make test`` runs with pytest-xdist: every notebook is one unit of work (its
  cells in order, in one kernel), every other test is in one unit ``suite``
  (run serially, as without xdist). See the repository's ``conftest.py``.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

NOTEBOOK_CELLS = """
import sys
from pathlib import Path
import dcteach as dc
import dcteach.exercises as dx
import dcteach.widgets as dw
import dcteach.assessment
dx.load("p00").q1.check(...)
dw.Quiz("nb00", lang="ru")
dw.Quiz("example")
for name in ("PriorityMap", "CompetencyClassifier", "InstrumentExplorer", "Timeline", "SelfAssessment"):
    getattr(dw, name)(lang="en")
print(sorted(m for m in ("jsonschema", "rfc3987_syntax") if m in sys.modules))
"""


def test_notebook_cells_do_not_import_jsonschema():
    proc = subprocess.run([sys.executable, "-c", NOTEBOOK_CELLS], capture_output=True, text=True,
                          cwd=REPO, env={"PYTHONPATH": str(REPO), "MPLBACKEND": "Agg", "PATH": ""})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


OPEN_A_USERS_FILE = """
import sys
from dcteach.assessment import load_assessment
name, scores = load_assessment("notebooks/data/example_assessment_a.json")
print(len(scores), "jsonschema" in sys.modules, "rfc3987_syntax" in sys.modules)
import rfc3987_syntax  # the user's own import still works
print(rfc3987_syntax.is_valid_syntax("iri", "https://example.org/a"))
"""


def test_validating_a_users_file_imports_jsonschema_without_its_iri_grammars():
    """Notebooks 05, 07 and 09 open a saved self-assessment: jsonschema must not build the
    grammars of rfc3987-syntax (about 2.5 CPU s a kernel) for formats no schema uses."""
    proc = subprocess.run([sys.executable, "-c", OPEN_A_USERS_FILE], capture_output=True, text=True,
                          cwd=REPO, env={"PYTHONPATH": str(REPO), "PATH": ""})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["20", "True", "False", "True"]


def test_pytest_processes_import_jsonschema_before_nbval_without_iri_grammars():
    """``-p dcteach._pytest_plugin`` (pyproject's addopts) runs before nbval's plugin loads nbformat."""
    assert "nbformat" in sys.modules and "jsonschema" in sys.modules
    assert sys.modules.get("rfc3987_syntax") is None


def test_a_shipped_bank_that_breaks_the_schema_still_gets_a_located_error(tmp_path, monkeypatch):
    from dcteach.quiz import QuizBankError, _bank, load_bank

    bank = json.loads((_bank.BANKS_DIR / "example.json").read_text(encoding="utf-8"))
    del bank["questions"][0]["answers"]  # the shortcut's checks fail: the full check names the place
    (tmp_path / "broken.json").write_text(json.dumps(bank), encoding="utf-8")
    monkeypatch.setattr(_bank, "BANKS_DIR", tmp_path)
    with pytest.raises(QuizBankError, match=r"broken\.json: .*\n  - questions/0: 'answers' is a required property"):
        load_bank("broken")


def test_a_bank_given_by_path_is_checked_against_the_schema(tmp_path, monkeypatch):
    """Even in the shipped folder (as the lecturer's release reads it); by name the schema
    pass is left to tests/test_quiz_banks.py."""
    from dcteach.quiz import QuizBankError, _bank, load_bank

    bank = json.loads((_bank.BANKS_DIR / "example.json").read_text(encoding="utf-8"))
    del bank["title"]["ru"]  # only the schema says so
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(bank), encoding="utf-8")
    monkeypatch.setattr(_bank, "BANKS_DIR", tmp_path)
    for given in (path, str(path)):
        with pytest.raises(QuizBankError, match=r"title: 'ru' is a required property"):
            load_bank(given)
    assert "ru" not in load_bank("mine")["title"]


def test_a_user_assessment_file_is_still_validated(tmp_path):
    from dcteach.assessment import AssessmentFileError, load_assessment

    path = tmp_path / "a.json"
    path.write_text(json.dumps({"format": "dcteach-self-assessment", "version": 1, "scale": "dcteach-maturity-0-4",
                                "name": "x", "scores": {"EN-01": "three"}}), encoding="utf-8")
    with pytest.raises(AssessmentFileError, match=r"a\.json"):
        load_assessment(path)


# --- make test under pytest-xdist ---------------------------------------------------------------

def _root_conftest():
    spec = importlib.util.spec_from_file_location("dcteach_root_conftest", REPO / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Config:
    def __init__(self, dist):
        self.values = {"dist": dist, "tx": ["2*popen"], "numprocesses": 2}
        self.option = types.SimpleNamespace(loadscopereorder=True)

    def getvalue(self, name):
        return self.values.get(name)


def test_make_test_keeps_each_notebook_in_one_unit_and_the_rest_in_another():
    pytest.importorskip("xdist")
    scheduler = _root_conftest().pytest_xdist_make_scheduler(_Config("loadfile"), None)
    unit = scheduler._split_scope
    assert unit("notebooks/00_start_here.ipynb::Cell 0") == unit("notebooks/00_start_here.ipynb::Cell 13")
    assert unit("notebooks/00_start_here.ipynb::Cell 0") != unit("notebooks/ru/00_start_here.ipynb::Cell 0")
    others = {unit("tests/test_browser.py::test_lab"), unit("tests/test_hub.py::test_hub[1]"),
              unit("dcteach/data.py::dcteach.data.load_dataset")}
    assert others == {"suite"}


def test_units_go_out_in_collection_order_suite_first_then_the_longest_notebooks():
    pytest.importorskip("xdist")
    conftest, config = _root_conftest(), _Config("loadfile")
    conftest.pytest_xdist_make_scheduler(config, None)
    assert config.option.loadscopereorder is False  # xdist would sort units by their number of tests

    def item(nodeid):
        return types.SimpleNamespace(nodeid=nodeid, path=REPO / nodeid.split("::")[0])

    names = ["notebooks/00_start_here.ipynb", "notebooks/09_capstone.ipynb", "notebooks/ru/03_competencies.ipynb"]
    items = [item(f"{nb}::Cell {i}") for nb in names for i in range(3)]
    items.insert(4, item("tests/test_data.py::test_x"))
    items.append(item("dcteach/data.py::dcteach.data.load_dataset"))
    conftest.pytest_collection_modifyitems(items)
    order = [i.nodeid for i in items]
    assert order[:2] == ["tests/test_data.py::test_x", "dcteach/data.py::dcteach.data.load_dataset"]
    seconds = {nb: conftest.recorded_seconds(REPO / nb) for nb in names}
    assert all(v > 0 for v in seconds.values()), seconds  # every course notebook records its run
    by_time = sorted(names, key=lambda nb: -seconds[nb])
    assert order[2:] == [f"{nb}::Cell {i}" for nb in by_time for i in range(3)]


def test_recorded_seconds_sums_the_cells_execution_times(tmp_path):
    seconds = _root_conftest().recorded_seconds
    nb = tmp_path / "a.ipynb"
    timing = {"iopub.execute_input": "2026-12-01T02:53:10.5Z", "shell.execute_reply": "2026-12-01T02:53:12.0Z"}
    nb.write_text(json.dumps({"cells": [{"cell_type": "code", "metadata": {"execution": timing}},
                                        {"cell_type": "code", "metadata": {}},
                                        {"cell_type": "markdown", "metadata": {}}]}), encoding="utf-8")
    assert seconds(nb) == 1.5
    assert seconds(tmp_path / "missing.ipynb") == 0.0
    (tmp_path / "bad.ipynb").write_text("{", encoding="utf-8")
    assert seconds(tmp_path / "bad.ipynb") == 0.0


def test_other_distribution_modes_keep_xdist_own_scheduler():
    assert _root_conftest().pytest_xdist_make_scheduler(_Config("load"), None) is None


def test_make_test_runs_pytest_with_workers_and_loadfile():
    recipe = (REPO / "Makefile").read_text(encoding="utf-8").split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert re.search(r"-m pytest -n auto --dist loadfile --nbval\b", recipe)


def test_nbval_formats_a_kernel_message_only_when_debug_logging_writes_it(caplog):
    """The -p plugin's stand-in for nbval's eager pformat (see dcteach/_pytest_plugin.py)."""
    import logging

    import nbval.kernel

    assert nbval.kernel.pformat.__name__ == "LazyPformat"
    formatted = []

    class Message(dict):
        def __repr__(self):
            formatted.append(1)
            return dict.__repr__(self)

    class Client:
        def get_iopub_msg(self, timeout=None):
            return Message(msg_type="status", content={"execution_state": "idle"})

    kernel = nbval.kernel.RunningKernel.__new__(nbval.kernel.RunningKernel)
    kernel.kc = Client()
    with caplog.at_level(logging.INFO, logger="nbval"):
        kernel.get_message("iopub")
    assert formatted == []  # not written, never formatted
    with caplog.at_level(logging.DEBUG, logger="nbval"):
        kernel.get_message("iopub")
    assert formatted and "'execution_state': 'idle'" in caplog.text
