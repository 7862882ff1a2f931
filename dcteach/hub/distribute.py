"""The student release, and how it reaches a student's course folder.

The release is what a student may receive: the course notebooks (``notebooks/``,
as packaged in the wheel) and the released exercise notebooks
(``exercises/student/``, without solutions or hidden tests). Lecturer sources
(``exercises/source``) are never part of it.

:func:`sync_course` copies the release into a course folder (default
``~/dcteach-course``) and records what it delivered in
``.dcteach-release.json`` (file → SHA-256). On the next start:

- a new notebook in the release is copied in;
- a file the student never changed is replaced by its new version;
- a file the student edited is kept as it is (their work wins, as with
  nbgitpuller's merge);
- a file the student deleted is delivered again.

>>> import tempfile, pathlib
>>> src, dst = pathlib.Path(tempfile.mkdtemp()), pathlib.Path(tempfile.mkdtemp()) / "course"
>>> _ = (src / "01.ipynb").write_text("v1")
>>> sync_course(dst, sources=[(src, "")]).copied
['01.ipynb']
>>> _ = (dst / "01.ipynb").write_text("my work")
>>> _ = (src / "01.ipynb").write_text("v2")
>>> sync_course(dst, sources=[(src, "")]).kept
['01.ipynb']
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from dcteach._atomic import write_bytes, write_text
from dcteach._errors import UsageError

__all__ = ["SyncReport", "release_sources", "sync_course"]

MANIFEST = ".dcteach-release.json"
_SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints", "source"}


@dataclass
class SyncReport:
    """What :func:`sync_course` did, as paths relative to the course folder."""

    copied: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def _package_dir() -> Path:
    return Path(__file__).resolve().parent.parent


def release_sources() -> list[tuple[Path, str]]:
    """``(folder, prefix in the course folder)`` pairs that make the student release.

    From the wheel: ``dcteach/notebooks`` and ``dcteach/exercises/student``; from a
    source checkout: ``notebooks/`` and ``exercises/student/``; then
    ``$DCTEACH_RELEASE_DIR`` (the folder a lecturer releases exercises into
    during the term), delivered into ``exercises/``.
    """
    pkg = _package_dir()
    pairs = []
    for packaged, checkout, prefix in ((pkg / "notebooks", pkg.parent / "notebooks", ""),
                                       (pkg / "exercises" / "student", pkg.parent / "exercises" / "student",
                                        "exercises")):
        folder = packaged if packaged.is_dir() else checkout
        if folder.is_dir():
            pairs.append((folder, prefix))
    extra = os.environ.get("DCTEACH_RELEASE_DIR")
    if extra and Path(extra).is_dir():  # the lecturer's releases during the term win over the packaged ones
        pairs.append((Path(extra), "exercises"))
    if not pairs:
        raise UsageError("the student release is missing from this installation; reinstall dcteach")
    return pairs


def _files(folder: Path):
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root) / name


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sync_course(target: str | os.PathLike | None = None, *,
                sources: list[tuple[Path, str]] | None = None) -> SyncReport:
    """Bring the course folder up to the current release without losing a student's edits."""
    target = Path(target or Path.home() / "dcteach-course").expanduser()
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} exists and is not a folder; move it away and start again")
    target.mkdir(parents=True, exist_ok=True)
    manifest_path = target / MANIFEST
    try:
        delivered = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
        if not isinstance(delivered, dict):
            delivered = {}
    except (OSError, ValueError):
        delivered = {}
    report = SyncReport()
    release: dict[str, Path] = {}  # a later source wins for the same file
    for folder, prefix in sources if sources is not None else release_sources():
        for path in _files(folder):
            release[(Path(prefix) / path.relative_to(folder)).as_posix()] = path
    for rel, path in release.items():
        data = path.read_bytes()
        new = _digest(data)
        dest = target / rel
        if not dest.exists():
            write_bytes(dest, data)
            report.copied.append(rel)
        elif dest.is_file():
            current = _digest(dest.read_bytes())
            if current == new:
                pass
            elif current == delivered.get(rel):  # untouched by the student: update it
                write_bytes(dest, data)
                report.updated.append(rel)
            else:  # the student's work wins
                report.kept.append(rel)
                continue
        else:
            report.kept.append(rel)
            continue
        delivered[rel] = new
    write_text(manifest_path, json.dumps(delivered, indent=1, sort_keys=True) + "\n")
    return report
