"""``dcteach course``: launch JupyterLab on the course notebooks.

The server binds to 127.0.0.1 only and requires a token (a fresh random one
unless ``--token`` or ``$DCTEACH_TOKEN`` gives one). Run as root (e.g. in a
container) it adds ``--allow-root``. From a source checkout it opens the
repository's ``notebooks/``; from an installed wheel it copies the packaged
notebooks once into ``--dir`` (default ``~/dcteach-course``) and never
overwrites a student's files.

The port is checked before anything starts; the server runs in its own
process group and stops, with its kernels, on Ctrl+C, SIGTERM or SIGHUP. The
terminal shows the URL and errors; ``--verbose`` shows Jupyter's own log.
``--dry-run`` creates nothing and starts nothing: it prints the command. ``--lang ru`` opens the Russian notebooks
(``notebooks/ru/``, built from the English ones and ``notebooks/locales/ru/*.po``).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from dcteach._errors import UsageError
from dcteach._paths import check_output_dir
from dcteach.cli._server import (
    add_server_arguments,
    check_port,
    check_server_options,
    run_server,
    server_env,
    server_token,
)

__all__ = ["add_parser", "build_command", "course_dir"]


def _packaged_notebooks() -> Path:
    here = Path(__file__).resolve().parent.parent  # the dcteach package
    packaged = here / "notebooks"
    return packaged if packaged.is_dir() else here.parent / "notebooks"


def course_dir(target: str | os.PathLike | None = None, *, create: bool = True) -> Path:
    """Return the folder JupyterLab should open, preparing it if needed.

    ``target=None`` means the repository's ``notebooks/`` in a source checkout,
    else ``~/dcteach-course``. A missing target is created by copying the
    packaged notebooks (its parent folder must exist, as for every output of
    dcteach); an existing one is used as it is. With ``create=False`` nothing
    is written: the checks run and the path is returned.
    """
    source = _packaged_notebooks()
    if target is None:
        if (source.parent / "pyproject.toml").is_file() and source.name == "notebooks":
            return source
        target = Path.home() / "dcteach-course"
    target = Path(target).expanduser().resolve()
    if target.exists():
        if not target.is_dir():
            raise UsageError(f"--dir {target} exists and is not a folder; choose another path")
        return target
    if not source.is_dir():
        raise UsageError(f"the course notebooks are missing ({source}); reinstall dcteach")
    check_output_dir(target, option="--dir")
    if create:
        shutil.copytree(source, target)
    return target


def start_page(root: Path, lang: str) -> str | None:
    """The notebook JupyterLab opens first: ``<lang>/00_start_here.ipynb`` for a translated course.

    ``None`` (JupyterLab's own start page) in English, or when ``root`` has no such folder
    (a course copy made before the translation existed).

    >>> start_page(Path("/nonexistent"), "ru") is None
    True
    """
    first = sorted((root / lang).glob("00_*.ipynb")) if lang != "en" else []
    return f"{lang}/{first[0].name}" if first else None


def build_command(
    root: Path, *, port: int = 8888, token: str, lang: str = "en", open_browser: bool = True
) -> tuple[list[str], dict[str, str]]:
    """Return ``(argv, env)`` that start JupyterLab on ``root`` (on the ``lang`` notebooks).

    >>> argv, env = build_command(Path("/tmp"), port=9999, token="t0ken", open_browser=False)
    >>> "--ServerApp.ip=127.0.0.1" in argv and "--IdentityProvider.token=t0ken" in argv
    True
    >>> env["DCTEACH_LANG"]
    'en'
    """
    check_server_options(lang=lang, port=port, token=token)
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
    ]
    start = start_page(root, lang)
    if start:
        argv.append(f"--ServerApp.default_url=/lab/tree/{start}")
    if not open_browser:
        argv.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")
    return argv, server_env(lang)


def _run(args) -> int:
    token = server_token(args.token)
    check_server_options(lang=args.lang, port=args.port, token=token)
    if not args.dry_run:
        check_port(args.port)
    root = course_dir(args.dir, create=not args.dry_run)
    argv, env = build_command(
        root, port=args.port, token=token, lang=args.lang, open_browser=not args.no_browser
    )
    start = start_page(root, args.lang)
    if args.lang != "en" and start is None:
        print(f"dcteach course: no {args.lang} notebooks in {root} (a copy made before they existed?); "
              f"opening the English ones — move that folder away to get a fresh copy", file=sys.stderr)
    print(f"dcteach course: {'would open' if args.dry_run else 'opening'} {root / start if start else root}", file=sys.stderr)
    print(
        f"dcteach course: http://127.0.0.1:{args.port}/lab?token={token}  (Ctrl+C to stop)",
        file=sys.stderr, flush=True,
    )
    if args.dry_run:
        print(" ".join(argv))
        return 0
    return run_server(argv, env, name="course", verbose=args.verbose)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "course",
        help="launch JupyterLab on the course (127.0.0.1, token auth)",
        description="Launch JupyterLab on the course notebooks, bound to 127.0.0.1 with a token.",
    )
    add_server_arguments(p, default_port=8888, lang_help="language of widgets and feedback")
    p.add_argument("--dir", default=None, help="course folder (default: notebooks/ of a checkout, else ~/dcteach-course)")
    p.set_defaults(func=_run)
