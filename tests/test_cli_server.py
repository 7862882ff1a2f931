"""``dcteach course`` and ``dcteach dashboard`` as a user runs them: tokens, ports, signals, output.

The servers really start here (JupyterLab, Voilà) on 127.0.0.1 with isolated
Jupyter folders; every test ends what it started.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

import psutil
import pytest

from _browser_support import dcteach_argv, free_port, isolated_env
from _procs import command, still_running
from dcteach.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- tokens ---------------------------------------------------------------------------------
@pytest.mark.parametrize("verb", ["course", "dashboard"])
@pytest.mark.parametrize("form", [["--token", "-Abc123"], ["--token=-Abc123"], ["--token", "--Abc123"]])
def test_a_token_may_start_with_a_dash(capsys, tmp_path, verb, form):
    extra = ["--dir", str(tmp_path / "c")] if verb == "course" else []
    code, out, err = run(capsys, verb, "--dry-run", "--no-browser", *extra, *form)
    token = form[-1].split("=", 1)[-1]
    assert code == 0, err
    assert f"token={token}" in err  # the URL
    assert f"token={token}" in out  # the server's own option, in --x=value form


def test_a_missing_token_value_is_still_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["course", "--dry-run", "--token", "--lang", "ru"])
    assert exc.value.code == 2
    assert "expected one argument" in capsys.readouterr().err


# --- --dry-run changes nothing ----------------------------------------------------------------
def test_dry_run_creates_nothing(capsys, tmp_path):
    target = tmp_path / "deep" / "dir"
    code, out, err = run(capsys, "course", "--dry-run", "--dir", str(tmp_path / "new"))
    assert code == 0 and "would open" in err and not (tmp_path / "new").exists()
    code, out, err = run(capsys, "course", "--dry-run", "--dir", str(target))
    assert code == 2 and not target.exists() and not target.parent.exists()
    assert len(err.strip().splitlines()) == 1 and "does not exist" in err and "mkdir -p" in err


def test_nonexistent_deep_dir_dry_run(capsys):
    code, _out, _err = run(capsys, "course", "--dry-run", "--dir", "/nonexistent/deep/dir")
    assert code == 2 and not os.path.exists("/nonexistent")


# --- ports --------------------------------------------------------------------------------------
@pytest.mark.parametrize("verb", ["course", "dashboard"])
def test_busy_port_is_refused_before_anything_starts(capsys, tmp_path, verb):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        extra = ["--dir", str(tmp_path / "c")] if verb == "course" else []
        code, out, err = run(capsys, verb, "--no-browser", "--port", str(busy), "--token", "t", *extra)
    assert code == 2 and out == ""
    line, = err.strip().splitlines()  # one line, and no URL printed before it
    assert f"port {busy} on 127.0.0.1 is busy" in line and "--port " in line
    suggested = int(line.rsplit("--port ", 1)[1])
    assert suggested != busy
    assert not (tmp_path / "c").exists()  # nothing copied either


def test_privileged_port_says_why(capsys, monkeypatch, tmp_path):
    real_bind = socket.socket.bind

    def bind(self, address):  # what a plain user meets on a port below 1024
        if address[1] == 80:
            raise PermissionError(13, "Permission denied")
        return real_bind(self, address)

    monkeypatch.setattr(socket.socket, "bind", bind)
    code, _out, err = run(capsys, "course", "--no-browser", "--port", "80", "--dir", str(tmp_path / "c"))
    assert code == 2
    assert "port 80 is privileged" in err and "administrator" in err and "--port " in err
    assert "busy" not in err


# --- the running server: quiet output, signals, kernels ------------------------------------------
def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _wait_http(url: str, proc: subprocess.Popen, timeout: float = 90) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"dcteach exited with {proc.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.read()
        except urllib.error.HTTPError as exc:
            return exc.read()
        except OSError:
            time.sleep(0.25)
    raise AssertionError(f"{url} did not answer in {timeout} s")


@pytest.fixture
def started(tmp_path):
    """Start ``dcteach VERB ...`` as a user would (its own session, like a terminal); yield a starter."""
    procs = []

    def start(*args, verbose=False):
        port = free_port()
        argv = dcteach_argv(*args, "--no-browser", "--port", str(port), "--token", "-tok3n")
        if verbose:
            argv.append("--verbose")
        err = open(tmp_path / f"stderr-{len(procs)}.txt", "w+b")  # noqa: SIM115
        proc = subprocess.Popen(argv, env=isolated_env(tmp_path / "jupyter"), stdout=subprocess.DEVNULL,
                                stderr=err, start_new_session=True)
        procs.append((proc, err))
        return proc, port, err

    yield start
    for proc, err in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        err.close()


def _start_kernel(port: int) -> None:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/kernels?token=-tok3n", data=b"{}", method="POST")
    with urllib.request.urlopen(req, timeout=30) as r:
        kernel = json.loads(r.read())
    assert kernel["id"]


def _stderr(err) -> str:
    err.flush()
    err.seek(0)
    return err.read().decode("utf-8", "replace")


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_course_stops_with_its_kernels_on_a_signal(started, tmp_path, sig):
    course = tmp_path / "course"
    course.mkdir()
    proc, port, err = started("course", "--dir", str(course))
    _wait_http(f"http://127.0.0.1:{port}/api/status?token=-tok3n", proc)
    _start_kernel(port)
    deadline = time.monotonic() + 60
    while not any("ipykernel" in command(p) for p in _descendants(proc.pid)):
        assert time.monotonic() < deadline, "no kernel process appeared"
        time.sleep(0.2)
    family = _descendants(proc.pid)
    assert len(family) >= 2  # JupyterLab and the kernel
    os.kill(proc.pid, sig)  # to dcteach only, as `kill PID` or a closed terminal would
    assert proc.wait(timeout=60) == 0
    alive = still_running(family)
    assert alive == [], [command(p) for p in alive]
    with pytest.raises(ConnectionRefusedError):  # nobody listens on the port any more
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    text = _stderr(err)
    # the quiet terminal: our lines only, no Jupyter log, no warnings
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[0].startswith("dcteach course: opening ")
    assert lines[1] == f"dcteach course: http://127.0.0.1:{port}/lab?token=-tok3n  (Ctrl+C to stop)"
    assert lines[-1] == "dcteach course: stopped", text
    # in between, only the server's errors may appear (e.g. from a third-party server extension
    # installed in the same environment): no info lines, no warnings
    assert all(line.startswith(("[E ", "[C ")) for line in lines[2:-1]), text
    assert "WARNING" not in text and "Warning" not in text and "[I " not in text


@pytest.mark.slow
def test_course_verbose_shows_jupyters_log(started, tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    proc, port, err = started("course", "--dir", str(course), verbose=True)
    _wait_http(f"http://127.0.0.1:{port}/api/status?token=-tok3n", proc)
    os.kill(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=60) == 0
    text = _stderr(err)
    assert "ServerApp]" in text and "Jupyter Server" in text


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGHUP])  # SIGTERM takes the same path (course tests)
def test_dashboard_stops_with_its_kernel_on_a_signal(started, sig):
    proc, port, err = started("dashboard", "--lang", "en")
    _wait_http(f"http://127.0.0.1:{port}/voila/static/", proc)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/?token=-tok3n", timeout=180) as r:
        page = r.read()  # Voilà runs the notebook in a kernel before it answers
    assert b"<html" in page.lower()
    family = _descendants(proc.pid)
    assert any("ipykernel" in command(p) for p in family)
    os.kill(proc.pid, sig)
    assert proc.wait(timeout=60) == 0
    alive = still_running(family)
    assert alive == [], [command(p) for p in alive]
    text = _stderr(err)
    assert "Voila]" not in text and "[I " not in text and "dcteach dashboard: stopped" in text
