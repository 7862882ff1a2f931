"""The command JupyterHub starts for each student (``Spawner.cmd``).

``python -m dcteach.hub.singleuser [ARGS]`` refreshes the student's course
folder from the student release (:func:`dcteach.hub.distribute.sync_course`,
never overwriting their edits), prepares a lean environment
(:func:`student_environment`), then replaces itself with
``jupyterhub-singleuser ARGS`` opened on that folder. It runs as the student,
so every file it writes belongs to them.

The lean environment exists because a class arrives at once: on a 2-core
machine every CPU second a student's server or kernel spends on something the
student never uses is a second another student waits (``benchmarks/bench_hub.py``
measures it). Each item below was measured there:

- ``student_env/jupyter`` goes first on ``JUPYTER_CONFIG_PATH``: it turns off the
  server extensions a student does not use (nbgrader's, whose course the
  dcteach exchange replaces; Voilà's, which ``dcteach dashboard`` runs on its
  own; the language server) and their JupyterLab parts, and stops JupyterLab
  from asking a package index for extensions, news or updates.
- ``student_env/python`` goes first on ``PYTHONPATH``: it hides rfc3987-syntax,
  whose import builds parsers for 3.3 CPU seconds in every server and kernel
  that imports jsonschema (see the module there).
- a matplotlib font cache built once by the hub (``$DCTEACH_MPL_CACHE``) is
  copied into a new student's cache folder, so that the first plot does not
  scan the system's fonts again for every student.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["STUDENT_ENV", "main", "seed_matplotlib_cache", "student_environment"]

#: Folder of the students' Jupyter configuration and Python overrides (shipped in the wheel).
STUDENT_ENV = Path(__file__).resolve().parent / "student_env"


def _prepend(path: Path, current: str | None) -> str:
    parts = [p for p in (current or "").split(os.pathsep) if p and p != str(path)]
    return os.pathsep.join([str(path), *parts])


def student_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: this process's) with the students' Jupyter config and Python overrides first.

    The student's own ``~/.jupyter`` still wins over the course's settings
    (Jupyter reads it before ``JUPYTER_CONFIG_PATH``).

    >>> env = student_environment({"PYTHONPATH": "/opt/extra"})
    >>> env["PYTHONPATH"].split(os.pathsep) == [str(STUDENT_ENV / "python"), "/opt/extra"]
    True
    >>> env["JUPYTER_CONFIG_PATH"] == str(STUDENT_ENV / "jupyter")
    True
    >>> student_environment(env) == env       # idempotent
    True
    """
    out = dict(os.environ if env is None else env)
    out["JUPYTER_CONFIG_PATH"] = _prepend(STUDENT_ENV / "jupyter", out.get("JUPYTER_CONFIG_PATH"))
    out["PYTHONPATH"] = _prepend(STUDENT_ENV / "python", out.get("PYTHONPATH"))
    return out


def _matplotlib_cache_dir(env: dict[str, str]) -> Path:
    """Where matplotlib will look for its font cache (its own rule: MPLCONFIGDIR, else XDG)."""
    if env.get("MPLCONFIGDIR"):
        return Path(env["MPLCONFIGDIR"]).expanduser()
    xdg = env.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "matplotlib"
    return Path(env.get("HOME") or Path.home()) / ".cache" / "matplotlib"


def seed_matplotlib_cache(env: dict[str, str] | None = None) -> list[Path]:
    """Copy the hub's prebuilt font cache (``$DCTEACH_MPL_CACHE``) where matplotlib will read it.

    Only files missing from the student's cache are copied (``fontlist-v*.json``;
    matplotlib ignores and rebuilds one made by another version). Returns the
    files written.

    >>> import tempfile, pathlib
    >>> shared, home = pathlib.Path(tempfile.mkdtemp()), pathlib.Path(tempfile.mkdtemp())
    >>> _ = (shared / "fontlist-v390.json").write_text("{}")
    >>> [p.name for p in seed_matplotlib_cache({"DCTEACH_MPL_CACHE": str(shared), "HOME": str(home)})]
    ['fontlist-v390.json']
    >>> seed_matplotlib_cache({"DCTEACH_MPL_CACHE": str(shared), "HOME": str(home)})   # already there
    []
    """
    from dcteach._atomic import write_bytes

    env = dict(os.environ if env is None else env)
    source = env.get("DCTEACH_MPL_CACHE")
    if not source or not Path(source).is_dir():
        return []
    target = _matplotlib_cache_dir(env)
    written = []
    for path in sorted(Path(source).glob("fontlist-v*.json")):
        dest = target / path.name
        if not dest.exists():
            write_bytes(dest, path.read_bytes())
            written.append(dest)
    return written


def main(argv: list[str] | None = None) -> None:
    """Sync the course folder, prepare the lean environment, then exec the single-user server."""
    from dcteach.hub.distribute import sync_course

    args = list(sys.argv[1:] if argv is None else argv)
    course = Path(os.environ.get("DCTEACH_COURSE_DIR") or Path.home() / "dcteach-course").expanduser()
    try:
        report = sync_course(course)
        print(f"dcteach: course folder {course}: {len(report.copied)} new, {len(report.updated)} updated, "
              f"{len(report.kept)} kept (your edits)", file=sys.stderr)
    except Exception as exc:  # the server must start even if the copy failed; say why
        print(f"dcteach: could not refresh {course}: {exc}", file=sys.stderr)
    try:
        seed_matplotlib_cache()
    except OSError as exc:  # only a speed-up: matplotlib builds its own cache instead
        print(f"dcteach: could not copy the matplotlib font cache: {exc}", file=sys.stderr)
    if course.is_dir():
        os.chdir(course)
        args.append(f"--ServerApp.root_dir={course}")
    os.execve(sys.executable, [sys.executable, "-m", "jupyterhub.singleuser", *args], student_environment())


if __name__ == "__main__":  # pragma: no cover
    main()
