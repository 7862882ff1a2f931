"""``dcteach dashboard``: command line (dry run, loopback, token, language) and usage errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dcteach.cli.dashboard import build_command
from dcteach.cli import main
from dcteach.dashboard import notebook_path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_dry_run_binds_loopback_with_token_and_prints_the_url(capsys):
    code, out, err = run(capsys, "dashboard", "--dry-run", "--no-browser", "--port", "8877", "--token", "s3cret")
    assert code == 0
    argv = out.split()
    assert argv[1:4] == ["-m", "voila", str(notebook_path())]
    assert "--Voila.ip=127.0.0.1" in argv and "--port=8877" in argv and "--token=s3cret" in argv
    assert "--Voila.port_retries=0" in argv and "--no-browser" in argv
    assert "http://127.0.0.1:8877/?token=s3cret" in err


def test_dry_run_opens_a_browser_unless_told_not_to(capsys):
    code, out, _ = run(capsys, "dashboard", "--dry-run", "--token", "t")
    assert code == 0 and "--no-browser" not in out.split() and "--port=8866" in out.split()


def test_random_token_by_default(capsys, monkeypatch):
    monkeypatch.delenv("DCTEACH_TOKEN", raising=False)
    tokens = set()
    for _ in range(2):
        code, out, _ = run(capsys, "dashboard", "--dry-run")
        assert code == 0
        tokens.add(next(a for a in out.split() if a.startswith("--token=")))
    assert len(tokens) == 2 and all(len(t) > len("--token=") + 20 for t in tokens)


def test_token_from_environment(capsys, monkeypatch):
    monkeypatch.setenv("DCTEACH_TOKEN", "fromenv")
    code, out, err = run(capsys, "dashboard", "--dry-run")
    assert code == 0 and "--token=fromenv" in out.split() and "?token=fromenv" in err


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_language_reaches_the_kernel_environment(lang):
    argv, env = build_command(notebook_path(), port=9000, token="t", lang=lang)
    assert env["DCTEACH_LANG"] == lang and argv[3] == str(notebook_path())


def test_packaged_notebook_shows_only_the_app():
    import nbformat

    nb = nbformat.read(notebook_path(), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) == 1 and "SelfAssessmentApp()" in code[0].source
    assert all(not c.get("outputs") for c in code)  # Voilà runs it; nothing stale is stored


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "0"], "--port must be between 1 and 65535"),
        (["--port", "70000"], "--port must be between 1 and 65535"),
        (["--port", "http"], "invalid int value"),
        (["--lang", "de"], "invalid choice: 'de'"),
        (["--token", "two words"], "--token must be a non-empty word"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_usage_errors_exit_2_without_traceback(argv, message):
    # a real process: argparse's own errors exit through SystemExit, ours through main()
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; from dcteach.cli import main; sys.exit(main())",
         "dashboard", "--dry-run", *argv],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_missing_voila_is_a_usage_error(capsys, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "voila" else real(name, *a))
    code, out, err = run(capsys, "dashboard", "--token", "t", "--no-browser")
    assert code == 2 and 'pip install "dcteach[dashboard]"' in err and out == ""


@pytest.mark.parametrize("verb", ["course", "dashboard"])
@pytest.mark.parametrize(("args", "says"), [(["--port", "70000"], "--port must be between 1 and 65535"),
                                            (["--token", "two words"], "--token must be a non-empty word")])
def test_both_servers_check_port_and_token_alike(capsys, tmp_path, verb, args, says):
    """One shared check (dcteach.cli._server): the course refuses a token with spaces too."""
    extra = ["--dir", str(tmp_path / "c")] if verb == "course" else []
    code, _out, err = run(capsys, verb, "--dry-run", *extra, *args)
    assert code == 2 and says in err
