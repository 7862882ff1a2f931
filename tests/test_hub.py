"""The course on a real JupyterHub: three students, from the course link to their feedback.

A real hub (``deploy/jupyterhub/jupyterhub_config.py`` through ``dcteach hub``'s
code) with its npm configurable-http-proxy on loopback. Each student's server
opens the course, runs notebook 02 through the kernel API, fills in ex02 and
submits it from a kernel with ``dcteach exercises submit``. The lecturer then
collects, grades, marks the essays, returns and exports, each with one
``dcteach`` command; every student finds their own feedback and nobody else's.

Why separate home folders and not system users here: the test's Python may live
where other accounts cannot run it (this machine's venv links into root's
home), and CI must never skip. The operating-system side of the exchange
(students as real users who cannot read or overwrite each other's
submissions) is tested in ``tests/test_exchange.py`` with real system users.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from _procs import command, still_running

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

ANSWERS = {
    "student01": {  # everything right
        "q1": 'enablers = dc.load_dataset("enablers")\nanswer_1 = set(enablers.loc[enablers["tier"] == "core", "id"])',
        "q2": 'related = dc.load_dataset("related_work_areas")\nanswer_2 = set(related.loc[related["name_en"].str.contains("data", case=False), "id"])',
        "q3": 'links = dc.load_dataset("instrument_priority_links")\nanswer_3 = links["priority_area_id"].value_counts()',
        "q4": 'essay_4 = """' + " ".join(["Enablers are conditions such as strategy and legal basis;"] * 12) + '"""',
    },
    "student02": {  # q2 wrong, the rest right
        "q1": 'enablers = dc.load_dataset("enablers")\nanswer_1 = set(enablers.loc[enablers["tier"] == "core", "id"])',
        "q2": 'answer_2 = {"RWA-99"}',
        "q3": 'links = dc.load_dataset("instrument_priority_links")\nanswer_3 = links["priority_area_id"].value_counts()',
        "q4": 'essay_4 = """' + " ".join(["Факторы — это условия: стратегия, правовая основа;"] * 12) + '"""',
    },
    "student03": {  # only q2 answered
        "q2": 'related = dc.load_dataset("related_work_areas")\nanswer_2 = set(related.loc[related["name_en"].str.contains("data", case=False), "id"])',
    },
}
# levels the lecturer types for the three criteria of ex02 q4 (student03 wrote no essay)
LEVELS = {"student01": ["4", "4", "3"], "student02": ["2", "4", "1"]}


def _dcteach(*args, env=None, input_text=None, timeout=180) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.run([sys.executable, "-m", "dcteach.cli", *args], cwd=ROOT, env=full_env,
                          input=input_text, capture_output=True, text=True, timeout=timeout)


def ensure_proxy() -> None:
    """Install the project's configurable-http-proxy (deploy/jupyterhub/package-lock.json) if missing."""
    from dcteach.hub.local import find_proxy

    try:
        find_proxy()
        return
    except Exception:
        pass
    assert shutil.which("npm"), "npm is needed to install configurable-http-proxy (.ci/run installs Node.js and npm)"
    subprocess.run([str(ROOT / "deploy" / "jupyterhub" / "install-proxy")], check=True, capture_output=True, timeout=300)
    find_proxy()


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    from dcteach.hub import local

    ensure_proxy()
    state = tmp_path_factory.mktemp("hub")
    running = local.start(state, students=3, port=local.free_port(), lang="en", timeout=90)
    yield running
    pid = running.process.pid
    running.stop()
    import psutil

    try:
        ended = still_running([psutil.Process(pid)], timeout=0) == []
    except psutil.NoSuchProcess:
        ended = True
    assert ended
    left = [p for p in psutil.process_iter(["cmdline"])
            if str(state) in " ".join(p.info["cmdline"] or []) and p.pid != os.getpid()]
    assert not left, f"processes outlived the hub: {[p.info['cmdline'][:3] for p in left]}"


def _fill(nb: dict, answers: dict[str, str]) -> dict:
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("dcteach", {})
        if meta.get("role") == "answer" and meta.get("question") in answers:
            cell["source"] = answers[meta["question"]]
            cell["metadata"]["tags"] = [t for t in cell["metadata"].get("tags", []) if t != "raises-exception"]
    return nb


def _student_session(hub, name: str) -> dict:
    from dcteach.hub.remote import UserServer

    took = hub.start_server(name, timeout=300)
    began = time.monotonic()
    server = UserServer(hub.url, name, hub.token)
    top = server.listdir()
    course = [n for n in top if n.startswith("02_") and n.endswith(".ipynb")]
    assert course, f"{name}'s course folder lacks notebook 02: {top}"
    cells = server.run_notebook(course[0], timeout=180)
    ran = time.monotonic() - began
    exercises = server.listdir("exercises")
    ex02 = [n for n in exercises if n.startswith("ex02_")]
    assert ex02 and "source" not in top and "source" not in exercises
    path = f"exercises/{ex02[0]}"
    server.write_notebook(path, _fill(server.read(path), ANSWERS[name]))
    kernel = server.start_kernel(path)
    try:
        out = server.execute(kernel, [
            "import subprocess, sys\n"
            "r = subprocess.run([sys.executable, '-m', 'dcteach.cli', 'exercises', 'submit', 'ex02'], "
            "capture_output=True, text=True)\nprint(r.returncode, r.stdout, r.stderr)",
            # the lean start (dcteach.hub.singleuser): the course's Jupyter config first, no IRI parser
            "import os, sys\nprint(os.environ['JUPYTER_CONFIG_PATH'].split(os.pathsep)[0], 'lark' in sys.modules)"])
    finally:
        server.shutdown_kernel(kernel)
    printed = "".join(o.get("text", "") for o in out[0])
    assert printed.startswith("0 submitted ex02 as " + name), printed
    from dcteach.hub.singleuser import STUDENT_ENV

    lean = "".join(o.get("text", "") for o in out[1]).split()
    assert lean == [str(STUDENT_ENV / "jupyter"), "False"], lean
    return {"spawn": took, "cells": cells, "run": ran, "done": time.monotonic() - began}


def test_a_term_on_a_real_hub(hub, tmp_path):
    names = hub.students
    assert names == ["student01", "student02", "student03"]
    with ThreadPoolExecutor(len(names)) as pool:
        sessions = dict(zip(names, pool.map(lambda n: _student_session(hub, n), names)))
    assert all(s["cells"] > 5 for s in sessions.values())
    print({n: {k: round(v, 1) for k, v in s.items()} for n, s in sessions.items()})
    log = hub.log.read_text(errors="replace")
    for name in names:  # each spawn followed through its event stream, as a browser's spawn page does,
        assert f"GET /hub/api/users/{name}/server/progress" in log
        assert log.count(f"GET /hub/api/users/{name} ") <= 2  # not by asking the hub every second
    assert "jupyterlab | extension was successfully loaded" in log
    assert "voila.server_extension | extension was successfully loaded" not in log

    # the course copies hold the student release only: no lecturer source, no solution text
    source_text = (ROOT / "exercises" / "source" / "ex02_enablers_priorities.ipynb").read_text(encoding="utf-8")
    assert "### BEGIN SOLUTION" in source_text
    for name in names:
        home = hub.state / "homes" / name / "dcteach-course"
        for path in home.rglob("*.ipynb"):
            text = path.read_text(encoding="utf-8")
            assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text, path

    exchange = hub.state / "exchange"
    env = {"DCTEACH_EXCHANGE": str(exchange)}
    work = tmp_path / "ex02"
    # 4. collect at the deadline (a deadline tomorrow: nobody is late)
    tomorrow = time.strftime("%Y-%m-%dT%H:%M+00:00", time.gmtime(time.time() + 86400))
    done = _dcteach("exercises", "collect", "--exercise", "ex02", "--out", str(work), "--deadline", tomorrow,
                    "--penalty-per-day", "10", "--cutoff-days", "3", env=env)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (work / "submitted").iterdir()) == names
    times = {r["student"]: r for r in csv.DictReader((work / "submissions.csv").open(encoding="utf-8"))}
    assert set(times) == set(names) and {r["status"] for r in times.values()} == {"on time"}

    # 5. grade (the grading lane's command, sandboxed where it sandboxes)
    done = _dcteach("exercises", "grade", str(work / "submitted"), "--source", str(ROOT / "exercises" / "source"),
                    "--out", str(work / "grades.csv"), timeout=300)
    assert done.returncode == 0, done.stderr
    grades = {r["file"].split("/")[0]: r for r in csv.DictReader((work / "grades.csv").open(encoding="utf-8"))}
    assert float(grades["student01"]["q1"]) == 1 and float(grades["student01"]["q2"]) == 1
    assert float(grades["student02"]["q2"]) == 0 and float(grades["student03"]["q2"]) == 1

    # 6. mark the essays with the rubric (three criteria each; student03 has none to mark)
    typed = "".join(f"{level}\n{'clear' if level == '4' else 'develop this'}\n"
                    for name in ("student01", "student02") for level in LEVELS[name])
    done = _dcteach("exercises", "mark", str(work / "grades.csv"), "--marker", "lecturer", input_text=typed)
    assert done.returncode == 0, done.stderr
    marks = list(csv.DictReader((work / "marks.csv").open(encoding="utf-8")))
    assert len(marks) == 6 and {m["student"] for m in marks} == {"student01", "student02"}

    # 7. return
    done = _dcteach("exercises", "return", str(work / "grades.csv"), "--homes",
                    str(hub.state / "homes" / "{user}"), env=env)
    assert done.returncode == 0, done.stderr
    final = {r["student"]: r for r in csv.DictReader((work / "final.csv").open(encoding="utf-8"))}
    # student01: every automatic point (1 + 1 + 2) + rubric levels 4, 4, 3 of the essay's three
    # criteria (2 points each; the bank's level descriptors give 2, 2 and 1.5)
    assert float(final["student01"]["total"]) == pytest.approx(4 + 2 + 2 + 1.5, abs=0.01)
    assert float(final["student01"]["max"]) == 10 and final["student01"]["status"] == "complete"

    from dcteach.hub.remote import UserServer

    for name in names:
        server = UserServer(hub.url, name, hub.token)
        assert server.listdir("feedback") == ["ex02.md"]
        text = server.read("feedback/ex02.md")
        assert name in text and f"{final[name]['total']} / 10" in text
        assert not any(other in text for other in names if other != name)
        assert (exchange / "feedback" / name / "ex02.md").read_text(encoding="utf-8") == text
    own = UserServer(hub.url, "student01", hub.token).read("feedback/ex02.md")
    assert "level 3/4" in own and "clear" in own

    # 8. export to the LMS
    for fmt in ("moodle", "canvas"):
        done = _dcteach("exercises", "export", str(work / "grades.csv"), "--format", fmt,
                        "--out", str(work / f"{fmt}.csv"))
        assert done.returncode == 0, done.stderr
    moodle = list(csv.reader((work / "moodle.csv").open(encoding="utf-8")))
    assert moodle[0] == ["username", "ex02"] and moodle[1] == ["student01", final["student01"]["total"]]
    canvas = list(csv.reader((work / "canvas.csv").open(encoding="utf-8")))
    assert canvas[1] == ["Points Possible", "", "", "", "", "10"]


def test_dcteach_hub_logs_in_through_its_proxy_and_stops_everything_on_sigterm(tmp_path):
    import re
    import signal

    import psutil
    import requests

    from dcteach.hub.local import free_port

    ensure_proxy()
    port = free_port()
    state = tmp_path / "hub"
    proc = subprocess.Popen([sys.executable, "-m", "dcteach.cli", "hub", "--students", "2", "--port", str(port),
                             "--dir", str(state)], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        while not lines or not lines[-1].startswith("Press Ctrl+C"):
            line = proc.stdout.readline()
            assert line, f"dcteach hub ended early: {proc.stderr.read()[-500:]}"
            lines.append(line.strip())
        password = re.search(r"students' password \(demo only\): (\S+)", "\n".join(lines))[1]
        tree = psutil.Process(proc.pid).children(recursive=True)
        assert any("configurable-http-proxy" in command(p) for p in tree)
        with requests.Session() as web:
            page = web.get(f"http://127.0.0.1:{port}/hub/login", timeout=30)
            xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text)[1]
            wrong = web.post(f"http://127.0.0.1:{port}/hub/login", timeout=30, allow_redirects=False,
                             data={"username": "student01", "password": "wrong-password", "_xsrf": xsrf})
            assert wrong.status_code == 403
            right = web.post(f"http://127.0.0.1:{port}/hub/login", timeout=30, allow_redirects=False,
                             data={"username": "student01", "password": password, "_xsrf": xsrf})
            assert right.status_code == 302 and "jupyterhub-session-id" in web.cookies
            stranger = web.post(f"http://127.0.0.1:{port}/hub/login", timeout=30, allow_redirects=False,
                                data={"username": "student99", "password": password, "_xsrf": xsrf})
            assert stranger.status_code == 403  # only the demo class may log in
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    left = still_running(tree)
    assert not left, f"still running after SIGTERM: {[command(p)[:120] for p in left]}"
