"""Atomic file writes: a reader sees the old file or the new one, never half of one.

Every file dcteach writes for a user (exports, assessments, gradebooks,
released notebooks, extension tables, descriptors) goes through here: the data
go to a temporary file in the same folder, are flushed to disk, and then
replace the target in one ``os.replace``. A failure leaves the old file whole
and no temporary file behind. A replaced file keeps its permission bits.

>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "grades.csv"
>>> write_text(target, "student,total\\n").read_text()
'student,total\\n'
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write_text", "write_bytes", "write_text"]


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; create missing parent folders; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 ``text`` atomically, newlines exactly as given."""
    return write_bytes(path, text.encode("utf-8"))


#: The name the widgets and CLI modules use.
atomic_write_text = write_text
