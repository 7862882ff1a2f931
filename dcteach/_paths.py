"""Check, before any work is done, that a command can write where it was told to.

Every verb that writes files calls one of these first, so that a typo or a
read-only folder costs one line and exit 2 (:class:`~dcteach.UsageError`),
never a traceback after minutes of grading.

The rule for folders, the same for every command: **the output itself (a file,
or the folder a command fills) may be new, but the folder it goes into must
already exist** — a mistyped parent path is refused, never silently created.

The check is real: a temporary file is created and removed in the folder that
will receive the output (``os.access`` would say yes to root on a read-only
mount and no to nothing else).

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> check_output_file(d / "grades.csv", option="--out") == d / "grades.csv"
True
>>> check_output_file(d / "no" / "such" / "grades.csv", option="--out")
Traceback (most recent call last):
...
dcteach.UsageError: cannot write --out .../no/such/grades.csv: folder .../no/such does not exist; create it first (mkdir -p .../no/such) or choose another path
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from dcteach._errors import UsageError

__all__ = ["check_grade_outputs", "check_output_dir", "check_output_file"]


def _reason(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EROFS:
        return "read-only file system"
    if exc.errno == errno.ENOSPC:
        return "no space left on the device"
    return (exc.strerror or str(exc)).lower()


def _probe_folder(folder: Path, what: str) -> None:
    """Raise :class:`UsageError` unless a file can be created (and removed) in ``folder``."""
    if not folder.exists():
        raise UsageError(f"cannot write {what}: folder {folder} does not exist; "
                         f"create it first (mkdir -p {folder}) or choose another path")
    if not folder.is_dir():
        raise UsageError(f"cannot write {what}: {folder} is a file, not a folder; choose another path")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".dcteach-write-check-")
    except OSError as exc:
        raise UsageError(f"cannot write {what}: {_reason(exc)} in folder {folder}; "
                         "choose a folder you can write to (e.g. in your home folder)") from None
    os.close(fd)
    os.unlink(tmp)


def _label(path: Path, option: str | None) -> str:
    return f"{option} {path}" if option else str(path)


def check_output_file(path: str | os.PathLike, *, option: str | None = None,
                      overwrite: bool = True) -> Path:
    """Check that the file ``path`` can be written; return it as a :class:`~pathlib.Path`.

    Parameters
    ----------
    path : path-like
        The file a command will write.
    option : str, optional
        The option or argument that named it (``"--out"``), for the message.
    overwrite : bool
        If false, an existing file is refused (the message names ``--force``).

    Raises
    ------
    UsageError
        One line: the path, the reason and what to do.
    """
    path = Path(path)
    what = _label(path, option)
    if path.is_dir():
        raise UsageError(f"cannot write {what}: it is a folder; give a file name")
    if path.exists() and not overwrite:
        raise UsageError(f"{path} exists; pass --force to overwrite it")
    _probe_folder(path.parent if str(path.parent) else Path("."), what)
    return path


def check_output_dir(path: str | os.PathLike, *, option: str | None = None,
                     must_be_empty: bool = False) -> Path:
    """Check that the folder ``path`` can be created (if new) and written into; return it.

    An existing folder must be writable (and empty when ``must_be_empty``); a new
    one must have an existing, writable parent. Nothing is created.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> check_output_dir(d / "student") == d / "student", (d / "student").exists()
    (True, False)
    """
    path = Path(path)
    what = _label(path, option)
    if path.exists():
        if not path.is_dir():
            raise UsageError(f"cannot write into {what}: it is a file, not a folder; choose another path")
        if must_be_empty and any(path.iterdir()):
            raise UsageError(f"cannot write into {what}: the folder is not empty; choose a new or empty folder")
        _probe_folder(path, what)
    else:
        _probe_folder(path.parent if str(path.parent) else Path("."), what)
    return path


def check_grade_outputs(submissions, out, feedback=None) -> None:
    """Before grading: there is something to grade, and the gradebook and feedback can be written.

    ``exercises grade`` calls this first, so that a typo costs one line
    instead of a grading run that fails at its last step.

    Raises
    ------
    UsageError
        No submission in ``submissions``; or ``out`` (the gradebook CSV) or the
        feedback folder (default ``<out stem>_feedback`` next to it) cannot be written.
    """
    from dcteach.exercises.grade import discover

    out = check_output_file(out, option="--out")
    feedback_dir = Path(feedback) if feedback else out.with_name(out.stem + "_feedback")
    check_output_dir(feedback_dir, option="--feedback")
    if not discover(Path(submissions)):
        raise UsageError(f"nothing to grade: no submissions in {submissions} "
                         "(expected STUDENT.ipynb files, or one folder per student); check the path")
