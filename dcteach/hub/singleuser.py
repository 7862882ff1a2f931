"""The command JupyterHub starts for each student (``Spawner.cmd``).

``python -m dcteach.hub.singleuser [ARGS]`` refreshes the student's course
folder from the student release (:func:`dcteach.hub.distribute.sync_course`,
never overwriting their edits), then replaces itself with
``jupyterhub-singleuser ARGS`` opened on that folder. It runs as the student,
so every file it writes belongs to them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    """Sync the course folder, then exec the single-user server."""
    from dcteach.hub.distribute import sync_course

    args = list(sys.argv[1:] if argv is None else argv)
    course = Path(os.environ.get("DCTEACH_COURSE_DIR") or Path.home() / "dcteach-course").expanduser()
    try:
        report = sync_course(course)
        print(f"dcteach: course folder {course}: {len(report.copied)} new, {len(report.updated)} updated, "
              f"{len(report.kept)} kept (your edits)", file=sys.stderr)
    except Exception as exc:  # the server must start even if the copy failed; say why
        print(f"dcteach: could not refresh {course}: {exc}", file=sys.stderr)
    if course.is_dir():
        os.chdir(course)
        args.append(f"--ServerApp.root_dir={course}")
    os.execv(sys.executable, [sys.executable, "-m", "jupyterhub.singleuser", *args])


if __name__ == "__main__":  # pragma: no cover
    main()
