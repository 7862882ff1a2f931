"""Exchange, late policy, marks, LMS export and the student release (dcteach.exercises.exchange & co)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from _users import as_user

from dcteach._errors import UsageError
from dcteach.exercises import exchange, marks
from dcteach.exercises.late import LatePolicy
from dcteach.exercises.lms import to_csv

ROOT = Path(__file__).resolve().parent.parent
STUDENT_NB = ROOT / "exercises" / "student" / "ex02_enablers_priorities.ipynb"


def _cli(*args, env=None, input_text=None):
    full = dict(os.environ, PYTHONPATH=str(ROOT))
    full.pop("JUPYTERHUB_USER", None)
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "dcteach.cli", *args], capture_output=True, text=True,
                          env=full, input=input_text, timeout=120)


def _one_line_error(done, code=2):
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_submit_collect_keeps_the_latest_and_never_overwrites(tmp_path):
    root = exchange.init_exchange(tmp_path / "x")
    exchange.ensure_student("alice", root)
    first = exchange.submit("ex02", file=STUDENT_NB, user="alice", root=root)
    nb = json.loads(STUDENT_NB.read_text(encoding="utf-8"))
    nb["metadata"]["marker"] = "second"
    mine = tmp_path / "mine.ipynb"
    mine.write_text(json.dumps(nb), encoding="utf-8")
    second = exchange.submit("ex2", file=mine, user="alice", root=root)
    assert first != second and first.is_file() and second.is_file()
    assert oct(first.stat().st_mode & 0o777) == "0o600"
    assert oct((root / "inbound").stat().st_mode & 0o777) == "0o711"
    got = exchange.collect(tmp_path / "work", root=root)
    assert [(c.student, c.exercise, c.attempts) for c in got] == [("alice", "ex02", 2)]
    kept = json.loads((tmp_path / "work" / "submitted" / "alice" / "ex02.ipynb").read_text(encoding="utf-8"))
    assert kept["metadata"]["marker"] == "second"
    rows = list(csv.DictReader((tmp_path / "work" / "submissions.csv").open(encoding="utf-8")))
    assert rows[0]["student"] == "alice" and rows[0]["status"] == "on time"


def test_cyrillic_student_names_are_kept(tmp_path):
    root = exchange.init_exchange(tmp_path / "x")
    for name in ("Иванов", "Петров"):
        exchange.submit("ex02", file=STUDENT_NB, user=name, root=root)
    got = exchange.collect(tmp_path / "w", root=root)
    assert sorted(c.student for c in got) == ["Иванов", "Петров"]
    assert (tmp_path / "w" / "submitted" / "Иванов" / "ex02.ipynb").is_file()


def test_a_backdated_file_name_does_not_make_a_late_submission_on_time(tmp_path):
    root = exchange.init_exchange(tmp_path / "x")
    now = dt.datetime.now(dt.timezone.utc)
    exchange.submit("ex02", file=STUDENT_NB, user="bob", root=root, now=now - dt.timedelta(days=5))
    policy = LatePolicy.parse((now - dt.timedelta(days=1, hours=12)).isoformat(), penalty_per_day=10)
    got = exchange.collect(tmp_path / "w", root=root, policy=policy)
    assert got[0].submitted_at > now - dt.timedelta(minutes=5)  # the change time, not the label
    row = next(csv.DictReader((tmp_path / "w" / "submissions.csv").open(encoding="utf-8")))
    assert (row["late_days"], row["penalty"], row["status"]) == ("2", "0.2", "late")


def test_hard_cutoff_refuses_late_work(tmp_path):
    root = exchange.init_exchange(tmp_path / "x")
    exchange.submit("ex02", file=STUDENT_NB, user="carol", root=root)
    now = dt.datetime.now(dt.timezone.utc)
    policy = LatePolicy.parse((now - dt.timedelta(days=4)).isoformat(), penalty_per_day=10, cutoff_days=3)
    got = exchange.collect(tmp_path / "w", root=root, policy=policy)
    assert got[0].late == "after cut-off"
    assert not (tmp_path / "w" / "submitted" / "carol" / "ex02.ipynb").exists()


@pytest.mark.parametrize("bad", ["../bob", ".hidden", "a/b", "x\x00"])
def test_bad_student_names_are_refused(bad):
    with pytest.raises(UsageError):
        exchange.check_student_name(bad)


def test_late_policy_needs_an_offset():
    with pytest.raises(UsageError, match="UTC offset"):
        LatePolicy.parse("2026-12-01T18:00")
    with pytest.raises(UsageError):
        LatePolicy.parse("2026-12-01T18:00Z", penalty_per_day=150)


def test_submit_outside_a_hub_is_one_line(tmp_path):
    done = _cli("exercises", "submit", "ex02", "--file", str(STUDENT_NB), "--exchange", str(tmp_path))
    _one_line_error(done)
    assert "JUPYTERHUB_USER" in done.stderr
    bad = tmp_path / "ex02_x.ipynb"
    bad.write_text("not json", encoding="utf-8")
    exchange.init_exchange(tmp_path / "x")
    done = _cli("exercises", "submit", "ex02", "--file", str(bad), "--exchange", str(tmp_path / "x"),
                env={"JUPYTERHUB_USER": "alice"})
    _one_line_error(done)
    assert "not a notebook" in done.stderr


def test_collect_without_exchange_and_hub_on_busy_port_are_one_line(tmp_path):
    _one_line_error(_cli("exercises", "collect", "--exchange", str(tmp_path / "none"), "--out", str(tmp_path)))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        done = _cli("hub", "--port", str(port), "--dir", str(tmp_path / "hub"))
    _one_line_error(done)
    assert "busy" in done.stderr


def _bank_max(exercise: str) -> str:
    """The maximum of an exercise as the final grade shows it: the sum of its bank's points."""
    bank = json.loads((ROOT / "exercises" / "banks" / f"{exercise}.json").read_text(encoding="utf-8"))
    return f"{sum(float(q['points']) for q in bank['questions']):g}"


def _gradebook(folder: Path) -> Path:
    path = folder / "grades.csv"
    path.write_text("student,exercise,file,q1,q2,q3,q4,total,max,status,reason,sha256,extra\n"
                    "alice,ex02,alice/ex02.ipynb,1,0,1,,2,3,graded,,x,keep\n"
                    "bob,ex02,bob/ex02.ipynb,0,0,0,0,0,3,graded,,y,keep\n", encoding="utf-8")
    return path


def test_marks_final_grade_feedback_and_lms(tmp_path):
    book = _gradebook(tmp_path)
    (tmp_path / "submitted" / "alice").mkdir(parents=True)
    nb = json.loads(STUDENT_NB.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["metadata"].get("dcteach", {}).get("question") == "q4" and \
                cell["metadata"]["dcteach"].get("role") == "answer":
            cell["source"] = 'essay_4 = "Enablers are conditions."'
    (tmp_path / "submitted" / "alice" / "ex02.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    shown: list[str] = []
    typed = iter(["7", "4", "clear", "", "2", "thin", "q"])
    count = marks.mark_interactively(book, ask=lambda prompt: next(typed), say=shown.append, marker="me")
    assert count == 2  # c1 level 4, c2 skipped, c3 level 2, then stop; bob (not attempted) never asked
    assert any("Enablers are conditions." in line for line in shown)
    assert any("type 1, 2, 3 or 4" in line for line in shown)
    assert not any("bob" in line for line in shown)
    rows = list(csv.DictReader(marks.marks_path(book).open(encoding="utf-8")))
    assert [r["criterion"] for r in rows] == ["c1", "c3"] and rows[0]["marker"] == "me"
    final = {r["student"]: r for r in marks.final_rows(book)}
    assert final["alice"]["status"] == "awaiting marking"  # c2 still open
    assert final["alice"]["max"] == _bank_max("ex02") != "3" and final["bob"]["status"] == "complete"
    assert to_csv(list(final.values()), "moodle").splitlines()[1] == "alice,"  # never a wrong number
    c2 = marks.rubric_of(marks._bank("ex02", {})["questions"][3])[1]
    marks.record_mark(marks.marks_path(book), student="alice", exercise="ex02", question="q4", criterion=c2,
                      level=3, comment="ok")
    final = {r["student"]: r for r in marks.final_rows(book)}
    assert final["alice"]["status"] == "complete"
    c1, c2, c3 = marks.rubric_of(marks._bank("ex02", {})["questions"][3])  # levels typed: c1 4, c2 3, c3 2
    marked = c1["levels"][3]["points"] + c2["levels"][2]["points"] + c3["levels"][1]["points"]
    assert float(final["alice"]["total"]) == pytest.approx(2 + marked, abs=0.01) and marked > 0
    text = marks.compose_feedback("# base", final["alice"], marks=marks.latest_marks(marks.marks_path(book)))
    assert "level 4/4" in text and "clear" in text and "Final score" in text
    bank = json.loads((ROOT / "exercises" / "banks" / "ex02.json").read_text(encoding="utf-8"))
    for q in bank["questions"]:
        for secret in (q.get("model_answer") or {}).values():
            assert secret not in text


def test_export_cli_and_errors(tmp_path):
    book = _gradebook(tmp_path)
    done = _cli("exercises", "export", str(book), "--format", "canvas", "--out", "-")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Student,ID,SIS User ID,SIS Login ID,Section,ex02")
    assert lines[1] == f"Points Possible,,,,,{_bank_max('ex02')}"
    _one_line_error(_cli("exercises", "export", str(tmp_path / "nope.csv"), "--format", "moodle", "--out", "-"))
    broken = tmp_path / "broken.csv"
    broken.write_text("a,b\n1,2\n", encoding="utf-8")
    done = _cli("exercises", "export", str(broken), "--format", "moodle", "--out", "-")
    _one_line_error(done)
    assert "missing column" in done.stderr


def test_student_release_never_holds_lecturer_sources(tmp_path):
    from dcteach.hub.distribute import release_sources, sync_course

    report = sync_course(tmp_path / "course")
    assert any(p.startswith("exercises/ex02_") for p in report.copied)
    assert not any("source" in Path(p).parts for p in report.copied)
    for path in (tmp_path / "course").rglob("*.ipynb"):
        assert "BEGIN SOLUTION" not in path.read_text(encoding="utf-8")
    assert all("source" not in str(folder) for folder, _ in release_sources())


def test_an_update_merges_without_overwriting_edits(tmp_path):
    from dcteach.hub.distribute import sync_course

    src = tmp_path / "release"
    src.mkdir()
    (src / "a.ipynb").write_text("a1")
    (src / "b.ipynb").write_text("b1")
    course = tmp_path / "course"
    assert sorted(sync_course(course, sources=[(src, "")]).copied) == ["a.ipynb", "b.ipynb"]
    (course / "a.ipynb").write_text("my answers")
    (course / "b.ipynb").unlink()
    (src / "a.ipynb").write_text("a2")
    (src / "c.ipynb").write_text("c1")
    report = sync_course(course, sources=[(src, "")])
    assert report.kept == ["a.ipynb"] and sorted(report.copied) == ["b.ipynb", "c.ipynb"]
    assert (course / "a.ipynb").read_text() == "my answers"
    (src / "c.ipynb").write_text("c2")  # untouched by the student: updated
    assert sync_course(course, sources=[(src, "")]).updated == ["c.ipynb"]
    assert (course / "c.ipynb").read_text() == "c2"


# --- the operating system keeps students apart (real system users; needs root) ---------------------

def _need_root():
    if os.geteuid() != 0:
        if os.environ.get("DCTEACH_REQUIRE_HUB") == "1":
            pytest.fail("the exchange's permission test needs root (CI runs as root)")
        pytest.skip("needs root to create system users")


@pytest.fixture
def two_students():
    _need_root()
    names = [f"dcx{os.getpid() % 10000}a", f"dcx{os.getpid() % 10000}b"]
    for name in names:
        subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name], check=True)
    yield names
    for name in names:
        subprocess.run(["userdel", name], check=False)


def test_students_cannot_read_or_overwrite_each_other(two_students):
    import shutil
    import tempfile

    alice, bob = two_students
    tmp_path = Path(tempfile.mkdtemp(prefix="dcteach-exchange-"))  # pytest's folders are 0700
    os.chmod(tmp_path, 0o755)
    try:
        _students_apart(tmp_path, alice, bob)
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)


def _students_apart(tmp_path: Path, alice: str, bob: str) -> None:
    root = exchange.init_exchange(tmp_path / "exchange")
    for name in (alice, bob):
        exchange.ensure_student(name, root)
    nb = tmp_path / "ex02_mine.ipynb"
    nb.write_bytes(STUDENT_NB.read_bytes())
    os.chmod(nb, 0o644)

    def submit_as(user):
        def run():
            return exchange.submit("ex02", file=nb, user=user, root=root).name
        return run

    mine = as_user(alice, submit_as(alice))
    assert mine.startswith("ex02+"), mine
    target = root / "inbound" / alice / mine

    def probe():
        results = []
        for action in (lambda: os.listdir(root / "inbound"), lambda: os.listdir(root / "inbound" / alice),
                       lambda: target.read_bytes(), lambda: target.write_bytes(b"x"),
                       lambda: (root / "inbound" / alice / "ex02+20990101T000000.000000Z+00.ipynb").write_bytes(b"x")):
            try:
                action()
                results.append("allowed")
            except PermissionError:
                results.append("denied")
        return ",".join(results)

    assert as_user(bob, probe) == "denied,denied,denied,denied,denied"
    # bob pretending to be alice (JUPYTERHUB_USER is only an environment variable) cannot write her inbox
    assert "cannot write your submission" in as_user(bob, submit_as(alice)) or \
        "no inbox" in as_user(bob, submit_as(alice))
    assert as_user(bob, submit_as(bob)).startswith("ex02+")
    got = {c.student: c for c in exchange.collect(tmp_path / "work", root=root)}
    assert set(got) == {alice, bob} and got[alice].attempts == 1
    exchange.return_feedback({(alice, "ex02"): "for alice", (bob, "ex02"): "for bob"}, root=root)
    fb = root / "feedback" / alice / "ex02.md"

    def read_alices_feedback():
        try:
            return fb.read_text()
        except PermissionError:
            return "denied"

    assert as_user(alice, read_alices_feedback) == "for alice"
    assert as_user(bob, read_alices_feedback) == "denied"


def test_collect_into_an_unwritable_place_is_one_line(tmp_path):
    root = exchange.init_exchange(tmp_path / "x")
    exchange.submit("ex02", file=STUDENT_NB, user="dana", root=root)
    blocker = tmp_path / "file"
    blocker.write_text("I am a file")
    done = _cli("exercises", "collect", "--exchange", str(root), "--out", str(blocker / "sub"))
    _one_line_error(done)
    assert "choose a writable --out" in done.stderr


@pytest.mark.parametrize("auth", ["native", "lti13"])
def test_the_hub_configuration_for_a_real_deployment(tmp_path, monkeypatch, auth):
    from traitlets.config.loader import PyFileConfigLoader

    monkeypatch.setenv("DCTEACH_HUB_STATE", str(tmp_path))
    monkeypatch.setenv("DCTEACH_HUB_AUTH", auth)
    monkeypatch.setenv("DCTEACH_LECTURERS", "ivanova, petrov")
    monkeypatch.setenv("DCTEACH_LTI_ISSUER", "https://moodle.example.edu")
    monkeypatch.setenv("DCTEACH_LTI_CLIENT_ID", "abc123")
    monkeypatch.delenv("DCTEACH_HUB_MODE", raising=False)
    monkeypatch.delenv("DCTEACH_HUB_API_TOKEN", raising=False)
    monkeypatch.setenv("DCTEACH_MPL_CACHE", str(tmp_path / "shared" / "matplotlib"))
    path = ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
    c = PyFileConfigLoader(path.name, str(path.parent)).load_config()
    assert c.Authenticator.admin_users == {"ivanova", "petrov"}
    # matplotlib's font cache is built once, at hub start, for every student's server to copy
    assert c.Spawner.environment["DCTEACH_MPL_CACHE"] == str(tmp_path / "shared" / "matplotlib")
    assert list((tmp_path / "shared" / "matplotlib").glob("fontlist-v*.json"))
    assert c.JupyterHub.spawner_class == "jupyterhub.spawner.LocalProcessSpawner"
    assert c.Spawner.cmd[1:] == ["-m", "dcteach.hub.singleuser"]
    assert [s["name"] for s in c.JupyterHub.services] == ["idle-culler"]
    assert c.JupyterHub.hub_ip == "127.0.0.1"
    if auth == "native":
        assert c.JupyterHub.authenticator_class == "nativeauthenticator.NativeAuthenticator"
        assert c.NativeAuthenticator.open_signup is False
    else:
        assert c.LTI13Authenticator.issuer == "https://moodle.example.edu"
        assert c.LTI13Authenticator.client_id == ["abc123"]
        assert c.JupyterHub.authenticator_class.__name__ == "CourseLTI13Authenticator"


def test_lti_instructors_become_admins(tmp_path, monkeypatch):
    import asyncio

    from traitlets.config.loader import PyFileConfigLoader

    monkeypatch.setenv("DCTEACH_HUB_STATE", str(tmp_path))
    monkeypatch.setenv("DCTEACH_HUB_AUTH", "lti13")
    monkeypatch.setenv("DCTEACH_MPL_CACHE", str(tmp_path / "matplotlib"))
    path = ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
    cls = PyFileConfigLoader(path.name, str(path.parent)).load_config().JupyterHub.authenticator_class
    roles = "https://purl.imsglobal.org/spec/lti/claim/roles"
    teacher = {"email": "ivanova@example.edu",
               roles: ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]}
    student = {"email": "ivan@example.edu", roles: ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]}
    auth = cls()
    assert asyncio.run(auth.authenticate(None, teacher)).get("admin") is True
    assert "admin" not in asyncio.run(auth.authenticate(None, student))
