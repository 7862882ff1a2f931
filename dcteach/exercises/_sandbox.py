"""Where student code runs when grading: a bubblewrap sandbox per kernel (Linux).

Each grading kernel (and each call of a function answer) runs under
``bwrap`` with

* a **read-only system**: only ``/usr`` (and its ``/bin``, ``/lib`` links),
  a few files of ``/etc``, the Python installation and its site-packages, the
  ``dcteach`` package and the course data are mounted, read-only; nothing
  else of the machine exists inside (no home folders, no checkout, no
  lecturer sources or banks, no submissions, no gradebook);
* **one empty writable folder** of its own (its working folder, which also
  holds a fresh HOME, TMPDIR, IPython and Jupyter folders) and, for a kernel,
  a private folder for its IPC sockets and connection file; the root is
  remounted read-only;
* **no network** (a new network namespace: not even 127.0.0.1 reaches the
  grader) — the kernel talks to the grader over Unix sockets (``ipc``);
* its **own PID namespace** with a fresh ``/proc``: the grader's processes,
  command line and environment are invisible, and when the kernel ends every
  process it started is killed with the namespace;
* a **new environment** (``--clearenv``: only the variables the kernel needs)
  and a new session; capabilities dropped.

>>> argv = Sandbox(bwrap="/usr/bin/bwrap", ro_paths=[], pythonpath="/p").wrap(["python"], "/w")
>>> "--unshare-all" in argv and "--share-net" not in argv and "--clearenv" in argv
True
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from dcteach._errors import UsageError

__all__ = ["NO_SANDBOX_WARNING", "Sandbox", "find_sandbox", "kernel_env", "prepare_workdir"]

NO_SANDBOX_WARNING = ("warning: graded WITHOUT a sandbox (--no-sandbox): student code could read and write "
                      "the grader's files and reach the network")

MISSING = ("grading needs bubblewrap to sandbox student code, and 'bwrap' was not found: install it "
           "(Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap) or, on a machine you "
           "trust the submissions on, pass --no-sandbox")

_ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "nsswitch.conf", "passwd", "group",
        "hosts", "ssl", "ca-certificates", "alternatives", "fonts", "mime.types", "matplotlibrc")


@dataclass
class Sandbox:
    """The bwrap command line shared by every kernel of one grading run."""

    bwrap: str
    ro_paths: list[str]
    pythonpath: str
    extra_ro: list[str] = field(default_factory=list)

    def wrap(self, command: list[str], workdir: str, runtime_dir: str | None = None,
             env: dict | None = None) -> list[str]:
        """``command`` run inside the sandbox, with ``workdir`` its only writable folder."""
        argv = [self.bwrap, "--die-with-parent", "--new-session", "--unshare-all", "--hostname", "sandbox",
                "--cap-drop", "ALL", "--clearenv"]
        for name in ("bin", "lib", "lib64", "lib32", "sbin"):
            host = Path("/") / name
            if host.is_symlink():
                argv += ["--symlink", os.readlink(host), str(host)]
            elif host.is_dir():
                argv += ["--ro-bind", str(host), str(host)]
        argv += ["--ro-bind", "/usr", "/usr"]
        for name in _ETC:
            argv += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
        for path in [*self.ro_paths, *self.extra_ro]:
            argv += ["--ro-bind", path, path]
        argv += ["--dev", "/dev", "--proc", "/proc", "--dir", "/tmp",
                 "--bind", workdir, workdir]
        if runtime_dir:
            argv += ["--bind", runtime_dir, runtime_dir]
        argv += ["--remount-ro", "/", "--chdir", workdir]
        for key, value in sorted((env or {}).items()):
            argv += ["--setenv", key, value]
        return argv + ["--", *command]


def _unique(paths) -> list[str]:
    """Existing real paths, without any that lies inside another one of the list."""
    real = sorted({os.path.realpath(p) for p in paths if p and os.path.exists(p)})
    kept: list[str] = []
    for path in real:
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return [p for p in kept if p != "/"]


def find_sandbox(*, no_sandbox: bool = False) -> Sandbox | None:
    """The sandbox to grade in, or None with ``no_sandbox``.

    Raises
    ------
    UsageError
        If bwrap is missing or does not work here (one line naming the fix).
    """
    if no_sandbox:
        return None
    bwrap = shutil.which("bwrap")
    if not sys.platform.startswith("linux") or bwrap is None:
        raise UsageError(MISSING)
    import dcteach
    from dcteach.data import core_dir

    package = Path(dcteach.__file__).resolve().parent
    ro = [sys.prefix, sys.base_prefix, os.path.dirname(os.path.dirname(os.path.realpath(sys.executable))),
          str(package), str(core_dir())]
    sandbox = Sandbox(bwrap=bwrap, ro_paths=_unique(ro), pythonpath=str(package.parent))
    probe = Path(_mkdtemp("dcteach-probe-"))
    try:
        done = subprocess.run(sandbox.wrap([sys.executable, "-c", "import dcteach"], str(probe),
                                           env=kernel_env(str(probe), sandbox.pythonpath, "en")),
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"bubblewrap ({bwrap}) could not start a sandbox: {exc}; pass --no-sandbox to grade "
                         "without one on a machine you trust the submissions on") from None
    finally:
        shutil.rmtree(probe, ignore_errors=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise UsageError(f"bubblewrap ({bwrap}) could not start a sandbox here ({last}); user namespaces may be "
                         "disabled (sysctl kernel.unprivileged_userns_clone=1) — or pass --no-sandbox")
    return sandbox


def _mkdtemp(prefix: str) -> str:
    import tempfile

    return tempfile.mkdtemp(prefix=prefix)


def prepare_workdir(workdir: str) -> None:
    """Create the fresh HOME, TMPDIR, IPython and Jupyter folders inside ``workdir``."""
    for sub in ("home/.ipython", "home/.jupyter", "home/.local/share/jupyter", "home/.config/matplotlib",
                "home/.cache", "tmp"):
        os.makedirs(os.path.join(workdir, sub), exist_ok=True)


def kernel_env(workdir: str, pythonpath: str | None, lang: str, extra: dict | None = None) -> dict:
    """The whole environment of a grading kernel: nothing of the grader's, all its folders fresh."""
    home = os.path.join(workdir, "home")
    bindir = os.path.dirname(sys.executable)
    env = {
        "PATH": f"{bindir}:/usr/local/bin:/usr/bin:/bin",
        "HOME": home, "TMPDIR": os.path.join(workdir, "tmp"), "PWD": workdir,
        "IPYTHONDIR": os.path.join(home, ".ipython"), "JUPYTER_CONFIG_DIR": os.path.join(home, ".jupyter"),
        "JUPYTER_DATA_DIR": os.path.join(home, ".local/share/jupyter"),
        "JUPYTER_RUNTIME_DIR": os.path.join(home, ".local/share/jupyter/runtime"),
        "JUPYTER_PLATFORM_DIRS": "1", "MPLCONFIGDIR": os.path.join(home, ".config/matplotlib"),
        "XDG_CACHE_HOME": os.path.join(home, ".cache"), "XDG_CONFIG_HOME": os.path.join(home, ".config"),
        "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8", "DCTEACH_LANG": lang, "DCTEACH_GRADING": "1", "MPLBACKEND": "Agg",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        # thread pools and allocators reserve address space; keep the memory cap meaningful
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "NUMEXPR_MAX_THREADS": "1", "ARROW_DEFAULT_MEMORY_POOL": "system", "MALLOC_ARENA_MAX": "2",
    }
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    env.update(extra or {})
    return env
