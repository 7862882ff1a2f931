"""Grade a folder of submissions against the lecturer's sources.

For every submission: parse it (bad files get a row with a reason), rebuild the
notebook with every locked cell (setup, tests, hidden tests) taken from the
lecturer's source and matched by the stable key written at release, run it in
a fresh capped kernel inside a bubblewrap sandbox (see ``_sandbox``), then
**judge outside the kernel**: each answer is serialised out of the kernel as
JSON with type tags (``_serial``) and judged in this process by the same
judge as the self-check (``_checkers.check``) against keys computed here from
the lecturer's bank and data. A function answer is called in a fresh sandbox
holding only the lecturer's setup cells and the student's answer cell, on the
course data and on a changed copy of it. Hidden tests (Python asserts in the
lecturer's tests cells) still run in the kernel: a failing one costs the
question its points, a passing one never earns any. The gradebook CSV and the
per-student Markdown feedback are written by this process only, atomically,
after every process of the kernel has ended.

Layouts: ``SUBMISSIONS/alice.ipynb`` (student = file stem) or
``SUBMISSIONS/alice/ex04_instruments.ipynb`` (student = folder name). Names
are kept as written (any script); two names that cannot be told apart (equal
after Unicode normalisation and case folding) are refused with a reason.

>>> assemble_notes = Assembled(nb=None, tests={}, notes=["1 duplicated locked cell dropped"])
>>> assemble_notes.notes
['1 duplicated locked cell dropped']
"""

from __future__ import annotations

import ast
import asyncio
import copy
import csv
import hashlib
import io
import json
import re
import os
import shutil
import stat
import sys
import tempfile
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from dcteach._errors import DcteachError, UsageError
from dcteach._atomic import write_text
from dcteach.exercises._bank import BankError, is_student_bank, load_bank, message, normalise_id, resolve_lang
from dcteach.exercises._notebook import analyse, cell_source, exercise_of
from dcteach.exercises import _checkers
from dcteach.exercises._marks import criterion_rows, marks_file, question_points, read_marks
from dcteach.exercises._runner import RunSettings, run_notebook
from dcteach.exercises._sandbox import NO_SANDBOX_WARNING, find_sandbox
from dcteach.exercises._serial import FunctionAnswer, decode, short_repr
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

GRADER_VERSION = "2"
FIXED_COLUMNS = ["student", "exercise", "file"]
TAIL_COLUMNS = ["total", "max", "status", "reason", "sha256"]
MAX_SUBMISSION_BYTES = 20 * 1024 * 1024
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
    """The notebook to run, which cell indexes are tests (-> question), notes.

    ``answers`` maps a question to the indexes of the student's answer cells;
    ``captures`` are the indexes of the grader's cells that write the answers out.
    """

    nb: object
    tests: dict[int, str]
    notes: list[str] = field(default_factory=list)
    answers: dict[str, list[int]] = field(default_factory=dict)
    captures: list[int] = field(default_factory=list)
    setup: list[str] = field(default_factory=list)


_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def _safe_name(name: str) -> str:
    """A file name for ``name`` that keeps its letters (any script), never hidden, never a path.

    >>> _safe_name("../../etc/passwd"), _safe_name("Ана Ли"), _safe_name(".."), _safe_name("bob_")
    ('_.._etc_passwd', 'Ана Ли', 'unnamed', 'bob_')
    """
    cleaned = _UNSAFE.sub("_", unicodedata.normalize("NFC", name)).strip(" .")
    cleaned = cleaned.lstrip(".") if cleaned.startswith(".") else cleaned
    if cleaned.startswith("_") and set(name) <= set("./\\"):
        cleaned = ""
    return cleaned[:120] or "unnamed"


def _identity(name: str) -> str:
    """What makes two names the same person: Unicode normalisation and case are ignored.

    >>> _identity("José") == _identity("Jose\u0301"), _identity("Bob") == _identity("bob")
    (True, True)
    """
    return unicodedata.normalize("NFC", name).casefold()


class StudentBankOnly(UsageError):
    """Only a student bank (hashed keys) was found where the lecturer's is needed."""


def _lecturer_bank(exercise: str, source: Path) -> dict:
    """The lecturer bank of an exercise: ``banks/`` beside the source folder first, then the usual places.

    A student bank (keys hashed) is refused: grading needs the lecturer's keys.
    """
    beside = source.resolve().parent.parent / "banks" / f"{exercise}.json"
    if beside.is_file():
        from dcteach._jsondoc import loads_located, read_user_text

        bank = loads_located(read_user_text(beside, BankError), str(beside), BankError, "fix the bank's JSON")
    else:
        bank = load_bank(exercise)
    if is_student_bank(bank):
        raise StudentBankOnly(f"{exercise}: only the student version of its bank (no answer keys) was found; "
                         "grade with the lecturer's exercises folder (banks/ beside source/)")
    return bank


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
            bank = _lecturer_bank(exercise, path)
            bank_text = json.dumps(bank, sort_keys=True)
        except StudentBankOnly:
            raise
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
            add(entry, entry.stem)
        elif entry.is_dir():
            for inner in sorted(entry.iterdir()):
                if not inner.name.startswith(".") and (inner.suffix == ".ipynb" or inner.is_symlink()):
                    add(inner, entry.name)
    _refuse_ambiguous(found)
    return found


def _refuse_ambiguous(found: list[Submission]) -> None:
    """Names that cannot be told apart (same after normalisation and case folding) are refused."""
    spellings: dict[str, set[str]] = {}
    for sub in found:
        spellings.setdefault(_identity(sub.student), set()).add(sub.student)
    for sub in found:
        if sub.problem:
            continue
        if any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") for ch in sub.student) or not sub.student.strip():
            sub.problem = ("refused: the student name has invisible or control characters, or is empty; "
                           "rename the file or folder")
        elif len(spellings[_identity(sub.student)]) > 1:
            others = sorted(spellings[_identity(sub.student)] - {sub.student})
            sub.problem = (f"refused: the name {sub.student!r} cannot be told apart from {', '.join(map(repr, others))} "
                           "(they differ only in Unicode form or letter case); rename one of them")


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
    answer_of = {info.key: info.question for info in infos if info.role == "answer" and info.question}
    questions = {q["id"] for q in (source.bank or {}).get("questions", [])} | set(answer_of.values())
    answer_cells: dict[str, list[int]] = {}
    emitted: set[str] = set()
    matched: set[str] = set()
    notes: list[str] = []
    duplicates = by_content = 0

    def emit(key: str) -> None:
        for earlier in sorted((k for k in locked if order[k] < order[key] and k not in emitted), key=order.get):
            emit_one(earlier)
        emit_one(key)

    expressions = answer_expressions(source)
    thunks = frozenset(q["id"] for q in (source.bank or {}).get("questions", []) if not q["checker"].get("call"))
    captures: list[int] = []

    def emit_one(key: str) -> None:
        info = locked[key]
        if info.role == "tests" and info.question:
            tests[len(cells)] = info.question
        cells.append(_clean_copy(source.nb["cells"][info.index]))
        emitted.add(key)
        if info.role == "tests" and info.question in expressions:
            # the answer is read right after its tests cell: a kernel that dies later keeps it
            captures.append(len(cells))
            cells.append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                          "source": _extract_source({info.question: expressions.pop(info.question)}, thunks)})

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
            question = answer_of.get(key) if key else None
            if question is None and cell.get("cell_type") == "code" and meta.get("question") in questions:
                question = meta["question"]
            if question and cell.get("cell_type") == "code":
                answer_cells.setdefault(question, []).append(len(cells))
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
    if expressions:  # questions whose tests cell came from nowhere: read them at the end
        captures.append(len(cells))
        cells.append({"cell_type": "code", "metadata": {}, "source": _extract_source(expressions, thunks),
                      "outputs": [], "execution_count": None})
    for position, cell in enumerate(cells):
        cell["id"] = f"graded-{position:04d}"  # unique ids (students duplicate and strip them)
    nb = nbformat.v4.new_notebook(cells=[nbformat.from_dict(c) for c in cells])
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    setup = [cell_source(source.nb["cells"][i.index]) for i in infos if i.role == "locked"]
    return Assembled(nb=nb, tests=tests, notes=notes, answers=answer_cells, captures=captures, setup=setup)


ANSWERS_FILE = "dcteach-answers.json"


def _tests_cells(source: Source):
    """``(text, ast)`` of each of the lecturer's tests cells that parses, marker lines dropped."""
    for info in analyse(source.nb, strict=True):
        if info.role != "tests":
            continue
        text = "\n".join(line for line in cell_source(source.nb["cells"][info.index]).splitlines()
                         if not line.lstrip().startswith("###"))
        try:
            yield text, ast.parse(text)
        except SyntaxError:
            continue


def answer_expressions(source: Source) -> dict[str, str]:
    """``{question: expression}``: what the lecturer's tests cells check (``ex.q1.check(answer_1)``).

    >>> nb = {"cells": [{"cell_type": "code", "source": "ex.q2.check(answer_2)\\nex.q2.grade(answer_2)"}]}
    >>> answer_expressions(Source("ex01", Path("x"), nb, None, ""))
    {'q2': 'answer_2'}
    """
    found: dict[str, str] = {}
    for text, tree in _tests_cells(source):
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("check", "grade") and isinstance(node.func.value, ast.Attribute)
                    and re.fullmatch(r"q[0-9]+", node.func.value.attr) and node.args):
                segment = ast.get_source_segment(text, node.args[0])
                if segment:
                    found.setdefault(node.func.value.attr, segment)
    return dict(sorted(found.items(), key=lambda kv: int(kv[0][1:])))


def _extract_source(expressions: dict[str, str], thunks: frozenset = frozenset()) -> str:
    """A grader's cell: append answers to the answers file as tagged JSON (never judged in the kernel).

    For the questions in ``thunks`` (no ``call`` in their checker) a function
    without arguments is called and what it returns is the answer, as in the
    self-check.
    """
    pairs = repr(sorted((q, expr, q in thunks) for q, expr in expressions.items()))
    return (
        "def __dcteach_answers():\n"
        "    import json, os\n"
        "    from dcteach.exercises._serial import encode, is_thunk\n"
        "    out = {}\n"
        f"    for q, expr, thunk in {pairs}:\n"
        "        try:\n"
        "            value = eval(expr, globals())\n"
        "        except NameError as exc:\n"
        "            out[q] = {'state': 'missing', 'error': str(exc)[:200]}\n"
        "            continue\n"
        "        except Exception as exc:\n"
        "            out[q] = {'state': 'error', 'error': type(exc).__name__}\n"
        "            continue\n"
        "        try:\n"
        "            if thunk and is_thunk(value):\n"
        "                value = value()\n"
        "            out[q] = {'state': 'value', 'value': encode(value)}\n"
        "        except NotImplementedError:\n"
        "            out[q] = {'state': 'stub'}\n"
        "        except Exception as exc:\n"
        "            out[q] = {'state': 'raised', 'ename': type(exc).__name__, 'evalue': str(exc)[:200]}\n"
        f"    with open(os.path.join(os.environ.get('PWD', '.'), {ANSWERS_FILE!r}), 'a') as f:\n"
        "        f.write(json.dumps(out) + '\\n')\n"
        "__dcteach_answers()\n"
        "del __dcteach_answers"
    )


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


@dataclass
class Result:
    """What the grader concluded about one question."""

    state: str
    text: str = ""
    score: float = 0.0
    answer: str = ""


def _error_of(cell) -> tuple[str, str] | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return str(output.get("ename", "Error")), _ANSI.sub("", str(output.get("evalue", "")))
    return None


def _assert_messages(source: Source) -> set[str]:
    """The messages of the lecturer's own asserts: the only hidden-test text a student may read."""
    found: set[str] = set()
    for _text, tree in _tests_cells(source):
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert) and isinstance(node.msg, ast.Constant) and isinstance(node.msg.value, str):
                found.add(node.msg.value)
    return found


def _hidden_tests(assembled: Assembled, run, source: Source) -> dict[str, Result]:
    """Failures of the lecturer's tests cells, per question (passing ones earn nothing)."""
    allowed = _assert_messages(source)
    failed: dict[str, Result] = {}
    for index, question in sorted(assembled.tests.items()):
        cell = assembled.nb.cells[index]
        if index in run.timed_out:
            failed.setdefault(question, Result("timeout", "the tests cell was stopped: it ran too long"))
            continue
        error = _error_of(cell)
        if error is None:
            continue
        ename, evalue = error
        state = _STATE_OF_ERROR.get(ename, "error")
        if state in ("not_attempted",) or ename == "IncorrectAnswer":
            continue  # the self-check's own verdict: the grader judges the answer itself
        if state == "timeout" or state == "out_of_memory":
            failed.setdefault(question, Result(state, "the tests cell " + ("ran too long" if state == "timeout"
                                                                           else "ran out of memory")))
        elif ename == "AssertionError":
            shown = evalue if evalue in allowed else "a hidden test failed"
            failed.setdefault(question, Result("incorrect", shown))
        else:
            name = re.sub(r"[^A-Za-z0-9_]", "", ename)[:60] or "an error"
            failed.setdefault(question, Result("incorrect", f"a hidden test failed ({name})"))
    return failed


def _syntax_error(assembled: Assembled, question: str, lang: str) -> str | None:
    for index in assembled.answers.get(question, []):
        error = _error_of(assembled.nb.cells[index])
        if error and error[0] in ("SyntaxError", "IndentationError", "TabError"):
            evalue = error[1]
            lines = re.findall(r"line (\d+)", evalue)
            msg = re.sub(r"\s*\([^()]*line \d+\)\s*$", "", evalue).strip() or error[0]
            return message("syntax_error", lang, line=lines[-1] if lines else "?", msg=msg)
    return None


def read_answers(workdir: str) -> dict | None:
    """The answers the kernel wrote (None if it wrote none); never follows links, never blocks."""
    path = os.path.join(workdir, ANSWERS_FILE)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_SUBMISSION_BYTES * 2:
            return None
        with os.fdopen(fd, "rb", closefd=False) as stream:
            text = stream.read().decode("utf-8", "replace")
    except OSError:
        return None
    finally:
        os.close(fd)
    answers: dict = {}
    for line in text.splitlines():
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict):
            for question, record in data.items():
                answers.setdefault(question, record)  # the first reading (right after its tests cell) counts
    return answers


async def _call_function(settings: RunSettings, assembled: Assembled, question: str, spec: dict,
                         name: str, changed: bool) -> dict:
    """Run a function answer in a fresh sandbox of its own; return the tagged results."""
    from dcteach.exercises._runner import _limit_memory, kernel_command, kernel_environment

    workdir = tempfile.mkdtemp(prefix="dcteach-call-")
    try:
        answer = [cell_source(assembled.nb.cells[i]) for i in assembled.answers.get(question, [])]
        call = {"setup": assembled.setup, "answer": answer, "name": name,
                "datasets": spec["call"].get("datasets", []), "changed": changed}
        Path(workdir, "call.json").write_text(json.dumps(call), "utf-8")
        env = kernel_environment(settings, workdir)
        argv = kernel_command(settings, workdir, None, env,
                              [sys.executable, "-s", "-m", "dcteach.exercises._callrun", workdir])
        limit = settings.memory_mb * 1024 * 1024
        process = await asyncio.create_subprocess_exec(
            *argv, cwd=workdir, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL, preexec_fn=lambda: _limit_memory(limit), start_new_session=True)
        try:
            await asyncio.wait_for(process.wait(), timeout=settings.startup_timeout + 2 * settings.timeout)
        except asyncio.TimeoutError:
            process.kill()
            await process.wait()
            return {"error": "timeout"}
        path = os.path.join(workdir, "call-result.json")
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return {"error": f"the function's process ended (exit code {process.returncode}) without a result"}
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return {"error": "no result"}
            with os.fdopen(fd, "rb", closefd=False) as stream:
                data = json.loads(stream.read(MAX_SUBMISSION_BYTES * 2).decode("utf-8"))
            return data if isinstance(data, dict) else {"error": "no result"}
        except (OSError, ValueError):
            return {"error": "unreadable result"}
        finally:
            os.close(fd)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _changed_frames(spec: dict, frames: dict) -> dict | None:
    """Frames for the changed-copy call, when the key can be recomputed on them (one dataset, a query)."""
    from dcteach.exercises._callrun import changed_copy

    datasets = spec["call"].get("datasets", [])
    if spec["type"] in ("ids", "count", "mapping") and datasets == [spec.get("dataset")] and spec["dataset"] in frames:
        return {spec["dataset"]: changed_copy(frames[spec["dataset"]])}
    return None


def _judge_call(spec: dict, outcome: dict, frames: dict | None) -> tuple[_checkers.Verdict, object]:
    if outcome.get("state") == "stub":
        return _checkers.Verdict("not_attempted"), None
    if outcome.get("state") == "raised":
        return _checkers.Verdict("incorrect", (("raised", {"ename": str(outcome.get("ename"))[:60],
                                                           "evalue": str(outcome.get("evalue"))[:200]}),)), None
    if outcome.get("state") != "value":
        return _checkers.Verdict("not_attempted"), None
    value = decode(outcome.get("value"))
    plain = {k: v for k, v in spec.items() if k != "call"}
    return _checkers.check(plain, value, frames=frames), value


async def _judge(question: dict, record: dict | None, assembled: Assembled, settings: RunSettings,
                 frames: dict, lang: str, exercise) -> Result:
    """Judge one answer in the grader's process (and call a function answer in a sandbox of its own)."""
    spec = question["checker"]
    q = exercise._questions[question["id"]]
    syntax = _syntax_error(assembled, question["id"], lang)
    if record is None:
        return Result("not_run", "not run: the kernel had stopped before the answers were read")
    if record.get("state") == "missing":
        if syntax:
            return Result("incorrect", f"{_STATE_TEXT['incorrect'][lang]} — {question['number']}. {syntax}")
        return Result("not_attempted", q.feedback(_checkers.Verdict("not_attempted"), lang=lang).message)
    if record.get("state") in ("stub", "raised"):  # a function without arguments, called while reading answers
        verdict, _ = _judge_call(spec, record, frames)
        return Result(verdict.outcome, q.feedback(verdict, lang=lang).message)
    if record.get("state") != "value":
        return Result("incorrect", f"evaluating your answer raised {str(record.get('error'))[:60]}")
    value = decode(record.get("value"))
    shown = short_repr(value)
    if isinstance(value, FunctionAnswer) and spec.get("call"):
        changed = _changed_frames(spec, frames)
        outcome = await _call_function(settings, assembled, question["id"], spec, value.name, changed is not None)
        if "error" in outcome:
            verdict = _checkers.Verdict("incorrect", (("raised", {"ename": "Error",
                                                                  "evalue": str(outcome["error"])[:200]}),))
        else:
            verdict, returned = _judge_call(spec, outcome.get("data", {}), frames)
            shown = f"{value.name}(…) → {short_repr(returned)}"
            if verdict.outcome == "correct" and changed is not None:
                other, _ = _judge_call(spec, outcome.get("changed", {}), {**frames, **changed})
                if other.outcome != "correct":
                    verdict = _checkers.Verdict("incorrect", (("function.changed", {}),), other.score)
    else:
        verdict = _checkers.check(spec, value, frames=frames)
    text = q.feedback(verdict, lang=lang).message
    if syntax and verdict.outcome != "correct":
        text += " " + syntax
    return Result(verdict.outcome, text, verdict.score if verdict.outcome == "correct" or spec["type"] != "open"
                  else 0.0, shown)


async def _question_results(assembled: Assembled, run, source: Source, answers: dict | None,
                            settings: RunSettings, frames: dict, lang: str) -> dict[str, Result]:
    from dcteach.exercises.check import Exercise

    exercise = Exercise(source.bank, lang=lang)
    hidden = _hidden_tests(assembled, run, source)
    results: dict[str, Result] = {}
    for question in source.bank["questions"]:
        qid = question["id"]
        if run.start_error:
            results[qid] = Result("error", run.start_error)
            continue
        record = None if answers is None else answers.get(qid)
        if record is None and not (run.kernel_died or run.stuck) and assembled.captures:
            record = {"state": "missing"}  # the kernel ran on but wrote nothing for it
        result = await _judge(question, record, assembled, settings, frames, lang, exercise)
        failure = hidden.get(qid)
        if failure and result.state in ("correct", "incorrect", "submitted"):
            text = f"{result.text} {failure.text}".strip() if failure.state == "incorrect" else failure.text
            result = Result(failure.state, text, 0.0, result.answer)
        timed = [i for i in assembled.answers.get(qid, []) if i in run.timed_out]
        if timed and result.state in ("not_attempted", "not_run"):
            result = Result("timeout", "your answer cell was stopped: it ran too long", 0.0, result.answer)
        results[qid] = result
    return results


def _points(value: float) -> str:
    return f"{round(value, 2):g}"


def _score(results: dict[str, Result], bank: dict, marks: dict, student: str, exercise: str) -> tuple[dict, float, float, list[str]]:
    columns: dict[str, object] = {}
    total = maximum = 0.0
    pending = []
    for q in bank["questions"]:
        result = results.get(q["id"], Result("not_run"))
        maximum += q["points"]
        if q["kind"] == "open":
            marked = question_points(marks, student, exercise, q["id"])
            if marked is not None:
                columns[q["id"]] = _points(marked)
                total += marked
            elif result.state == "submitted":
                columns[q["id"]] = ""
                pending.append(q["id"])
            else:
                columns[q["id"]] = "0"
            continue
        got = round(q["points"] * result.score, 2) if result.state in ("correct", "incorrect") else 0.0
        columns[q["id"]] = _points(got)
        total += got
    return columns, total, maximum, pending


def _status(run, results: dict, assembled: Assembled, settings: RunSettings, pending: list[str]) -> tuple[str, list[str]]:
    reasons = list(assembled.notes)
    status = "graded"
    if run.start_error:
        return "error", reasons + [run.start_error]
    if settings.sandbox is None:
        reasons.append(NO_SANDBOX_WARNING)
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
    if pending:
        reasons.append(f"{', '.join(pending)}: open task(s) awaiting marking with the rubric")
    return status, reasons


def _level_text(item: dict, level: str, lang: str) -> str:
    levels = item.get("levels") or []
    try:
        number = int(float(level))
    except ValueError:
        return level
    if 1 <= number <= len(levels):
        return f"{number} — {levels[number - 1]['descriptor'][lang]}"
    return level


def _feedback_markdown(row: dict, results: dict[str, Result], bank: dict, lang: str, marks: dict) -> str:
    title = bank["title"][lang]
    heading = {"en": "Feedback", "ru": "Отзыв"}[lang]
    your = {"en": "Your answer", "ru": "Ваш ответ"}[lang]
    lines = [f"# {heading}: {row['exercise']} — {row['student']}", "", f"**{title}**", "",
             f"- file: `{row['file']}`", f"- status: {row['status']}",
             f"- score: {row['total']} / {row['max']}"]
    if row["reason"]:
        lines.append(f"- notes: {row['reason']}")
    for q in bank["questions"]:
        result = results.get(q["id"], Result("not_run"))
        mark = row.get(q["id"], "")
        points = f"{mark or '—'} / {q['points']:g}"
        lines += ["", f"## {q['number']} {q['title'][lang]} — {_STATE_TEXT[result.state][lang]} ({points})", ""]
        if result.answer:
            lines += [f"{your}: `{result.answer.replace('`', chr(39))}`", ""]
        if result.text:
            lines += ["```text", result.text[:2000].replace("```", "'''"), "```"]
        if q["kind"] == "open":
            lines.append("")
            marked = criterion_rows(marks, row["student"], row["exercise"], q["id"])
            for number, item in enumerate(q["checker"]["rubric"], 1):
                cid = item.get("id", f"c{number}")
                line = f"- [{item['points']:g}] {item['criterion'][lang]}"
                if cid in marked:
                    got = marked[cid]
                    line += f" — {_points(got['points'])} / {item['points']:g}"
                    if got.get("level"):
                        line += f"; level {_level_text(item, str(got['level']), lang)}"
                    if got.get("comment"):
                        line += f"; {got['comment']}"
                lines.append(line)
        if result.state in ("incorrect", "not_attempted") and q.get("hints"):
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
                         settings: RunSettings, digest: str, lang: str, frames: dict | None = None,
                         marks: dict | None = None) -> tuple[dict, str]:
    """Grade one parsed submission; return (gradebook row, feedback Markdown).

    The kernel (and with it every process it started) has ended before the
    answers are read and judged here.
    """
    assembled = assemble(source, student_nb)
    workdir = tempfile.mkdtemp(prefix="dcteach-grade-")
    try:
        run = await run_notebook(assembled.nb, settings, workdir)
        answers = read_answers(workdir) if assembled.captures else None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    marks = marks or {}
    results = await _question_results(assembled, run, source, answers, settings, frames or {}, lang)
    columns, total, maximum, pending = _score(results, source.bank, marks, sub.student, source.exercise)
    status, reasons = _status(run, results, assembled, settings, pending)
    row = {"student": sub.student, "exercise": source.exercise, "file": sub.file, **columns,
           "total": _points(total), "max": _points(maximum), "status": status, "reason": "; ".join(reasons),
           "sha256": digest}
    return row, _feedback_markdown(row, results, source.bank, lang, marks)


class _Progress:
    """A tqdm bar on stderr, one finished submission a step."""

    def __init__(self, total: int, stream=None):
        from tqdm import tqdm

        self.stream = stream or sys.stderr
        self.bar = tqdm(total=total, file=self.stream, desc="grading", unit="submission", dynamic_ncols=True,
                        mininterval=0, ascii=not getattr(self.stream, "isatty", lambda: False)())

    def step(self, label: str) -> None:
        self.bar.set_postfix_str(label[:60], refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


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


def _feedback_names(subs: list[Submission]) -> dict[str, str]:
    """A feedback file name per submission: readable, and never shared (not even by letter case)."""
    names = {s.file: _safe_name(s.file.removesuffix(".ipynb").replace("/", "__")) for s in subs}
    groups: dict[str, list[str]] = {}
    for file, name in names.items():
        groups.setdefault(_identity(name), []).append(file)
    for files in groups.values():
        if len(files) > 1:
            for file in files:
                names[file] += "-" + hashlib.sha256(file.encode()).hexdigest()[:8]
    return {file: name + ".md" for file, name in names.items()}


def _marks_digest(marks: dict, student: str, exercise: str) -> str:
    from dcteach.exercises._marks import _key

    mine = {k[2]: v for k, v in marks.items() if k[:2] == _key(student, exercise, "")[:2]}
    return hashlib.sha256(json.dumps(mine, sort_keys=True, default=str).encode()).hexdigest()


async def _grade_all(subs, sources, settings, out, feedback_dir, workers, lang, progress, frames,
                     marks) -> dict[str, dict]:
    previous = _read_gradebook(out)  # read once, before any kernel runs
    rows: dict[str, dict] = {}
    feedback: dict[str, str] = {}
    semaphore = asyncio.Semaphore(workers)
    single = next(iter(sources)) if len(sources) == 1 else None
    sandboxed = "sandbox" if settings.sandbox is not None else "no-sandbox"
    settings_key = (f"{GRADER_VERSION}|{settings.timeout}|{settings.memory_mb}|{settings.max_output_chars}|"
                    f"{lang}|{sandboxed}")
    names = _feedback_names(subs)

    async def one(sub: Submission) -> None:
        label = sub.file
        path = feedback_dir / names[sub.file]
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
            digest = hashlib.sha256(raw + (source.digest if source else "").encode() + settings_key.encode()
                                    + _marks_digest(marks, sub.student, exercise or "").encode()).hexdigest()
            old = previous.get(sub.file)
            if old and old.get("sha256") == digest and path.is_file():
                rows[sub.file] = old
                label += ": unchanged, skipped"
                return
            if problem:
                rows[sub.file] = _invalid_row(sub, exercise or "", problem, digest)
            elif source is None or source.bank is None:
                known = ", ".join(sources)
                reason = (f"no lecturer source and bank for exercise {exercise}" if exercise else
                          "cannot tell which exercise this is (no metadata.dcteach.exercise and no exNN_ "
                          "in the file name)") + f"; sources: {known}"
                rows[sub.file] = _invalid_row(sub, exercise or "", reason, digest)
            else:
                async with semaphore:
                    row, text = await grade_notebook(sub, raw, source, student_nb, settings, digest, lang,
                                                     frames, marks)
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
                write_text(path, with_reason)
            _write_gradebook(out, rows)
            progress.step(label)

    await asyncio.gather(*(one(sub) for sub in subs))
    return rows


def _frames_for(sources: dict[str, Source]) -> dict:
    """Every dataset the banks' checkers read, loaded once by the grader before any kernel starts."""
    import dcteach

    names: set[str] = set()

    def collect(spec: dict) -> None:
        if spec.get("dataset"):
            names.add(spec["dataset"])
        names.update((spec.get("call") or {}).get("datasets", []))
        for part in spec.get("parts", []):
            collect(part)

    for source in sources.values():
        for q in (source.bank or {}).get("questions", []):
            collect(q["checker"])
    return {name: dcteach.load_dataset(name) for name in sorted(names)}


def _write_student_banks(sources: dict[str, Source], folder: Path) -> None:
    from dcteach.exercises._student import student_bank

    (folder / "banks").mkdir(parents=True, exist_ok=True)
    for source in sources.values():
        if source.bank is not None:
            text = json.dumps(student_bank(source.bank), ensure_ascii=False)
            (folder / "banks" / f"{source.exercise}.json").write_text(text, "utf-8")


def grade_submissions(submissions: str | Path, *, source: str | Path, out: str | Path,
                      timeout: float = 30.0, workers: int = 2, memory_mb: int = 2048,
                      feedback: str | Path | None = None, lang: str = "en",
                      max_output_chars: int = 100_000, progress_stream=None,
                      no_sandbox: bool = False) -> list[dict]:
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
    no_sandbox : grade without bubblewrap (a warning goes into every row's reason)

    Returns
    -------
    list of dict
        The gradebook rows, sorted as in the CSV.

    Raises
    ------
    UsageError
        For bad options, or when bubblewrap is missing and ``no_sandbox`` is not set.
    """
    if workers < 1 or timeout <= 0 or memory_mb < 256:
        raise UsageError("--workers must be >= 1, --timeout > 0 and --memory-mb >= 256")
    lang = resolve_lang(lang)
    out = Path(out)
    sources = load_sources(Path(source))
    subs = discover(Path(submissions))
    sandbox = find_sandbox(no_sandbox=no_sandbox)
    feedback_dir = Path(feedback) if feedback else out.with_name(out.stem + "_feedback")
    frames = _frames_for(sources)  # keys come from the lecturer's data, read before any kernel runs
    marks = read_marks(marks_file(out))
    banks_root = Path(tempfile.mkdtemp(prefix="dcteach-banks-"))
    try:
        _write_student_banks(sources, banks_root)
        settings = RunSettings(timeout=float(timeout), memory_mb=int(memory_mb), lang=lang,
                               max_output_chars=int(max_output_chars), sandbox=sandbox,
                               banks_root=str(banks_root))
        progress = _Progress(len(subs), progress_stream)
        try:
            rows = asyncio.run(_grade_all(subs, sources, settings, out, feedback_dir, workers, lang, progress,
                                          frames, marks))
        finally:
            progress.close()
    finally:
        shutil.rmtree(banks_root, ignore_errors=True)
    _write_gradebook(out, rows)  # final write: whatever happened to the file is replaced
    changed = [s.path.name for s in sources.values() if not s.path.is_file()
               or hashlib.sha256(s.path.read_bytes()).hexdigest() != s.raw_digest]
    if changed:  # grading used the copies read before any kernel ran
        progress.stream.write(f"warning: lecturer source(s) changed on disk during grading: {', '.join(changed)}; "
                              "grades used the versions read at the start\n")
    return [rows[k] for k in sorted(rows, key=lambda k: (rows[k]["exercise"], rows[k]["student"], k))]
