"""What ``dcteach course`` and ``dcteach dashboard`` share: options, checks, token, running the server.

Both start a local server (JupyterLab or Voilà) on 127.0.0.1 with a token and
pass the language to the kernel as ``$DCTEACH_LANG``. :func:`run_server`
checks the port first, starts the server in its own process group, forwards
SIGTERM and SIGHUP (and Ctrl+C) to it so that it shuts its kernels down, and
shows only the server's errors unless ``--verbose``.
"""

from __future__ import annotations

import collections
import errno
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading

from dcteach._errors import UsageError
from dcteach.data import LANGUAGES, check_lang

__all__ = [
    "add_server_arguments",
    "check_port",
    "check_server_options",
    "join_dash_values",
    "run_server",
    "server_env",
    "server_token",
]

#: Options whose value may start with "-" (a token such as ``-Abc1``): see :func:`join_dash_values`.
DASH_VALUE_OPTIONS = ("--token",)


def check_server_options(*, lang: str, port: int, token: str | None = None) -> None:
    """Raise :class:`UsageError` for an unsupported language, a port out of range or a bad token.

    >>> check_server_options(lang="ru", port=8888, token="-abc")
    >>> check_server_options(lang="de", port=8888)
    Traceback (most recent call last):
    ...
    dcteach.UsageError: unsupported language 'de'; supported languages: 'en', 'ru'
    >>> check_server_options(lang="en", port=0)
    Traceback (most recent call last):
    ...
    dcteach.UsageError: --port must be between 1 and 65535, not 0
    """
    check_lang(lang)
    if not 0 < port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, not {port}")
    if token is not None and (not token or any(c.isspace() for c in token)):
        raise UsageError("--token must be a non-empty word without spaces")


def join_dash_values(argv: list[str], known_options: set[str]) -> list[str]:
    """Rewrite ``--token -Abc`` as ``--token=-Abc`` so that argparse accepts a value starting with "-".

    argparse takes a word starting with "-" for an option and says "expected one
    argument". The word after ``--token`` is its value unless it is one of our
    own options (then the value is really missing and argparse says so).

    >>> join_dash_values(["course", "--token", "-Abc", "--lang", "ru"], {"--lang"})
    ['course', '--token=-Abc', '--lang', 'ru']
    >>> join_dash_values(["course", "--token", "--lang", "ru"], {"--lang"})
    ['course', '--token', '--lang', 'ru']
    """
    out, i = [], 0
    while i < len(argv):
        word = argv[i]
        if word in DASH_VALUE_OPTIONS and i + 1 < len(argv):
            value = argv[i + 1]
            if value.startswith("-") and value.split("=", 1)[0] not in known_options and value != "--":
                out.append(f"{word}={value}")
                i += 2
                continue
        out.append(word)
        i += 1
    return out


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


def _free_port_near(port: int) -> int | None:
    for candidate in [*range(max(port + 1, 1024), min(port + 50, 65536)), 0]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return s.getsockname()[1]
    return None


def check_port(port: int) -> None:
    """Raise :class:`UsageError` if the server could not listen on 127.0.0.1:``port``.

    Says whether the port is busy (another program listens there) or
    privileged (below 1024: only an administrator may use it), and suggests a
    free port.

    >>> s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); busy = s.getsockname()[1]
    >>> check_port(busy)
    Traceback (most recent call last):
    ...
    dcteach.UsageError: port ... on 127.0.0.1 is busy: another program listens there; choose a free one, e.g. --port ...
    >>> s.close()
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except PermissionError:
            problem = f"port {port} is privileged: ports below 1024 need administrator rights"
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}; "
                                 "choose another --port") from None
            problem = f"port {port} on 127.0.0.1 is busy: another program listens there"
        else:
            return
    free = _free_port_near(port if port >= 1024 else 8888)
    hint = f"choose a free one, e.g. --port {free}" if free else "choose a free port with --port"
    raise UsageError(f"{problem}; {hint}")


# Lines of the server's output shown without --verbose: errors and critical messages only.
_ESSENTIAL = ("[E ", "[C ", "ERROR", "CRITICAL")


def _relay(stream, sink, keep: collections.deque, verbose: bool, stopping: threading.Event) -> None:
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8", "replace")
        keep.append(line)
        # while stopping on request, the server's "received signal 15, stopping" is no news
        if verbose or (line.lstrip().startswith(_ESSENTIAL) and not stopping.is_set()):
            sink.write(line)
            sink.flush()


def run_server(argv: list[str], env: dict[str, str], *, name: str, verbose: bool = False,
               stop_timeout: float = 20.0) -> int:
    """Run a server until it ends or we are asked to stop; return 0 after a requested stop.

    The server runs in its own process group. SIGTERM, SIGHUP and Ctrl+C
    (SIGINT) sent to us are passed on as SIGTERM, on which Jupyter and Voilà
    shut their kernels down and exit; after ``stop_timeout`` seconds the group is
    killed. Without ``verbose`` only the server's error lines reach the terminal
    (and its last lines if it fails).
    """
    env = dict(env)
    if not verbose:
        env.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    proc = subprocess.Popen(argv, env=env, process_group=0, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    keep: collections.deque = collections.deque(maxlen=30)
    stopping = threading.Event()
    relay = threading.Thread(target=_relay, args=(proc.stdout, sys.stderr, keep, verbose, stopping), daemon=True)
    relay.start()
    stop_requested: list[int] = []

    def forward(signum, _frame=None):
        stopping.set()
        stop_requested.append(signum)
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)}
    try:
        while True:
            try:
                code = proc.wait(timeout=stop_timeout if stop_requested else None)
                break
            except subprocess.TimeoutExpired:
                print(f"dcteach {name}: the server did not stop in {stop_timeout:g} s; killing it",
                      file=sys.stderr)
                os.killpg(proc.pid, signal.SIGKILL)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        try:  # anything left in the group (e.g. a kernel of a killed server)
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        relay.join(timeout=5)
    if stop_requested:
        print(f"dcteach {name}: stopped", file=sys.stderr)
        return 0
    if code != 0 and not verbose:
        sys.stderr.write("".join(line for line in keep if not line.lstrip().startswith(_ESSENTIAL))[-3000:])
        print(f"dcteach {name}: the server ended with status {code}; run again with --verbose for its log",
              file=sys.stderr)
    return code


def add_server_arguments(p, *, default_port: int, lang_help: str) -> None:
    """Add ``--port``, ``--lang``, ``--token``, ``--no-browser``, ``--verbose`` and ``--dry-run`` to ``p``."""
    p.add_argument("--port", type=int, default=default_port, help=f"port (default {default_port})")
    p.add_argument("--lang", choices=LANGUAGES, default="en", help=lang_help)
    p.add_argument("--token", default=None,
                   help="access token (default: $DCTEACH_TOKEN or a random one); may start with '-'")
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    p.add_argument("--verbose", action="store_true", help="show the server's own log (Jupyter's messages)")
    p.add_argument("--dry-run", action="store_true",
                   help="print the command instead of running it (nothing is created or started)")
