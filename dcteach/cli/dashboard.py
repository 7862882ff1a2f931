"""``dcteach dashboard``: the self-assessment as a standalone Voilà web app.

Voilà serves the packaged notebook ``dcteach/dashboard/self_assessment.ipynb``
(the widget, a title and instructions; no code is shown) on 127.0.0.1 with a
token (a fresh random one unless ``--token`` or ``$DCTEACH_TOKEN`` gives one).
The language reaches the kernel as ``$DCTEACH_LANG``. The port is checked first;
the server stops with its kernels on Ctrl+C, SIGTERM or SIGHUP; ``--verbose``
shows Voilà's own log. Voilà is an optional
dependency: ``pip install "dcteach[dashboard]"``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from dcteach._errors import UsageError
from dcteach.cli._server import (
    add_server_arguments,
    check_port,
    check_server_options,
    run_server,
    server_env,
    server_token,
)

__all__ = ["NOTEBOOK", "add_parser", "build_command", "dashboard_url"]

#: The packaged notebook Voilà serves (found without importing the widgets: ``--help`` stays fast).
NOTEBOOK = Path(__file__).resolve().parent.parent / "dashboard" / "self_assessment.ipynb"


def dashboard_url(port: int, token: str) -> str:
    """The address to open in a browser.

    >>> dashboard_url(8866, "abc")
    'http://127.0.0.1:8866/?token=abc'
    """
    return f"http://127.0.0.1:{port}/?token={token}"


def build_command(
    notebook: Path, *, port: int = 8866, token: str, lang: str = "en", open_browser: bool = True
) -> tuple[list[str], dict[str, str]]:
    """Return ``(argv, env)`` that start Voilà on ``notebook``.

    >>> argv, env = build_command(Path("app.ipynb"), port=9999, token="t0ken", lang="ru", open_browser=False)
    >>> argv[1:]
    ['-m', 'voila', 'app.ipynb', '--Voila.ip=127.0.0.1', '--port=9999', '--Voila.port_retries=0', '--token=t0ken', '--no-browser']
    >>> env["DCTEACH_LANG"]
    'ru'
    """
    check_server_options(lang=lang, port=port, token=token)
    argv = [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        "--Voila.ip=127.0.0.1",
        f"--port={port}",
        "--Voila.port_retries=0",
        f"--token={token}",
    ]
    if not open_browser:
        argv.append("--no-browser")
    return argv, server_env(lang)


def _run(args) -> int:
    token = server_token(args.token)
    argv, env = build_command(
        NOTEBOOK, port=args.port, token=token, lang=args.lang, open_browser=not args.no_browser
    )
    if args.dry_run:
        print(" ".join(argv))
        print(f"dcteach dashboard: {dashboard_url(args.port, token)}", file=sys.stderr)
        return 0
    if importlib.util.find_spec("voila") is None:
        raise UsageError('the dashboard needs Voilà: pip install "dcteach[dashboard]"')
    check_port(args.port)
    print(
        f"dcteach dashboard: {dashboard_url(args.port, token)}  (Ctrl+C to stop)",
        file=sys.stderr,
        flush=True,
    )
    return run_server(argv, env, name="dashboard", verbose=args.verbose)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "dashboard",
        help="the self-assessment as a web app (Voilà; 127.0.0.1, token auth)",
        description=(
            "Serve the self-assessment of a customs administration as a web app without code "
            "(Voilà), bound to 127.0.0.1 with a token. Assessments are downloaded as JSON or CSV."
        ),
    )
    add_server_arguments(p, default_port=8866, lang_help="language of the app")
    p.set_defaults(func=_run)
