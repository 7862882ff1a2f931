"""The exchange: students submit, the lecturer collects and returns.

Modelled on nbgrader's exchange (an ``inbound`` folder students can write
into but not read), made stricter with one folder per student::

    EXCHANGE/                      0755  (root, or the hub's account)
        inbound/                   0711  nobody can list who submitted
            alice/                 0700  owned by alice: only alice (and root) enter
                ex02+20261201T180102.123456Z+3f9a.ipynb   0600, created with O_EXCL
        feedback/                  0711
            alice/                 0700  owned by alice
                ex02.md            0600

A student can neither read another student's submission (the folder is
``0700`` and owned by its student), nor overwrite it (nobody else can write in
that folder; every submission is a new file, created exclusively). The hub
prepares these folders before it starts a student's server
(:func:`ensure_student`, called by ``deploy/jupyterhub/jupyterhub_config.py``).

The time of a submission is the file's change time (``ctime``), which a
student cannot set back; the time written in the file name by ``submit`` is
only a label. ``collect`` keeps, for each student and exercise, the latest
submission made before the hard cut-off.

Where every student's server runs under one system account (the local demo
hub, or Kubernetes pods that all run as ``jovyan``) the operating system cannot
keep students apart: on Kubernetes mount only ``inbound/<user>`` and
``feedback/<user>`` into each pod (see ``deploy/k8s/values.yaml``).

>>> parse_entry("ex02+20261201T180102.123456Z+3f9a.ipynb")[0]
'ex02'
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io
import json
import os
import re
import secrets
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from dcteach._atomic import write_bytes, write_text
from dcteach._errors import DcteachError, UsageError

__all__ = [
    "Collected",
    "EXCHANGE_ENV",
    "check_student_name",
    "collect",
    "ensure_student",
    "exchange_root",
    "find_notebook",
    "init_exchange",
    "parse_entry",
    "return_feedback",
    "submit",
]

EXCHANGE_ENV = "DCTEACH_EXCHANGE"
DEFAULT_EXCHANGE = "/srv/dcteach/exchange"
MAX_BYTES = 20 * 1024 * 1024
_STAMP = "%Y%m%dT%H%M%S.%fZ"
_ENTRY = re.compile(r"^(ex[0-9]{2})\+([0-9]{8}T[0-9]{6}\.[0-9]{6}Z)\+([0-9a-f]+)\.ipynb$")
_BAD_NAME = re.compile(r"[/\\\x00-\x1f\x7f]")


def exchange_root(path: str | os.PathLike | None = None) -> Path:
    """The exchange folder: ``path``, else ``$DCTEACH_EXCHANGE``, else ``/srv/dcteach/exchange``."""
    return Path(path or os.environ.get(EXCHANGE_ENV) or DEFAULT_EXCHANGE)


def check_student_name(name: str) -> str:
    """Return ``name`` (NFC) if it can name a student's folder, else raise UsageError.

    Names in any script are kept as written.

    >>> check_student_name("Иванов")
    'Иванов'
    >>> check_student_name("../bob")
    Traceback (most recent call last):
    ...
    dcteach.UsageError: student name '../bob' cannot name a folder (no '/', '\\\\', control characters, leading '.')
    """
    text = unicodedata.normalize("NFC", str(name or ""))
    if not text or text.startswith(".") or _BAD_NAME.search(text) or len(text.encode()) > 200:
        raise UsageError(f"student name {name!r} cannot name a folder "
                         "(no '/', '\\\\', control characters, leading '.')")
    return text


def _system_ids(name: str) -> tuple[int, int] | None:
    try:
        import pwd
        entry = pwd.getpwnam(name)
    except (ImportError, KeyError):
        return None
    return entry.pw_uid, entry.pw_gid


def _mkdir(path: Path, mode: int, owner: tuple[int, int] | None = None) -> None:
    path.mkdir(parents=False, exist_ok=True)
    if owner is not None and os.geteuid() == 0:
        os.chown(path, *owner)
    os.chmod(path, mode)


def init_exchange(root: str | os.PathLike | None = None) -> Path:
    """Create the exchange's top folders with their permissions; return the root.

    Raises
    ------
    UsageError
        If the folder cannot be created (say where, and how to fix it).
    """
    root = exchange_root(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o755)
        _mkdir(root / "inbound", 0o711)
        _mkdir(root / "feedback", 0o711)
    except OSError as exc:
        raise UsageError(f"{root}: cannot prepare the exchange ({exc.strerror}); choose a writable "
                         f"folder with ${EXCHANGE_ENV} or --exchange") from None
    return root


def ensure_student(name: str, root: str | os.PathLike | None = None) -> tuple[Path, Path]:
    """Create ``inbound/NAME`` and ``feedback/NAME`` (0700, owned by the system user NAME if any).

    Run by the hub (as root) before it starts the student's server.
    """
    name = check_student_name(name)
    root = init_exchange(root)
    owner = _system_ids(name)
    inbox, feedback = root / "inbound" / name, root / "feedback" / name
    for folder in (inbox, feedback):
        try:
            _mkdir(folder, 0o700, owner)
        except OSError as exc:
            raise UsageError(f"{folder}: cannot prepare the student's folder ({exc.strerror})") from None
    return inbox, feedback


def parse_entry(filename: str) -> tuple[str, _dt.datetime] | None:
    """``(exercise, claimed UTC time)`` of a submission's file name, or None."""
    match = _ENTRY.match(filename)
    if not match:
        return None
    stamp = _dt.datetime.strptime(match[2], _STAMP).replace(tzinfo=_dt.timezone.utc)
    return match[1], stamp


def find_notebook(exercise: str, course_dir: str | os.PathLike | None = None) -> Path:
    """The student's notebook of ``exercise`` in their course folder.

    Looks for ``exNN_*.ipynb`` under ``course_dir`` (default ``~/dcteach-course``),
    skipping checkpoints and the feedback folder.
    """
    from dcteach.exercises._bank import normalise_id

    exercise = normalise_id(exercise)
    base = Path(course_dir or Path.home() / "dcteach-course").expanduser()
    if not base.is_dir():
        raise UsageError(f"{base}: no course folder; give the notebook with --file")
    found = sorted(p for p in base.rglob(f"{exercise}_*.ipynb")
                   if not any(part.startswith(".") or part == "feedback" for part in p.relative_to(base).parts))
    if not found:
        raise UsageError(f"{base}: no {exercise}_*.ipynb found; give the notebook with --file")
    if len(found) > 1:
        names = ", ".join(str(p.relative_to(base)) for p in found)
        raise UsageError(f"{base}: several notebooks for {exercise} ({names}); choose one with --file")
    return found[0]


def submit(exercise: str, *, file: str | os.PathLike | None = None, user: str | None = None,
           root: str | os.PathLike | None = None, course_dir: str | os.PathLike | None = None,
           now: _dt.datetime | None = None) -> Path:
    """Copy the student's notebook into their inbox; return the new file.

    The student is ``user`` or ``$JUPYTERHUB_USER`` (set by the hub in every
    student's server). Every call makes a new file; nothing is overwritten.

    Raises
    ------
    UsageError
        No hub user, no inbox, a missing, oversized or non-notebook file.
    """
    from dcteach.exercises._bank import normalise_id

    exercise = normalise_id(exercise)
    user = user or os.environ.get("JUPYTERHUB_USER")
    if not user:
        raise UsageError("no student name: run this in your JupyterHub server (JUPYTERHUB_USER is not set)")
    user = check_student_name(user)
    path = Path(file) if file else find_notebook(exercise, course_dir)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the notebook ({exc.strerror})") from None
    if len(raw) > MAX_BYTES:
        raise UsageError(f"{path}: {len(raw)} bytes is more than the {MAX_BYTES} allowed; clear large outputs")
    try:
        nb = json.loads(raw.decode("utf-8"))
        if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
            raise ValueError("no cells")
    except (UnicodeDecodeError, ValueError):
        raise UsageError(f"{path}: not a notebook (expected Jupyter's JSON); save it in JupyterLab and "
                         "submit again") from None
    inbox = exchange_root(root) / "inbound" / user
    if not inbox.is_dir():
        if not (exchange_root(root) / "inbound").is_dir():
            raise UsageError(f"{exchange_root(root)}: no exchange here; ask your lecturer "
                             f"(or set ${EXCHANGE_ENV})")
        try:  # the demo hub (one system account for everyone) lets students make their own inbox
            inbox.mkdir(mode=0o700)
        except OSError:
            raise UsageError(f"{inbox}: you have no inbox in the exchange; ask your lecturer") from None
    stamp = (now or _dt.datetime.now(_dt.timezone.utc)).astimezone(_dt.timezone.utc).strftime(_STAMP)
    target = inbox / f"{exercise}+{stamp}+{secrets.token_hex(4)}.ipynb"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(target, flags, 0o600)
    except OSError as exc:
        raise UsageError(f"{inbox}: cannot write your submission ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(raw)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


@dataclass
class Collected:
    """One student's kept submission of one exercise."""

    student: str
    exercise: str
    submitted_at: _dt.datetime
    path: Path
    sha256: str
    attempts: int
    late: str = ""


def _iso(moment: _dt.datetime) -> str:
    return moment.astimezone(_dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def collect(out: str | os.PathLike, *, root: str | os.PathLike | None = None,
            exercise: str | None = None, policy=None) -> list[Collected]:
    """Copy the latest submission of every student into ``OUT/submitted/STUDENT/EXERCISE.ipynb``.

    Writes ``OUT/submissions.csv`` (student, exercise, submitted_at, attempts,
    late_days, penalty, status, file, sha256) atomically; ``policy`` (a
    :class:`dcteach.exercises.late.LatePolicy`) decides the late columns and
    drops submissions after the hard cut-off (an earlier one is kept if any).

    A folder whose owner is not the system user of that name (when such a
    user exists) is refused: someone else wrote it.
    """
    from dcteach.exercises._bank import normalise_id

    root = exchange_root(root)
    inbound = root / "inbound"
    if not inbound.is_dir():
        raise UsageError(f"{root}: no exchange here (no inbound folder); check --exchange or ${EXCHANGE_ENV}")
    wanted = normalise_id(exercise) if exercise else None
    out = Path(out)
    kept: dict[tuple[str, str], list[tuple[_dt.datetime, Path]]] = {}
    refused: list[str] = []
    for folder in sorted(inbound.iterdir()):
        if folder.is_symlink() or not folder.is_dir():
            continue
        try:
            student = check_student_name(folder.name)
        except UsageError:
            refused.append(f"{folder.name}: not a student name")
            continue
        ids = _system_ids(student)
        if ids is not None and folder.stat().st_uid not in (ids[0], 0):
            refused.append(f"{student}: the folder belongs to uid {folder.stat().st_uid}, not {student}")
            continue
        for entry in folder.iterdir():
            parsed = parse_entry(entry.name)
            if parsed is None or entry.is_symlink() or not entry.is_file():
                continue
            ex, claimed = parsed
            if wanted and ex != wanted:
                continue
            stat = entry.stat()
            if ids is not None and stat.st_uid not in (ids[0], 0):
                refused.append(f"{student}/{entry.name}: written by uid {stat.st_uid}")
                continue
            # the change time cannot be set back by the student; the name is only a label
            at = max(claimed, _dt.datetime.fromtimestamp(stat.st_ctime, _dt.timezone.utc)) \
                if abs(stat.st_ctime - claimed.timestamp()) > 120 else claimed
            kept.setdefault((student, ex), []).append((at, entry))
    results: list[Collected] = []
    for (student, ex), entries in sorted(kept.items()):
        entries.sort()
        attempts = len(entries)
        status = ""
        if policy is not None:
            in_time = [e for e in entries if not policy.after_cutoff(e[0])]
            if not in_time:
                status = "after cut-off"
            entries = in_time or entries
        at, path = entries[-1]
        raw = path.read_bytes()
        target = out / "submitted" / student / f"{ex}.ipynb"
        try:
            if not status:
                write_bytes(target, raw)
            else:
                target.unlink(missing_ok=True)
        except OSError as exc:
            raise UsageError(f"{target}: cannot write ({exc.strerror}); choose a writable --out") from None
        results.append(Collected(student, ex, at, target, hashlib.sha256(raw).hexdigest(), attempts, status))
    try:
        _write_submissions(out / "submissions.csv", results, policy)
    except OSError as exc:
        raise UsageError(f"{out / 'submissions.csv'}: cannot write ({exc.strerror}); choose a writable --out") from None
    for line in refused:
        print(f"refused: {line}", file=sys.stderr)
    return results


SUBMISSION_COLUMNS = ["student", "exercise", "submitted_at", "attempts", "late_days", "penalty",
                      "status", "file", "sha256"]


def _write_submissions(path: Path, results: list[Collected], policy) -> None:
    previous: dict[tuple[str, str], dict] = {}
    if path.is_file():  # collecting one exercise keeps the rows of the others
        with path.open(newline="", encoding="utf-8") as stream:
            previous = {(r["student"], r["exercise"]): r for r in csv.DictReader(stream)}
    for item in results:
        days, penalty = (policy.lateness(item.submitted_at) if policy else (0, 0.0))
        previous[(item.student, item.exercise)] = {
            "student": item.student, "exercise": item.exercise, "submitted_at": _iso(item.submitted_at),
            "attempts": item.attempts, "late_days": days,
            "penalty": f"{1.0 if item.late else penalty:g}", "status": item.late or ("late" if days else "on time"),
            "file": "" if item.late else f"{item.student}/{item.exercise}.ipynb", "sha256": item.sha256,
        }
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SUBMISSION_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for key in sorted(previous):
        writer.writerow(previous[key])
    write_text(path, buffer.getvalue())


def _home_of(student: str, homes: str | None) -> Path | None:
    if homes:
        return Path(homes.replace("{user}", student).replace("{username}", student))
    try:
        import pwd
        return Path(pwd.getpwnam(student).pw_dir)
    except (ImportError, KeyError):
        return None


def return_feedback(feedback: dict[tuple[str, str], str], *, root: str | os.PathLike | None = None,
                    homes: str | None = None, course_subdir: str = "dcteach-course/feedback") -> list[Path]:
    """Write each student's feedback Markdown into the exchange and their home.

    ``feedback`` maps ``(student, exercise)`` to the text. Files go to
    ``EXCHANGE/feedback/STUDENT/EXERCISE.md`` and, when the home is known
    (``homes`` template like ``/home/{user}``, else the system user's home), to
    ``HOME/dcteach-course/feedback/EXERCISE.md``, owned by the student when run as root.
    """
    root = exchange_root(root)
    written: list[Path] = []
    for (student, exercise), text in sorted(feedback.items()):
        student = check_student_name(student)
        _, box = ensure_student(student, root)
        owner = _system_ids(student)
        targets = [box / f"{exercise}.md"]
        home = _home_of(student, homes)
        if home is not None and home.is_dir():
            targets.append(home / course_subdir / f"{exercise}.md")
        for target in targets:
            try:
                if owner is not None and os.geteuid() == 0 and not target.parent.exists():
                    target.parent.mkdir(parents=True)
                    os.chown(target.parent, *owner)
                write_text(target, text)
                os.chmod(target, 0o600)
                if owner is not None and os.geteuid() == 0:
                    os.chown(target, *owner)
            except OSError as exc:
                raise DcteachError(f"{target}: cannot write the feedback ({exc.strerror})") from None
            written.append(target)
    return written
