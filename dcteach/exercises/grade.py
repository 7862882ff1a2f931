"""Grade a folder of submissions against the lecturer's sources.

For every submission: parse it (bad files get a row with a reason), rebuild the
notebook with every locked cell (setup, tests, hidden tests) taken from the
lecturer's source and matched by the stable key written at release, run it in
a fresh capped kernel in its own temporary folder, and read each question's
outcome from the tests cells. The gradebook CSV and the per-student Markdown
feedback are written by this process only, atomically, after the kernels end.

Layouts: ``SUBMISSIONS/alice.ipynb`` (student = file stem) or
``SUBMISSIONS/alice/ex04_instruments.ipynb`` (student = folder name).

>>> assemble_notes = Assembled(nb=None, tests={}, notes=["1 duplicated locked cell dropped"])
>>> assemble_notes.notes
['1 duplicated locked cell dropped']
"""

from __future__ import annotations

import asyncio
import copy
import csv
import hashlib
import io
import json
import re
import shutil
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from dcteach._errors import DcteachError, UsageError
from dcteach._atomic import write_text
from dcteach.exercises._bank import load_bank, message, normalise_id, resolve_lang
from dcteach.exercises._notebook import analyse, cell_source, exercise_of
from dcteach.exercises._runner import RunSettings, run_notebook
from dcteach.exercises.release import read_notebook, release_notebook, source_notebooks

__all__ = [
    "Assembled",
    "FIXED_COLUMNS",
    "Source",
    "Submission",
    "assemble",
    "discover",
    "grade_notebook",
    "grade_submissions",
    "load_sources",
]

GRADER_VERSION = "1"
FIXED_COLUMNS = ["student", "exercise", "file"]
TAIL_COLUMNS = ["total", "max", "status", "reason", "sha256"]
MAX_SUBMISSION_BYTES = 20 * 1024 * 1024
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

# how the class name of an exception raised in a tests cell reads as an outcome
_STATE_OF_ERROR = {
    "NotAttempted": "not_attempted",
    "NotImplementedError": "not_attempted",
    "NameError": "not_attempted",
    "IncorrectAnswer": "incorrect",
    "AssertionError": "incorrect",
    "KeyboardInterrupt": "timeout",
    "CellTimeoutError": "timeout",
    "MemoryError": "out_of_memory",
}
_STATE_TEXT = {
    "correct": {"en": "✔ Correct", "ru": "✔ Верно"},
    "incorrect": {"en": "✘ Not yet", "ru": "✘ Пока нет"},
    "not_attempted": {"en": "○ Not attempted", "ru": "○ Нет ответа"},
    "submitted": {"en": "✎ Awaiting marking with the rubric", "ru": "✎ Ждёт оценки по критериям"},
    "timeout": {"en": "⏱ Stopped: too slow", "ru": "⏱ Остановлено: слишком долго"},
    "out_of_memory": {"en": "✘ Ran out of memory", "ru": "✘ Не хватило памяти"},
    "error": {"en": "✘ Error", "ru": "✘ Ошибка"},
    "not_run": {"en": "– Not run", "ru": "– Не выполнено"},
}


@dataclass
class Source:
    """A lecturer source, read once before any kernel starts."""

    exercise: str
    path: Path
    nb: dict
    bank: dict | None
    digest: str
    raw_digest: str = ""


@dataclass
class Submission:
    """One file to grade; ``problem`` is set when it cannot be graded at all."""

    path: Path
    student: str
    file: str
    problem: str | None = None


@dataclass
class Assembled:
    """The notebook to run, which cell indexes are tests (-> question), notes."""

    nb: object
    tests: dict[int, str]
    notes: list[str] = field(default_factory=list)


def _safe_name(name: str) -> str:
    """A file-name-safe, non-hidden version of ``name``.

    >>> _safe_name("../../etc/passwd"), _safe_name("Ана Ли"), _safe_name("..")
    ('etc_passwd', 'unnamed', 'unnamed')
    """
    cleaned = _SAFE.sub("_", name).strip("._")
    return cleaned[:80] or "unnamed"


def load_sources(src: Path) -> dict[str, Source]:
    """Read every lecturer source under ``src`` (file or folder), keyed by exercise.

    Raises
    ------
    UsageError
        For a missing folder, an unreadable source or two sources for one exercise.
    """
    sources: dict[str, Source] = {}
    for path in source_notebooks(Path(src)):
        raw = path.read_bytes()
        nb = read_notebook(path)
        exercise = exercise_of(nb, path.name)
        if exercise is None:
            raise UsageError(f"{path}: cannot tell its exercise (no metadata.dcteach.exercise, no exNN_ name)")
        exercise = normalise_id(exercise)
        if exercise in sources:
            raise UsageError(f"{path}: a second source for {exercise} (first: {sources[exercise].path.name})")
        try:
            bank = load_bank(exercise)
            bank_text = json.dumps(bank, sort_keys=True)
        except DcteachError:
            bank, bank_text = None, ""
        analyse(nb, strict=True)  # unbalanced markers are the lecturer's mistake: say so now
        digest = hashlib.sha256(raw + bank_text.encode()).hexdigest()
        sources[exercise] = Source(exercise, path, nb, bank, digest, hashlib.sha256(raw).hexdigest())
    return sources


def discover(folder: Path) -> list[Submission]:
    """List submissions in ``folder``: its files, and ``*.ipynb`` one folder down.

    Hidden entries (``.ipynb_checkpoints``) are skipped. Symbolic links and
    anything resolving outside ``folder`` are refused with a reason, never read.

    Raises
    ------
    UsageError
        If ``folder`` is not a folder.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(f"{folder}: SUBMISSIONS must be a folder of notebooks")
    root = folder.resolve()
    found: list[Submission] = []
    refused = "refused: a symbolic link; submissions must be regular files inside the folder"

    def add(path: Path, student: str) -> None:
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found.append(Submission(path, student, rel, refused))
        elif not path.resolve().is_relative_to(root):
            found.append(Submission(path, student, rel, "refused: the path leads outside the submissions folder"))
        elif path.is_file():
            found.append(Submission(path, student, rel))

    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_symlink() or entry.is_file():
            add(entry, _safe_name(entry.stem))
        elif entry.is_dir():
            for inner in sorted(entry.iterdir()):
                if not inner.name.startswith(".") and (inner.suffix == ".ipynb" or inner.is_symlink()):
                    add(inner, _safe_name(entry.name))
    return found


def _clean_copy(cell: dict) -> dict:
    new = copy.deepcopy(dict(cell))
    if new.get("cell_type") == "code":
        new["outputs"], new["execution_count"] = [], None
    new.setdefault("metadata", {})
    return new


def _norm(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def assemble(source: Source, student_nb: dict) -> Assembled:
    """Rebuild the notebook to run: the student's cells, the lecturer's locked cells.

    Locked cells (setup, tests) come from the source and are matched by
    ``metadata.dcteach.cell``, then by cell id, then by identical text. A
    missing locked cell is restored where it belongs; a duplicate is dropped;
    the student's own copy of a tests cell is never run.
    """
    import nbformat

    infos = analyse(source.nb, strict=True)
    order = {info.key: position for position, info in enumerate(infos)}
    locked = {info.key: info for info in infos if info.role in ("tests", "locked")}
    released = release_notebook(source.nb, exercise_id=source.exercise, bank=source.bank)
    released_keys = {c["metadata"]["dcteach"]["cell"] for c in released["cells"]}
    by_text = {_norm(cell_source(c)): c["metadata"]["dcteach"]["cell"] for c in released["cells"]
               if c["metadata"]["dcteach"]["role"] in ("tests", "locked") and cell_source(c).strip()}
    cells: list[dict] = []
    tests: dict[int, str] = {}
    emitted: set[str] = set()
    matched: set[str] = set()
    notes: list[str] = []
    duplicates = by_content = 0

    def emit(key: str) -> None:
        for earlier in sorted((k for k in locked if order[k] < order[key] and k not in emitted), key=order.get):
            emit_one(earlier)
        emit_one(key)

    def emit_one(key: str) -> None:
        info = locked[key]
        if info.role == "tests" and info.question:
            tests[len(cells)] = info.question
        cells.append(_clean_copy(source.nb["cells"][info.index]))
        emitted.add(key)

    for cell in student_nb.get("cells", []):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            continue
        meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        meta = meta.get("dcteach") if isinstance(meta.get("dcteach"), dict) else {}
        key = meta.get("cell") if meta.get("cell") in order else None
        if key is None and cell.get("id") in order:
            key = cell.get("id")
        if key is None and cell.get("cell_type") == "code" and _norm(cell_source(cell)) in by_text:
            key, by_content = by_text[_norm(cell_source(cell))], by_content + 1
        if key in locked:
            matched.add(key)
            if key in emitted:
                duplicates += 1
            else:
                emit(key)
        else:
            cells.append(_clean_copy(cell))
    missing = [k for k in released_keys if k in locked and k not in matched]
    for key in sorted((k for k in locked if k not in emitted), key=order.get):
        emit_one(key)
    if missing:
        notes.append(f"{len(missing)} locked cell(s) were missing and were restored from the source")
    if duplicates:
        notes.append(f"{duplicates} duplicated locked cell(s) dropped")
    if by_content:
        notes.append(f"metadata missing: {by_content} cell(s) matched by their text")
    for position, cell in enumerate(cells):
        cell["id"] = f"graded-{position:04d}"  # unique ids (students duplicate and strip them)
    nb = nbformat.v4.new_notebook(cells=[nbformat.from_dict(c) for c in cells])
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    return Assembled(nb=nb, tests=tests, notes=notes)


def _error_of(cell) -> tuple[str, str] | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return output.get("ename", "Error"), _ANSI.sub("", str(output.get("evalue", "")))
    return None


def _text_of(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            parts.append(output.get("text", ""))
        elif output.get("output_type") in ("execute_result", "display_data"):
            parts.append(output.get("data", {}).get("text/plain", ""))
    return _ANSI.sub("", "\n".join(p.strip() for p in parts if p.strip()))


def _question_states(assembled: Assembled, run, bank: dict | None) -> dict[str, tuple[str, str]]:
    kinds = {q["id"]: q["kind"] for q in (bank or {}).get("questions", [])}
    states: dict[str, tuple[str, str]] = {}
    for index, question in sorted(assembled.tests.items()):
        cell = assembled.nb.cells[index]
        executed = run.last_cell is not None and index <= run.last_cell and cell.get("execution_count") is not None
        if index in run.timed_out:
            state, text = "timeout", "the cell was stopped: it ran too long"
        elif not executed or (run.kernel_died and index == run.last_cell):
            state, text = "not_run", "not run: the kernel had stopped before this test"
        elif (error := _error_of(cell)) is not None:
            ename, evalue = error
            state = _STATE_OF_ERROR.get(ename, "error")
            text = evalue if state in ("not_attempted", "incorrect") else f"{ename}: {evalue}"
        else:
            state = "submitted" if kinds.get(question) == "open" else "correct"
            text = _text_of(cell)
        text = text[:2000]
        if question not in states or states[question][0] in ("correct", "submitted"):
            states[question] = (state, text)  # the first failing test of a question decides
    return states


def _score(states: dict, bank: dict | None) -> tuple[dict[str, object], float, float]:
    questions = (bank or {}).get("questions") or [{"id": q, "kind": "auto", "points": 1} for q in sorted(states)]
    marks: dict[str, object] = {}
    total = maximum = 0.0
    for q in questions:
        state = states.get(q["id"], ("not_run", ""))[0]
        if q["kind"] == "open":
            marks[q["id"]] = "" if state == "submitted" else 0
            continue
        maximum += q["points"]
        got = q["points"] if state == "correct" else 0
        marks[q["id"]] = got
        total += got
    return marks, total, maximum


def _status(run, states: dict, assembled: Assembled, settings: RunSettings) -> tuple[str, list[str]]:
    reasons = list(assembled.notes)
    status = "graded"
    if run.start_error:
        return "error", reasons + [run.start_error]
    if run.kernel_died:
        status = "kernel_died"
        cell = "" if run.last_cell is None else f" while running cell {run.last_cell + 1}"
        code = "" if run.exit_code is None else f", exit code {run.exit_code}"
        reasons.append(f"the kernel stopped{cell}{code} (os._exit, a crash, or memory beyond the "
                       f"{settings.memory_mb} MB cap); later cells were not run")
    elif run.stuck:
        status = "timeout"
        reasons.append("the kernel did not respond to an interrupt after a timeout and was killed; "
                       "later cells were not run")
    if run.timed_out:
        status = "timeout" if status == "graded" else status
        cells = ", ".join(str(i + 1) for i in run.timed_out)
        reasons.append(f"cell(s) {cells} ran longer than {settings.timeout:g} s and were interrupted")
    memory = [i + 1 for i, c in enumerate(assembled.nb.cells) if (_error_of(c) or ("",))[0] == "MemoryError"]
    if memory:
        status = "out_of_memory" if status == "graded" else status
        reasons.append(f"cell(s) {', '.join(map(str, memory))} ran out of memory (cap {settings.memory_mb} MB)")
    if run.truncated:
        reasons.append(f"output of cell(s) {', '.join(str(i + 1) for i in run.truncated)} capped at "
                       f"{settings.max_output_chars} characters")
    pending = [q for q, (state, _) in sorted(states.items()) if state == "submitted"]
    if pending:
        reasons.append(f"{', '.join(pending)}: open task(s) awaiting marking with the rubric")
    return status, reasons


def _feedback_markdown(row: dict, states: dict, bank: dict | None, lang: str) -> str:
    title = bank["title"][lang] if bank else row["exercise"]
    heading = {"en": "Feedback", "ru": "Отзыв"}[lang]
    lines = [f"# {heading}: {row['exercise']} — {row['student']}", "", f"**{title}**", "",
             f"- file: `{row['file']}`", f"- status: {row['status']}",
             f"- score: {row['total']} / {row['max']}"]
    if row["reason"]:
        lines.append(f"- notes: {row['reason']}")
    for q in (bank or {}).get("questions", []):
        state, text = states.get(q["id"], ("not_run", ""))
        mark = row.get(q["id"], "")
        points = f"{mark} / {q['points']:g}" if q["kind"] == "auto" else f"— / {q['points']:g}"
        lines += ["", f"## {q['number']} {q['title'][lang]} — {_STATE_TEXT[state][lang]} ({points})", ""]
        if text:
            lines += ["```text", text.replace("```", "'''"), "```"]
        if q["kind"] == "open":
            lines.append("")
            lines += [f"- [{item['points']:g}] {item['criterion'][lang]}" for item in q["checker"]["rubric"]]
        if state in ("incorrect", "not_attempted"):
            lines += ["", message("hint", lang, n=1, total=len(q["hints"]), number=q["number"],
                                  text=q["hints"][0][lang])]
    return "\n".join(lines) + "\n"


def _invalid_row(sub: Submission, exercise: str, reason: str, digest: str) -> dict:
    return {"student": sub.student, "exercise": exercise, "file": sub.file, "total": 0, "max": "",
            "status": "invalid", "reason": reason, "sha256": digest}


def _parse(raw: bytes) -> tuple[dict | None, str | None]:
    import nbformat

    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, "not a notebook: the file is not UTF-8 text"
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list) or "nbformat" not in data:
        return None, "not a Jupyter notebook: valid JSON, but no 'cells' list or 'nbformat' version"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. missing cell ids: we match cells ourselves
            return nbformat.reads(json.dumps(data), as_version=4), None
    except Exception as exc:  # nbformat raises many types for odd files
        return None, f"not a readable Jupyter notebook ({type(exc).__name__}: {str(exc)[:200]})"


async def grade_notebook(sub: Submission, raw: bytes, source: Source, student_nb: dict,
                         settings: RunSettings, digest: str, lang: str) -> tuple[dict, str]:
    """Grade one parsed submission; return (gradebook row, feedback Markdown)."""
    assembled = assemble(source, student_nb)
    workdir = tempfile.mkdtemp(prefix="dcteach-grade-")
    try:
        run = await run_notebook(assembled.nb, settings, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    states = _question_states(assembled, run, source.bank)
    marks, total, maximum = _score(states, source.bank)
    status, reasons = _status(run, states, assembled, settings)
    row = {"student": sub.student, "exercise": source.exercise, "file": sub.file, **marks,
           "total": f"{total:g}", "max": f"{maximum:g}", "status": status, "reason": "; ".join(reasons),
           "sha256": digest}
    return row, _feedback_markdown(row, states, source.bank, lang)


class _Progress:
    """One line per finished submission on stderr (a bar when it is a terminal)."""

    def __init__(self, total: int, stream=None):
        self.total, self.done = total, 0
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def step(self, label: str) -> None:
        self.done += 1
        width = 24
        filled = width * self.done // max(self.total, 1)
        bar = "#" * filled + "." * (width - filled)
        line = f"grading [{bar}] {self.done}/{self.total} {label}"
        if self.tty:
            end = "\n" if self.done == self.total else ""
            self.stream.write("\r\x1b[2K" + line + end)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def _read_gradebook(path: Path) -> dict[str, dict]:
    if not path.is_file():
        return {}
    try:
        with path.open(newline="", encoding="utf-8") as stream:
            return {row["file"]: row for row in csv.DictReader(stream) if row.get("file")}
    except (OSError, csv.Error, UnicodeDecodeError):
        return {}


def _write_gradebook(path: Path, rows: dict[str, dict]) -> None:
    questions: set[str] = set()
    for row in rows.values():
        questions |= {k for k in row if re.fullmatch(r"q[0-9]+", k)}
    columns = FIXED_COLUMNS + sorted(questions, key=lambda q: int(q[1:])) + TAIL_COLUMNS
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for key in sorted(rows, key=lambda k: (rows[k]["exercise"], rows[k]["student"], k)):
        writer.writerow({c: rows[key].get(c, "") for c in columns})
    write_text(path, buffer.getvalue())


def _feedback_path(folder: Path, sub: Submission) -> Path:
    name = _safe_name(sub.file.removesuffix(".ipynb").replace("/", "__")) + ".md"
    return folder / name


async def _grade_all(subs, sources, settings, out, feedback_dir, workers, lang, progress) -> dict[str, dict]:
    previous = _read_gradebook(out)  # read once, before any kernel runs
    rows: dict[str, dict] = {}
    feedback: dict[str, str] = {}
    semaphore = asyncio.Semaphore(workers)
    single = next(iter(sources)) if len(sources) == 1 else None
    settings_key = f"{GRADER_VERSION}|{settings.timeout}|{settings.memory_mb}|{settings.max_output_chars}|{lang}"

    async def one(sub: Submission) -> None:
        label = sub.file
        try:
            if sub.problem:
                rows[sub.file] = _invalid_row(sub, "", sub.problem, "")
                return
            size = sub.path.stat().st_size
            if size > MAX_SUBMISSION_BYTES:
                rows[sub.file] = _invalid_row(sub, "", f"file too large ({size} bytes; limit "
                                              f"{MAX_SUBMISSION_BYTES})", "")
                return
            raw = sub.path.read_bytes()
            student_nb, problem = _parse(raw)
            if problem and sub.path.suffix != ".ipynb":
                problem = f"not a notebook: expected a .ipynb file, got a '{sub.path.suffix or 'no suffix'}' file"
            exercise = (exercise_of(student_nb, sub.path.name) if student_nb is not None else None) \
                or exercise_of({}, sub.path.name) or single
            if exercise is not None:
                try:
                    exercise = normalise_id(exercise)
                except UsageError:
                    exercise = None
            source = sources.get(exercise)
            digest = hashlib.sha256(raw + (source.digest if source else "").encode()
                                    + settings_key.encode()).hexdigest()
            old = previous.get(sub.file)
            path = _feedback_path(feedback_dir, sub)
            if old and old.get("sha256") == digest and path.is_file():
                rows[sub.file] = old
                label += ": unchanged, skipped"
                return
            if problem:
                rows[sub.file] = _invalid_row(sub, exercise or "", problem, digest)
            elif source is None:
                known = ", ".join(sources)
                reason = (f"no lecturer source for exercise {exercise}" if exercise else
                          "cannot tell which exercise this is (no metadata.dcteach.exercise and no exNN_ "
                          "in the file name)") + f"; sources: {known}"
                rows[sub.file] = _invalid_row(sub, exercise or "", reason, digest)
            else:
                async with semaphore:
                    row, text = await grade_notebook(sub, raw, source, student_nb, settings, digest, lang)
                rows[sub.file] = row
                feedback[sub.file] = text
                write_text(path, text)
            label += f": {rows[sub.file]['status']}"
        except Exception as exc:  # never let one submission stop the others
            rows[sub.file] = _invalid_row(sub, "", f"grader error: {type(exc).__name__}: {exc}", "")
            rows[sub.file]["status"] = "error"
            label += ": error"
        finally:
            if sub.file in rows:  # the gradebook holds text: fresh rows look like re-read ones
                rows[sub.file] = {k: "" if v is None else str(v) for k, v in rows[sub.file].items()}
            if sub.file in rows and sub.file not in feedback and rows[sub.file]["status"] in ("invalid", "error"):
                with_reason = f"# Feedback — {sub.student}\n\n- file: `{sub.file}`\n- status: " \
                              f"{rows[sub.file]['status']}\n- reason: {rows[sub.file]['reason']}\n"
                write_text(_feedback_path(feedback_dir, sub), with_reason)
            _write_gradebook(out, rows)
            progress.step(label)

    await asyncio.gather(*(one(sub) for sub in subs))
    return rows


def grade_submissions(submissions: str | Path, *, source: str | Path, out: str | Path,
                      timeout: float = 30.0, workers: int = 2, memory_mb: int = 2048,
                      feedback: str | Path | None = None, lang: str = "en",
                      max_output_chars: int = 100_000, progress_stream=None) -> list[dict]:
    """Grade every submission; write the gradebook CSV and the feedback files.

    Parameters
    ----------
    submissions : folder of submitted notebooks (flat, or one folder per student)
    source : the lecturer source notebook, or a folder of them
    out : gradebook CSV path (a row per submission, a column per question)
    timeout : seconds allowed per cell
    workers : kernels running at the same time
    memory_mb : address-space cap of each kernel
    feedback : folder for the Markdown feedback (default: ``<out stem>_feedback``)

    Returns
    -------
    list of dict
        The gradebook rows, sorted as in the CSV.
    """
    if workers < 1 or timeout <= 0 or memory_mb < 256:
        raise UsageError("--workers must be >= 1, --timeout > 0 and --memory-mb >= 256")
    lang = resolve_lang(lang)
    out = Path(out)
    sources = load_sources(Path(source))
    subs = discover(Path(submissions))
    feedback_dir = Path(feedback) if feedback else out.with_name(out.stem + "_feedback")
    settings = RunSettings(timeout=float(timeout), memory_mb=int(memory_mb), lang=lang,
                           max_output_chars=int(max_output_chars))
    progress = _Progress(len(subs), progress_stream)
    rows = asyncio.run(_grade_all(subs, sources, settings, out, feedback_dir, workers, lang, progress))
    _write_gradebook(out, rows)  # final write: whatever a kernel did to the file is replaced
    changed = [s.path.name for s in sources.values() if not s.path.is_file()
               or hashlib.sha256(s.path.read_bytes()).hexdigest() != s.raw_digest]
    if changed:  # grading used the copies read before any kernel ran
        progress.stream.write(f"warning: lecturer source(s) changed on disk during grading: {', '.join(changed)}; "
                              "grades used the versions read at the start\n")
    return [rows[k] for k in sorted(rows, key=lambda k: (rows[k]["exercise"], rows[k]["student"], k))]
