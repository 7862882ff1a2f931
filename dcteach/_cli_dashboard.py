"""``dcteach dashboard``: the self-assessment as a standalone Voilà web app.

Voilà serves the packaged notebook ``dcteach/dashboard/self_assessment.ipynb``
(the widget, a title and instructions; no code is shown) on 127.0.0.1 with a
token (a fresh random one unless ``--token`` or ``$DCTEACH_TOKEN`` gives one).
The language reaches the kernel as ``$DCTEACH_LANG``. Voilà is an optional
dependency: ``pip install "dcteach[dashboard]"``.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import subprocess
import sys
from pathlib import Path

from dcteach._errors import UsageError
from dcteach.data import LANGUAGES

__all__ = ["NOTEBOOK", "add_parser", "build_command", "dashboard_url"]

#: The packaged notebook Voilà serves (found without importing the widgets: ``--help`` stays fast).
NOTEBOOK = Path(__file__).resolve().parent / "dashboard" / "self_assessment.ipynb"


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
    if lang not in LANGUAGES:
        raise UsageError(f"unsupported language {lang!r}; supported: {', '.join(LANGUAGES)}")
    if not 0 < port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, not {port}")
    if not token or any(c.isspace() for c in token):
        raise UsageError("--token must be a non-empty word without spaces")
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
    env = dict(os.environ, DCTEACH_LANG=lang)
    return argv, env


def _run(args) -> int:
    token = args.token or os.environ.get("DCTEACH_TOKEN") or secrets.token_urlsafe(24)
    argv, env = build_command(
        NOTEBOOK, port=args.port, token=token, lang=args.lang, open_browser=not args.no_browser
    )
    if args.dry_run:
        print(" ".join(argv))
        print(f"dcteach dashboard: {dashboard_url(args.port, token)}", file=sys.stderr)
        return 0
    if importlib.util.find_spec("voila") is None:
        raise UsageError('the dashboard needs Voilà: pip install "dcteach[dashboard]"')
    print(
        f"dcteach dashboard: {dashboard_url(args.port, token)}  (Ctrl+C to stop)",
        file=sys.stderr,
        flush=True,
    )
    return subprocess.call(argv, env=env)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "dashboard",
        help="the self-assessment as a web app (Voilà; 127.0.0.1, token auth)",
        description=(
            "Serve the self-assessment of a customs administration as a web app without code "
            "(Voilà), bound to 127.0.0.1 with a token. Assessments are downloaded as JSON or CSV."
        ),
    )
    p.add_argument("--port", type=int, default=8866, help="port (default 8866)")
    p.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the app")
    p.add_argument("--token", default=None, help="access token (default: $DCTEACH_TOKEN or a random one)")
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    p.add_argument("--dry-run", action="store_true", help="print the command instead of running it")
    p.set_defaults(func=_run)
