"""Helpers for the real-browser tests (``test_browser.py``, ``test_dashboard.py``).

Playwright drives Debian's Chromium (``/usr/bin/chromium``, or
``$DCTEACH_CHROMIUM``); Playwright's own browser downloads are never used.
Servers (JupyterLab via ``dcteach course``, Voilà via ``dcteach dashboard``)
run on 127.0.0.1 with a random token and isolated Jupyter config, runtime,
settings and workspace folders, in their own process group so that a finaliser
can always end them.

Without Chromium the browser tests skip with a reason, unless
``DCTEACH_REQUIRE_BROWSER=1`` is set (CI sets it): then they fail.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

__all__ = [
    "ARTIFACTS",
    "TIMEOUT_MS",
    "axe_violations",
    "cut_off_labels",
    "CHROMIUM",
    "REPO",
    "dcteach_argv",
    "element_screenshot",
    "free_port",
    "isolated_env",
    "launch_chromium",
    "new_token",
    "require_chromium",
    "served_in_chromium",
    "Server",
    "unlabelled_controls",
]

REPO = Path(__file__).resolve().parent.parent
#: Screenshots and server logs of the browser tests (gitignored).
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path(os.environ.get("DCTEACH_CHROMIUM", "/usr/bin/chromium"))
#: The one timeout (ms) of every Playwright wait and ``expect`` in the browser tests: generous for
#: a loaded 2-core machine. It bounds waiting for something to happen; it never times anything.
TIMEOUT_MS = int(os.environ.get("DCTEACH_BROWSER_TIMEOUT_MS", "180000"))

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> Path:
    """Return the Chromium executable, or skip (fail when ``DCTEACH_REQUIRE_BROWSER=1``)."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    reason = (
        f"no Chromium at {CHROMIUM}: install it with `apt-get install chromium` "
        "(or set DCTEACH_CHROMIUM); Playwright's own browser downloads are not used"
    )
    if os.environ.get("DCTEACH_REQUIRE_BROWSER") == "1":
        pytest.fail(f"DCTEACH_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def isolated_env(root: Path, **extra: str) -> dict[str, str]:
    """Environment with private Jupyter config/runtime/settings/workspaces under ``root``.

    JupyterLab's news pop-up is switched off in the private settings folder.
    """
    dirs = {
        "JUPYTER_CONFIG_DIR": root / "config",
        "JUPYTER_RUNTIME_DIR": root / "runtime",
        "JUPYTERLAB_SETTINGS_DIR": root / "settings",
        "JUPYTERLAB_WORKSPACES_DIR": root / "workspaces",
        "IPYTHONDIR": root / "ipython",
    }
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    notification = dirs["JUPYTERLAB_SETTINGS_DIR"] / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True, exist_ok=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false"}), encoding="utf-8"
    )
    env = dict(os.environ, MPLBACKEND="module://matplotlib_inline.backend_inline")
    env.update({k: str(v) for k, v in dirs.items()})
    env.update(extra)
    return env


class Server:
    """A server process started in its own process group, logging to a file.

    Parameters
    ----------
    argv, env
        The command and its environment.
    probe_url
        A URL that answers (any HTTP status) once the server is ready.
    log
        File receiving the server's stdout and stderr.
    """

    def __init__(self, argv: list[str], env: dict[str, str], probe_url: str, log: Path):
        self.argv, self.probe_url, self.log = argv, probe_url, log
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            argv, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Poll ``probe_url`` until the server answers; fail with the log's tail if it dies."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"server exited with {self.proc.returncode}:\n{self.tail()}", pytrace=False)
            try:
                with urllib.request.urlopen(self.probe_url, timeout=5):
                    return
            except urllib.error.HTTPError:
                return  # e.g. Voilà's 403 for a file it does not serve: it is listening
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        pytest.fail(f"server not ready after {timeout} s:\n{self.tail()}", pytrace=False)

    def tail(self, n: int = 40) -> str:
        """The last ``n`` lines of the server log."""
        if not self._log.closed:
            self._log.flush()
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(lines[-n:])

    def stop(self) -> None:
        """End the whole process group (SIGTERM, then SIGKILL after 10 s)."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
            except ProcessLookupError:
                pass
        # kernels started by the server share its process group; end stragglers
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._log.close()


def dcteach_argv(*args: str) -> list[str]:
    """The ``dcteach`` command line of this environment (no installed script needed)."""
    return [sys.executable, "-c", "import sys; from dcteach.cli import main; sys.exit(main())", *args]


def new_token() -> str:
    """A random URL-safe token (it may start with "-": it is passed as ``--token=VALUE``)."""
    return secrets.token_urlsafe(16)


def launch_chromium(playwright, user_data_dir: Path, **kw):
    """A headless persistent Chromium context on a fresh profile (downloads accepted)."""
    kw.setdefault("viewport", {"width": 1280, "height": 900})
    return playwright.chromium.launch_persistent_context(
        user_data_dir=str(user_data_dir),
        headless=True,
        executable_path=str(require_chromium()),
        args=CHROMIUM_ARGS,
        accept_downloads=True,
        **kw,
    )


# Visible, enabled form controls: the JS returns the ones without an accessible name.
_UNLABELLED_JS = """
(root) => {
  const sel = 'input:not([type=hidden]), select, textarea, button, a[href], [role=slider], [role=button], [role=combobox], [role=checkbox], [role=textbox], [contenteditable=true]';
  const name = (el) => {
    const parts = [];
    if (el.getAttribute('aria-label')) parts.push(el.getAttribute('aria-label'));
    const lb = el.getAttribute('aria-labelledby');
    if (lb) for (const id of lb.split(/\\s+/)) {
      const t = document.getElementById(id); if (t) parts.push(t.textContent);
    }
    if (el.labels) for (const l of el.labels) parts.push(l.textContent);
    if (el.getAttribute('title')) parts.push(el.getAttribute('title'));
    if (el.tagName === 'BUTTON' || el.tagName === 'A' || el.getAttribute('role') === 'button') parts.push(el.textContent);
    return parts.join(' ').trim();
  };
  const out = [];
  for (const el of root.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // not rendered (e.g. display: none)
    if (el.type === 'file' && el.closest('.widget-upload')) continue;  // hidden; its button is the control
    if (!name(el)) out.push(el.outerHTML.slice(0, 200));
  }
  return out;
}
"""


def unlabelled_controls(locator) -> list[str]:
    """HTML snippets of visible controls inside ``locator`` that have no accessible name.

    The name is computed the way the accessibility tree does for these
    elements: ``aria-label``, ``aria-labelledby``, an associated ``<label>``,
    ``title``, or a button's own text.
    """
    return locator.evaluate(_UNLABELLED_JS)


# The height of the scrolling box an element sits in (JupyterLab's notebook panel), or of the window.
_SCROLLER_HEIGHT_JS = """
(el) => {
  for (let p = el.parentElement; p; p = p.parentElement) {
    const o = getComputedStyle(p).overflowY;
    if ((o === 'auto' || o === 'scroll') && p.scrollHeight > p.clientHeight) return p.clientHeight;
  }
  return window.innerHeight;
}
"""


def cut_off_labels(locator) -> list[str]:
    """Texts of the buttons and widget labels inside ``locator`` that do not fit (shown cut, with "…")."""
    return locator.locator("button, .widget-label").evaluate_all(
        "els => els.filter(e => e.getClientRects().length && e.scrollWidth > e.clientWidth + 1)"
        ".map(e => e.textContent.trim())")


def element_screenshot(page, locator, path: Path) -> None:
    """Save a screenshot of ``locator`` whole, even when it is taller than its scrolling box.

    JupyterLab scrolls a notebook inside a panel of fixed height, so Playwright's screenshot of a
    taller widget stitches the lab's menus and grey background into it. For the screenshot the
    window grows until the widget fits in the panel; then it gets its size back.
    """
    old = page.viewport_size
    tall = locator.evaluate("e => e.getBoundingClientRect().height")
    room = locator.evaluate(_SCROLLER_HEIGHT_JS)
    if old and tall + 16 > room:
        page.set_viewport_size({"width": old["width"], "height": int(old["height"] - room + tall + 32)})
    try:
        locator.scroll_into_view_if_needed()
        locator.screenshot(path=str(path))
    finally:
        if old:
            page.set_viewport_size(old)


@contextlib.contextmanager
def served_in_chromium(tmp: Path, *verb: str, probe: str, log_name: str, timeout_ms: int = TIMEOUT_MS):
    """Run ``dcteach VERB... --no-browser --port P --token T`` and a headless Chromium.

    Yields ``(context, base_url, token)``; on exit closes the browser and ends
    the server's process group. ``probe`` is a path answering once the server
    listens (``{token}`` is filled in). Skips (or fails) without Chromium.
    """
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=timeout_ms)  # expect() would otherwise wait Playwright's 5 s

    port, token = free_port(), new_token()
    base = f"http://127.0.0.1:{port}"
    argv = dcteach_argv(*verb, "--no-browser", "--verbose", "--port", str(port), f"--token={token}")  # full log in the artefact
    server = Server(argv, isolated_env(tmp / "jupyter"), base + probe.format(token=token), ARTIFACTS / log_name)
    try:
        server.wait_ready()
        with sync_playwright() as pw:
            context = launch_chromium(pw, tmp / "chromium")
            context.set_default_timeout(timeout_ms)
            context.set_default_navigation_timeout(timeout_ms)
            try:
                yield context, base, token
            finally:
                context.close()
    finally:
        server.stop()


#: WCAG 2.0/2.1 level A and AA rules of axe-core.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page, include: list[str], exclude: list[str] | None = None) -> list[dict]:
    """Run axe-core (bundled by ``axe-playwright-python``) on the elements matching ``include``.

    Returns the violations as ``{"id", "impact", "help", "nodes": [html snippets]}``;
    ``exclude`` removes parts that are not the project's (e.g. JupyterLab's prompts).
    """
    import axe_playwright_python

    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(Path(axe_playwright_python.__file__).parent / "axe.min.js"))
    context = {"include": [[sel] for sel in include]}
    if exclude:
        context["exclude"] = [[sel] for sel in exclude]
    result = page.evaluate(
        "([ctx, opts]) => axe.run(ctx, opts)",
        [context, {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}],
    )
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["html"][:300] for n in v["nodes"]]} for v in result["violations"]]
