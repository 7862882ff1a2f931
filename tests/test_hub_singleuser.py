"""The lean environment of a student's server (dcteach.hub.singleuser), checked without a hub.

What each item saves in CPU seconds is measured by ``benchmarks/bench_hub.py``;
here: that the student's server and kernels really get it, and keep what
students use (JupyterLab, the notebook, terminals, nbgitpuller links, widgets).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dcteach.hub.singleuser import STUDENT_ENV, seed_matplotlib_cache, student_environment

ROOT = Path(__file__).resolve().parent.parent
OFF = ["jupyter_lsp", "nbgrader.server_extensions.assignment_list", "nbgrader.server_extensions.course_list",
       "nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.validate_assignment",
       "voila.server_extension"]


def _python(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                          cwd=ROOT)


def _base_env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "MPL", "XDG_"))}
    env.update(HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT))
    return env


def test_a_students_server_resolves_the_unused_extensions_to_off(tmp_path):
    code = ("import json; from jupyter_server.serverapp import ServerApp; app = ServerApp(); "
            "app.find_server_extensions(); print(json.dumps(app.jpserver_extensions)); "
            "from jupyterlab_server.config import get_static_page_config; "
            "print(json.dumps(get_static_page_config(level='all').get('disabledExtensions', {})))")
    done = _python(code, student_environment(_base_env(tmp_path)))
    assert done.returncode == 0, done.stderr
    server, lab = map(json.loads, done.stdout.splitlines())
    assert {name: server.get(name) for name in OFF} == dict.fromkeys(OFF, False)
    assert server.get("jupyterlab") is True  # what students use stays on
    assert lab.get("@jupyter/nbgrader") is True and lab.get("@voila-dashboards/jupyterlab-preview") is True
    assert "@jupyter-widgets/jupyterlab-manager" not in lab  # widgets still render
    assert json.loads((STUDENT_ENV / "jupyter" / "labconfig" / "page_config.json").read_text())


def test_a_students_kernel_imports_jsonschema_without_the_iri_parser(tmp_path):
    code = ("import sys, jsonschema; jsonschema.validate({'a': 1}, {'type': 'object'}); "
            "print('rfc3987_syntax' in sys.modules and sys.modules['rfc3987_syntax'] is not None, 'lark' in sys.modules)")
    done = _python(code, student_environment(_base_env(tmp_path)))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


def test_the_prebuilt_font_cache_spares_a_new_home_the_font_scan(tmp_path):
    shared = tmp_path / "shared"
    built = _python("import matplotlib.font_manager", dict(_base_env(tmp_path), MPLCONFIGDIR=str(shared)))
    assert built.returncode == 0, built.stderr
    env = dict(_base_env(tmp_path), DCTEACH_MPL_CACHE=str(shared))
    written = seed_matplotlib_cache(env)
    assert [p.parent for p in written] == [tmp_path / "home" / ".cache" / "matplotlib"]
    scan = ("import logging; logging.basicConfig(level=logging.INFO); import matplotlib.font_manager")
    done = _python(scan, env)
    assert done.returncode == 0 and "generated new fontManager" not in done.stderr, done.stderr
    fresh = _python(scan, dict(env, HOME=str(tmp_path / "other")))  # the control: a home without it scans
    assert "generated new fontManager" in fresh.stderr
    # a student's own cache is theirs: never overwritten
    written[0].write_text("{}")
    assert seed_matplotlib_cache(env) == [] and written[0].read_text() == "{}"
