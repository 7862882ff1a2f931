"""A JupyterHub on 127.0.0.1 for a lecturer's laptop, the tests and the load test.

:func:`start` runs ``jupyterhub -f deploy/jupyterhub/jupyterhub_config.py`` in
demo mode (one system account, a home folder per student under the state
folder, a shared password for students and another for the lecturer) in its
own session, waits until the hub answers through its proxy, and returns a :class:`LocalHub`. :meth:`LocalHub.stop`
stops the hub (which stops the students' servers and the proxy), then ends
whatever is left of the hub's process tree.

Only the proxy's port is exposed, on 127.0.0.1; the hub's own port and the
proxy's API are loopback ports picked free at start.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from dcteach._errors import DcteachError, UsageError

__all__ = ["LocalHub", "config_file", "find_proxy", "free_port", "start"]


def _deploy_dir() -> Path:
    pkg = Path(__file__).resolve().parent.parent
    for candidate in (pkg / "deploy" / "jupyterhub", pkg.parent / "deploy" / "jupyterhub"):
        if (candidate / "jupyterhub_config.py").is_file():
            return candidate
    raise UsageError("deploy/jupyterhub/jupyterhub_config.py not found; run from a dcteach checkout")


def config_file() -> Path:
    """The course's ``jupyterhub_config.py``."""
    return _deploy_dir() / "jupyterhub_config.py"


def find_proxy() -> Path:
    """configurable-http-proxy: the project's npm install, else one on PATH.

    Raises
    ------
    UsageError
        Naming the command that installs it.
    """
    local = _deploy_dir() / "node_modules" / ".bin" / "configurable-http-proxy"
    if local.is_file():
        return local
    found = shutil.which("configurable-http-proxy")
    if found:
        return Path(found)
    raise UsageError(f"configurable-http-proxy is not installed; run `bash {_deploy_dir() / 'install-proxy'}` "
                     "(npm ci of the pinned proxy; needs Node.js 20+ and npm)")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_busy(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


@dataclass
class LocalHub:
    """A running local hub."""

    url: str
    state: Path
    token: str
    password: str
    admin_password: str
    students: list[str]
    lecturer: str
    process: subprocess.Popen
    log: Path
    _stopped: bool = field(default=False, repr=False)

    def api(self, method: str, path: str, body: dict | None = None, timeout: float = 30) -> dict | None:
        """Call the hub's REST API (``/hub/api`` + ``path``) with the service token."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}/hub/api{path}", data=data, method=method,
                                         headers={"Authorization": f"token {self.token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read()
        return json.loads(text) if text else None

    def start_server(self, user: str, timeout: float = 120) -> float:
        """Create ``user`` if needed, start their server, wait until ready; return seconds taken."""
        began = time.monotonic()
        try:
            self.api("POST", f"/users/{user}")
        except urllib.error.HTTPError as exc:
            if exc.code != 409:  # 409: exists already
                raise
        try:
            self.api("POST", f"/users/{user}/server")
        except urllib.error.HTTPError as exc:
            if exc.code != 400:  # 400: already running
                raise
        try:  # as a browser's spawn page does: one request, the hub sends events until the server is ready
            if self._wait_progress(user, began, timeout):
                return time.monotonic() - began
        except (urllib.error.URLError, OSError, ValueError):
            pass  # no events (the hub's version, a dropped connection): ask the hub once a second instead
        seen = False
        while time.monotonic() - began < timeout:
            model = self.api("GET", f"/users/{user}")
            server = (model or {}).get("servers", {}).get("")
            if server and server.get("ready"):
                return time.monotonic() - began
            if server:
                seen = True
            elif seen:  # it was starting and is gone: the hub gave up on it
                raise DcteachError(f"{user}'s server failed to start; see {self.log}")
            if self.process.poll() is not None:
                raise DcteachError(f"the hub stopped; see {self.log}")
            time.sleep(1.0)  # every poll costs the hub CPU (see _wait_progress)
        raise DcteachError(f"{user}'s server was not ready after {timeout:g} s; see {self.log}")

    def _wait_progress(self, user: str, began: float, timeout: float) -> bool:
        """Follow ``/users/USER/server/progress`` (server-sent events); True once the server is ready.

        Polling ``GET /users/USER`` instead costs the hub about 17 ms of CPU a request
        (measured): a class of 30 polling through a busy minute slows its own spawns.
        """
        request = urllib.request.Request(f"{self.url}/hub/api/users/{user}/server/progress",
                                         headers={"Authorization": f"token {self.token}",
                                                  "Accept": "text/event-stream"})
        with urllib.request.urlopen(request, timeout=30) as response:  # the hub writes a keep-alive every 8 s
            for raw in response:
                if time.monotonic() - began > timeout:
                    raise DcteachError(f"{user}'s server was not ready after {timeout:g} s; see {self.log}")
                line = raw.strip()
                if not line.startswith(b"data:"):
                    continue
                event = json.loads(line[5:])
                if event.get("ready"):
                    return True
                if event.get("failed"):
                    raise DcteachError(f"{user}'s server failed to start ({event.get('message', '')[:200]}); "
                                       f"see {self.log}")
        return False

    def stop(self, timeout: float = 20) -> None:
        """Stop the hub, its proxy and every student's server; nothing is left running."""
        if self._stopped:
            return
        self._stopped = True
        try:
            import psutil

            tree = psutil.Process(self.process.pid).children(recursive=True)
        except Exception:
            tree = []
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # the hub's session, should anything remain
        except (ProcessLookupError, PermissionError):
            pass
        for child in tree:  # servers run in sessions of their own
            try:
                child.kill()
            except Exception:
                pass
        if tree:  # a killed process ends a moment later: return once it has (psutil imported above)
            psutil.wait_procs(tree, timeout=timeout)


def start(state: str | os.PathLike, *, students: int = 3, port: int = 8000, lang: str = "en",
          lecturer: str = "lecturer", exchange: str | os.PathLike | None = None,
          timeout: float = 60, extra_env: dict | None = None) -> LocalHub:
    """Start a demo hub on ``http://127.0.0.1:PORT`` with ``students`` students; return it.

    Raises
    ------
    UsageError
        Busy port, unwritable state folder, missing proxy, bad counts.
    """
    from dcteach.data import check_lang

    lang = check_lang(lang)
    if not 1 <= students <= 500:
        raise UsageError(f"--students {students}: choose 1–500")
    if not 1 <= port <= 65535:
        raise UsageError(f"--port {port}: choose 1–65535")
    if _port_busy(port):
        raise UsageError(f"port {port} on 127.0.0.1 is busy; choose another with --port")
    state = Path(state).expanduser().resolve()
    try:
        (state / "homes").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{state}: cannot create the hub's folder ({exc.strerror}); choose another with --dir") from None
    proxy = find_proxy()
    token, password, admin_password = secrets.token_hex(24), secrets.token_urlsafe(12), secrets.token_urlsafe(30)
    names = [f"student{i:02d}" for i in range(1, students + 1)]
    exchange = Path(exchange).resolve() if exchange else state / "exchange"
    from dcteach.exercises.exchange import init_exchange

    init_exchange(exchange)
    env = dict(os.environ)
    env.update({
        "DCTEACH_HUB_MODE": "demo", "DCTEACH_HUB_AUTH": "shared", "DCTEACH_HUB_STATE": str(state),
        "DCTEACH_HUB_URL": f"http://127.0.0.1:{port}", "DCTEACH_HUB_INTERNAL_PORT": str(free_port()),
        "DCTEACH_HUB_PROXY_API_PORT": str(free_port()), "DCTEACH_HUB_PROXY": str(proxy),
        "DCTEACH_HUB_PASSWORD": password, "DCTEACH_HUB_ADMIN_PASSWORD": admin_password,
        "DCTEACH_HUB_STUDENTS": str(students),
        "DCTEACH_HUB_API_TOKEN": token, "DCTEACH_LECTURERS": lecturer, "DCTEACH_LANG": lang,
        "DCTEACH_EXCHANGE": str(exchange),
    })
    env.update(extra_env or {})
    log = state / "jupyterhub.log"
    with log.open("ab") as stream:
        process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(config_file())],
                                   cwd=state, env=env, stdout=stream, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    hub = LocalHub(f"http://127.0.0.1:{port}", state, token, password, admin_password, names, lecturer,
                   process, log)
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if process.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["(no output)"]
            raise DcteachError(f"the hub stopped at start: {tail[0][:300]} (log: {log})")
        try:
            hub.api("GET", "/", timeout=2)
            return hub
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.3)
    hub.stop()
    raise DcteachError(f"the hub did not answer within {timeout:g} s; see {log}")
