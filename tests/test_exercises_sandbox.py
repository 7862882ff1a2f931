"""Hostile submissions against the grading sandbox (bubblewrap) and the outside judge.

One grading run, one kernel at a time, grades attackers first and an honest
unfilled stub last; a second run grades the stub alone. Each attacker turns
its success into points where it can (``answer_2 = 13`` only if the attack
worked), so a score of 0 is the proof that it failed, and the test also looks
at the machine afterwards (files, processes, connections).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import site
import socket
import sys
import threading
from pathlib import Path

import pytest

import _exercises_fixtures as fx
from dcteach._errors import UsageError
from dcteach.exercises import _sandbox
from dcteach.exercises.grade import grade_submissions
from test_exercises_grade import GOOD, make, write

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="bubblewrap is Linux-only")

TIMEOUT = 10
MARKER = "dcteach-hostile-" + hashlib.sha256(str(os.getpid()).encode()).hexdigest()[:10]
SECRET = "ins.loc[(ins"  # a fragment of the lecturer's solution to q1


def _q1(code: str) -> dict:
    return {"ex90-c03": code + "\nanswer_1 = ...", "ex90-c05": "answer_2 = 13 if FOUND else 12"}


LEAVE_BEHIND = f'''
import os, site, sys, subprocess, json
FOUND = False
payload = "import dcteach.exercises._checkers as c\\nc.check = lambda *a, **k: c.Verdict('correct', (), 1.0)\\n"
def put(path, text):
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "a") as f:
            f.write(text)
    except OSError:
        pass
homes = [os.path.expanduser("~"), "/root", {str(Path.home())!r}]
for home in homes:
    put(os.path.join(home, ".ipython/profile_default/startup/00-{MARKER}.py"), payload)
    put(os.path.join(home, ".local/share/jupyter/kernels/python3/kernel.json"), json.dumps({{"argv": ["true"]}}))
for d in [os.environ.get("JUPYTER_DATA_DIR", ""), "/usr/local/share/jupyter", sys.prefix + "/share/jupyter"]:
    put(os.path.join(d, "kernels/python3/kernel.json"), json.dumps({{"argv": ["true"], "{MARKER}": 1}}))
for d in site.getsitepackages() + [site.getusersitepackages()]:
    put(os.path.join(d, "{MARKER}.pth"), "import dcteach.exercises._checkers as c; c.check = None\\n")
import dcteach.exercises._checkers as checkers, dcteach.exercises.grade as grade
put(checkers.__file__, "\\n" + payload)
put(grade.__file__, "\\n# {MARKER}\\n")
for d in ["/tmp", os.environ.get("TMPDIR", "/tmp"), os.environ.get("JUPYTER_RUNTIME_DIR", "/tmp"), "/dev/shm"]:
    put(os.path.join(d, "kernel-{MARKER}.json"), "{{}}")
loop = "import time\\nwhile True:\\n    time.sleep(0.2)\\n    [open(p, 'a').write('x') for p in ['/tmp/{MARKER}', {str(Path.home())!r} + '/{MARKER}'] if True]"
subprocess.Popen([sys.executable, "-c", loop, "{MARKER}"], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
'''

PATCHER = '''
import builtins, dcteach, dcteach.exercises as dx, dcteach.exercises._checkers as c, dcteach.exercises.check as chk
import pandas as pd
c.check = lambda *a, **k: c.Verdict("correct", (), 1.0)
chk.Question.check = lambda self, *a, **k: None
chk.Question.grade = lambda self, *a, **k: None
builtins.AssertionError = type("AssertionError", (Exception,), {})
dcteach.load_dataset = lambda *a, **k: pd.DataFrame({"id": ["INS-01"], "group": ["operational"],
                                                     "document_source_id": ["x"]})
FOUND = False
answer_1 = {"INS-01"}
'''


def _snoop(tree: Path, source: Path) -> str:
    return f'''
import os, glob
FOUND = False
texts = []
def read(path):
    try:
        with open(path, "rb") as f:
            return f.read(2_000_000).decode("utf-8", "replace")
    except OSError:
        return ""
for pid in os.listdir("/proc"):
    if pid.isdigit():
        texts.append(read(f"/proc/{{pid}}/cmdline") + read(f"/proc/{{pid}}/environ"))
        for pattern in ("*.ipynb", "*/*.ipynb", "*/*/*.ipynb", "*/ex90.json"):
            for name in glob.glob(f"/proc/{{pid}}/cwd/{{pattern}}")[:50]:
                texts.append(read(name))
for folder in [os.environ.get("PWD", "."), os.environ.get("HOME", "~"), os.getcwd(), {str(tree)!r},
               {str(source.parent)!r}, {str(tree.parent)!r}, "/work", "/root", "/tmp"]:
    for pattern in ("*.ipynb", "*/*.ipynb", "*/*/*.ipynb", "*/*/*/*.ipynb", "*/ex90.json", "*/*/ex90.json"):
        for name in glob.glob(os.path.join(folder, pattern))[:200]:
            texts.append(read(name))
texts.append(read({str(source)!r}))
texts.append(repr(dict(os.environ)))
everything = "\\n".join(texts)
FOUND = ({SECRET!r} in everything or "PYTEST_CURRENT_TEST" in everything or "--source" in everything
         or {str(tree)!r} in everything or '"answer": ' in everything or '"where"' in everything)
'''


def _writer(targets: list[Path]) -> str:
    return f'''
FOUND = False
for target in {[str(t) for t in targets]!r}:
    try:
        with open(target, "w") as f:
            f.write("hacked")
        FOUND = True
    except OSError:
        pass
'''


def _network(port: int) -> str:
    return f'''
import socket
FOUND = False
for host in ("127.0.0.1", "localhost", "::1"):
    try:
        with socket.create_connection((host, {port}), timeout=2) as s:
            s.sendall(b"hello from the sandbox")
            FOUND = True
    except OSError:
        pass
'''


def _rows(out: Path) -> dict[str, dict]:
    with out.open(newline="", encoding="utf-8") as stream:
        return {r["file"]: r for r in csv.DictReader(stream)}


def _package_digest() -> str:
    import dcteach

    root = Path(dcteach.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _processes_with(marker: str) -> list[str]:
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit() and int(pid) != os.getpid():
            try:
                if marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.append(pid)
            except OSError:
                pass
    return found


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    if shutil.which("bwrap") is None:
        pytest.fail("bubblewrap is not installed: .ci/run installs it (apt-get install bubblewrap)")
    base = tmp_path_factory.mktemp("sandbox")
    tree = fx.make_tree(base / "exercises")
    source = tree / "source" / "ex90_fixture.ipynb"
    from dcteach.exercises.release import release_notebook

    student = release_notebook(fx.source_notebook(), exercise_id="ex90")
    subs = base / "submissions"
    subs.mkdir()
    out = base / "out" / "grades.csv"
    feedback = out.with_name("grades_feedback")
    feedback.mkdir(parents=True)
    (feedback / "zz_good.md").write_text("the real feedback", "utf-8")
    connections: list[bytes] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    port = server.getsockname()[1]
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            connections.append(conn.recv(100))
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    write(subs, "a1_leave_behind.ipynb", make(student, _q1(LEAVE_BEHIND)))
    write(subs, "a2_snoop.ipynb", make(student, _q1(_snoop(tree, source))))
    write(subs, "a3_writer.ipynb", make(student, _q1(_writer(
        [out, source, subs / "zz_good.ipynb", feedback / "zz_good.md", tree / "banks" / "ex90.json",
         Path.home() / MARKER]))))
    write(subs, "a4_network.ipynb", make(student, _q1(_network(port))))
    write(subs, "a5_patcher.ipynb", make(student, {"ex90-c03": PATCHER, "ex90-c05": "answer_2 = None"}))
    write(subs, "zz_good.ipynb", make(student, GOOD))
    write(subs, "zz_stub.ipynb", student)
    before = _package_digest()
    pth_before = {p for d in site.getsitepackages() for p in Path(d).glob("*.pth")}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DCTEACH_EXERCISES", str(tree))
        grade_submissions(subs, source=tree / "source", out=out, timeout=TIMEOUT, workers=1, memory_mb=2048,
                          progress_stream=open(os.devnull, "w"))
        first = _rows(out)
        after_first = _processes_with(MARKER)
        again = base / "again"
        again.mkdir()
        write(again, "stub.ipynb", student)
        out2 = base / "out2" / "grades.csv"
        grade_submissions(again, source=tree / "source", out=out2, timeout=TIMEOUT, workers=1, memory_mb=2048,
                          progress_stream=open(os.devnull, "w"))
    stop.set()
    thread.join()
    server.close()
    return {"rows": first, "second": _rows(out2), "out": out, "source": source, "tree": tree,
            "feedback": feedback, "connections": connections, "processes": after_first,
            "package_before": before, "pth_before": pth_before, "subs": subs}


def test_the_honest_submission_is_graded_normally(attacked):
    row = attacked["rows"]["zz_good.ipynb"]
    assert (row["q1"], row["q2"], row["status"]) == ("2", "1", "graded")


def test_nothing_left_behind_poisons_a_later_stub_same_run_and_next_run(attacked):
    for row in (attacked["rows"]["zz_stub.ipynb"], attacked["second"]["stub.ipynb"]):
        assert (row["q1"], row["q2"], row["total"]) == ("0", "0", "0"), row


def test_nothing_was_written_outside_the_kernels_folder(attacked):
    assert _package_digest() == attacked["package_before"]
    assert {p for d in site.getsitepackages() for p in Path(d).glob("*.pth")} == attacked["pth_before"]
    for path in [Path.home() / ".ipython/profile_default/startup" / f"00-{MARKER}.py", Path("/tmp") / MARKER,
                 Path.home() / MARKER, Path("/tmp") / f"kernel-{MARKER}.json"]:
        assert not path.exists(), path
    for folder in ["/usr/local/share/jupyter/kernels", f"{sys.prefix}/share/jupyter/kernels",
                   str(Path.home() / ".local/share/jupyter/kernels")]:
        for spec in Path(folder).glob("*/kernel.json"):
            assert MARKER not in spec.read_text("utf-8"), spec


def test_no_process_outlives_its_kernel(attacked):
    assert attacked["processes"] == [] and _processes_with(MARKER) == []


def test_the_lecturer_source_cannot_be_read_through_proc_pwd_home_or_the_environment(attacked):
    row = attacked["rows"]["a2_snoop.ipynb"]
    assert row["q2"] == "0" and row["status"] == "graded", row
    text = (attacked["feedback"] / "a2_snoop.md").read_text("utf-8")
    assert SECRET not in text and "BEGIN" not in text


def test_the_graders_folders_cannot_be_written(attacked):
    row = attacked["rows"]["a3_writer.ipynb"]
    assert row["q2"] == "0", row
    assert "hacked" not in attacked["out"].read_text("utf-8")
    assert "hacked" not in attacked["source"].read_text("utf-8")
    assert "hacked" not in (attacked["subs"] / "zz_good.ipynb").read_text("utf-8")
    assert "hacked" not in (attacked["feedback"] / "zz_good.md").read_text("utf-8")
    assert "hacked" not in (attacked["tree"] / "banks" / "ex90.json").read_text("utf-8")


def test_no_connection_reaches_127_0_0_1(attacked):
    assert attacked["connections"] == []
    assert attacked["rows"]["a4_network.ipynb"]["q2"] == "0"


def test_patching_dcteach_builtins_or_the_data_inside_the_kernel_earns_nothing(attacked):
    row = attacked["rows"]["a5_patcher.ipynb"]
    assert (row["q1"], row["q2"], row["total"]) == ("0", "0", "0"), row


def test_a_missing_bwrap_is_one_line_naming_the_fix(monkeypatch):
    monkeypatch.setattr(_sandbox.shutil, "which", lambda name: None)
    with pytest.raises(UsageError) as info:
        _sandbox.find_sandbox()
    text = str(info.value)
    assert "apt-get install bubblewrap" in text and "--no-sandbox" in text and "\n" not in text


def test_no_sandbox_grades_with_a_warning_in_the_reason(tmp_path, monkeypatch):
    tree = fx.make_tree(tmp_path / "exercises")
    monkeypatch.setenv("DCTEACH_EXERCISES", str(tree))
    subs = tmp_path / "subs"
    subs.mkdir()
    from dcteach.exercises.release import release_notebook

    write(subs, "ana.ipynb", make(release_notebook(fx.source_notebook(), exercise_id="ex90"), GOOD))
    rows = grade_submissions(subs, source=tree / "source", out=tmp_path / "g.csv", timeout=TIMEOUT, workers=1,
                             memory_mb=2048, progress_stream=open(os.devnull, "w"), no_sandbox=True)
    assert rows[0]["q1"] == "2" and "graded WITHOUT a sandbox" in rows[0]["reason"]


def test_the_kernel_sees_itself_alone_without_network_and_with_a_fresh_home(tmp_path):
    import subprocess

    sandbox = _sandbox.find_sandbox()
    _sandbox.prepare_workdir(str(tmp_path))
    source = Path(__file__).resolve().parent.parent / "exercises" / "source"
    code = ("import os, json; print(json.dumps({'pids': [p for p in os.listdir('/proc') if p.isdigit()], "
            "'home': os.environ['HOME'], 'env': sorted(os.environ), 'root': sorted(os.listdir('/')), "
            "'homes': sorted(os.listdir('/home')) if os.path.isdir('/home') else [], "
            f"'source': os.path.exists({str(source)!r})}}))")
    done = subprocess.run(sandbox.wrap([sys.executable, "-c", code], str(tmp_path),
                                       env=_sandbox.kernel_env(str(tmp_path), sandbox.pythonpath, "en")),
                          capture_output=True, text=True, timeout=120)
    seen = json.loads(done.stdout)
    assert len(seen["pids"]) <= 3  # bwrap's init, python (and nothing of the host)
    assert seen["home"].startswith(str(tmp_path))
    assert "PYTEST_CURRENT_TEST" not in seen["env"] and "DCTEACH_EXERCISES" not in seen["env"]
    # no one's home folder is visible: only the read-only paths the kernel needs (the Python
    # environment, dcteach and the core data), which lie under /home when the checkout does
    needed = {Path(p).parts[2] for p in sandbox.ro_paths if Path(p).parts[1:2] == ("home",) and len(Path(p).parts) > 2}
    assert set(seen["homes"]) == needed
    assert "home" not in seen["root"] or needed
    assert not seen["source"]  # the lecturer's sources (solutions) stay outside
