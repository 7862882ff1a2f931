"""What ``dcteach course`` and ``dcteach dashboard`` share: options, checks, token, environment.

Both start a local server (JupyterLab or Voilà) on 127.0.0.1 with a token and
pass the language to the kernel as ``$DCTEACH_LANG``.
"""

from __future__ import annotations

import os
import secrets

from dcteach._errors import UsageError
from dcteach.data import LANGUAGES, check_lang

__all__ = ["add_server_arguments", "check_server_options", "server_env", "server_token"]


def check_server_options(*, lang: str, port: int, token: str | None = None) -> None:
    """Raise :class:`UsageError` for an unsupported language, a port out of range or a bad token.

    >>> check_server_options(lang="ru", port=8888, token="abc")
    >>> check_server_options(lang="de", port=8888)
    Traceback (most recent call last):
    ...
    dcteach._errors.UsageError: unsupported language 'de'; supported languages: 'en', 'ru'
    >>> check_server_options(lang="en", port=0)
    Traceback (most recent call last):
    ...
    dcteach._errors.UsageError: --port must be between 1 and 65535, not 0
    """
    check_lang(lang)
    if not 0 < port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, not {port}")
    if token is not None and (not token or any(c.isspace() for c in token)):
        raise UsageError("--token must be a non-empty word without spaces")


def server_token(given: str | None) -> str:
    """``given``, else ``$DCTEACH_TOKEN``, else a fresh random token.

    >>> server_token("mine")
    'mine'
    >>> len(server_token(None)) > 20 or bool(os.environ.get("DCTEACH_TOKEN"))
    True
    """
    return given or os.environ.get("DCTEACH_TOKEN") or secrets.token_urlsafe(24)


def server_env(lang: str) -> dict[str, str]:
    """The server's environment: this one with ``DCTEACH_LANG`` set.

    >>> server_env("ru")["DCTEACH_LANG"]
    'ru'
    """
    return dict(os.environ, DCTEACH_LANG=lang)


def add_server_arguments(p, *, default_port: int, lang_help: str) -> None:
    """Add ``--port``, ``--lang``, ``--token``, ``--no-browser`` and ``--dry-run`` to parser ``p``."""
    p.add_argument("--port", type=int, default=default_port, help=f"port (default {default_port})")
    p.add_argument("--lang", choices=LANGUAGES, default="en", help=lang_help)
    p.add_argument("--token", default=None, help="access token (default: $DCTEACH_TOKEN or a random one)")
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    p.add_argument("--dry-run", action="store_true", help="print the command instead of running it")
