"""``dcteach exercises check``: every solution passes, every released stub is "not attempted".

For each lecturer source: the bank is validated against the schema and must
match the notebook (every question has an answer cell and a tests cell), the
student version must pass the leak check, the source itself graded as a
submission must get every automatic question correct and every open task
submitted, and the student version graded as a submission must get every
question "not attempted".
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from dcteach._errors import DcteachError
from dcteach.exercises._bank import load_bank
from dcteach.exercises._notebook import analyse
from dcteach.exercises._runner import RunSettings
from dcteach.exercises.grade import _frames_for, _question_results, _write_student_banks, assemble, load_sources, read_answers
from dcteach.exercises.release import find_leaks, release_notebook

__all__ = ["CheckReport", "check_sources"]


@dataclass
class CheckReport:
    """Problems found per exercise (an empty list means the exercise is fine)."""

    problems: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no exercise has a problem."""
        return not any(self.problems.values())

    def lines(self) -> list[str]:
        """One line per exercise, then its problems indented."""
        out = []
        for exercise, problems in self.problems.items():
            out.append(f"{'✔ ok  ' if not problems else '✘ FAIL'} {exercise}")
            out += [f"       {p}" for p in problems]
        return out


def _static_problems(source) -> list[str]:
    problems = []
    try:
        bank = load_bank(source.exercise, validate=True)
    except DcteachError as exc:
        return [f"bank: {exc}"]
    infos = analyse(source.nb, strict=True)
    for q in bank["questions"]:
        roles = {i.role for i in infos if i.question == q["id"]}
        for role in ("answer", "tests"):
            if role not in roles:
                problems.append(f"{q['number']} ({q['id']}): no {role} cell in the notebook")
    unknown = {i.question for i in infos if i.question} - {q["id"] for q in bank["questions"]}
    problems += [f"cell for {q}: no such question in the bank" for q in sorted(unknown)]
    student = release_notebook(source.nb, exercise_id=source.exercise, bank=bank)
    problems += [f"leak: {p}" for p in find_leaks(source.nb, student)]
    return problems


async def _run_checks(sources, settings: RunSettings, workers: int) -> CheckReport:
    from dcteach.exercises._runner import run_notebook

    frames = _frames_for(sources)

    report = CheckReport({exercise: [] for exercise in sources})
    semaphore = asyncio.Semaphore(workers)

    async def run(source, nb, expect: set[str], label: str) -> None:
        assembled = assemble(source, nb)
        async with semaphore:
            with tempfile.TemporaryDirectory(prefix="dcteach-check-") as workdir:
                result = await run_notebook(assembled.nb, settings, workdir)
                answers = read_answers(workdir)
            results = await _question_results(assembled, result, source, answers, settings, frames, "en")
        for q in (source.bank or {}).get("questions", []):
            got = results.get(q["id"])
            state, text = (got.state, got.text) if got else ("not_run", "no tests cell ran")
            allowed = {"submitted"} if q["kind"] == "open" and "correct" in expect else expect
            if state not in allowed:
                report.problems[source.exercise].append(
                    f"{label}: {q['number']} is {state!r}, expected {' or '.join(sorted(allowed))}: {text[:300]}")
        if result.kernel_died or result.stuck or result.start_error:
            report.problems[source.exercise].append(f"{label}: the kernel failed ({result})"[:300])

    jobs = []
    for source in sources.values():
        report.problems[source.exercise] += _static_problems(source)
        student = release_notebook(source.nb, exercise_id=source.exercise, bank=source.bank)
        jobs.append(run(source, source.nb, {"correct"}, "solution"))
        jobs.append(run(source, student, {"not_attempted"}, "student version"))
    await asyncio.gather(*jobs)
    return report


def check_sources(src: str | Path, *, timeout: float = 60.0, workers: int = 2,
                  no_sandbox: bool = False) -> CheckReport:
    """Check every lecturer source under ``src`` (file or folder); see the module doc.

    The runs use the grading sandbox, so a solution that needs anything the
    sandbox hides fails here first.
    """
    import shutil

    from dcteach.exercises._sandbox import find_sandbox

    sources = load_sources(Path(src))
    sandbox = find_sandbox(no_sandbox=no_sandbox)
    banks_root = Path(tempfile.mkdtemp(prefix="dcteach-banks-"))
    try:
        _write_student_banks(sources, banks_root)
        settings = RunSettings(timeout=timeout, memory_mb=4096, sandbox=sandbox, banks_root=str(banks_root))
        return asyncio.run(_run_checks(sources, settings, workers))
    finally:
        shutil.rmtree(banks_root, ignore_errors=True)

