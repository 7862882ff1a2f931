"""Grading 50 submissions: sandboxed vs. unsandboxed vs. ``nbgrader autograde``, side by side in one run.

All three grade the same 50 generated submissions of exercise ex04 (a mix of
correct, wrong and untouched answers, the same random choices for each side).
The nbgrader course (``source/ex04/ex04.ipynb`` with nbgrader cell metadata)
is built from the same lecturer source, released with ``nbgrader
generate_assignment`` and the submissions are filled from that release.

Targets: the sandbox costs at most 1.2x the unsandboxed time, and dcteach is
faster per submission than ``nbgrader autograde``. Prints a table; makes no
assertion on time (the machine may be shared).

    .venv/bin/python benchmarks/bench_grade.py [--n 50] [--workers 2]

nbgrader must be installed in the same environment (``pip install .[bench]``).
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "exercises" / "source" / "ex04_instruments.ipynb"
ANSWERS = {
    "ex04-q1-answer": [
        'ins = dc.load_dataset("instruments")\n'
        'answer_1 = set(ins.loc[(ins["group"] == "operational") & ins["document_source_id"].notna(), "id"])',
        'answer_1 = {"INS-DM", "INS-CBM"}',
        None,
    ],
    "ex04-q2-answer": ['answer_2 = dc.load_dataset("instruments")["group"].value_counts()',
                       'answer_2 = {"strategic": 3}', None],
    "ex04-q3-answer": ['def no_footnote(df):\n    return set(df.loc[df["footnote"].isna(), "id"])', None],
    "ex04-q4-answer": ['essay_4 = "' + "The tools predate digital customs and define nothing. " * 12 + '"', None],
}


def choices(n: int, seed: int = 7) -> list[dict[str, str | None]]:
    """The answers of each of the ``n`` students (the same for every side)."""
    rng = random.Random(seed)
    return [{key: rng.choice(options) for key, options in ANSWERS.items()} for _ in range(n)]


def fill(nb: dict, answers: dict, key_of) -> dict:
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        answer = answers.get(key_of(cell))
        if answer is not None:
            cell["source"] = answer
    return nb


def make_submissions(folder: Path, picks: list[dict]) -> None:
    student = json.loads((ROOT / "exercises" / "student" / "ex04_instruments.ipynb").read_text("utf-8"))
    for i, answers in enumerate(picks):
        nb = fill(student, answers, lambda c: c["metadata"]["dcteach"]["cell"])
        (folder / f"student{i:02d}.ipynb").write_text(json.dumps(nb), "utf-8")


def time_grading(subs: Path, workers: int, out: Path, no_sandbox: bool) -> float:
    from dcteach.exercises.grade import grade_submissions

    start = time.perf_counter()
    rows = grade_submissions(subs, source=ROOT / "exercises" / "source", out=out, workers=workers,
                             timeout=120, progress_stream=io.StringIO(), no_sandbox=no_sandbox)
    elapsed = time.perf_counter() - start
    assert len(rows) == len(list(subs.glob("*.ipynb")))
    assert all(r["status"] == "graded" for r in rows), [r["reason"] for r in rows if r["status"] != "graded"][:3]
    return elapsed


def nbgrader_source() -> dict:
    """The lecturer source with nbgrader's cell metadata (same markers, same hidden tests)."""
    nb = json.loads(SOURCE.read_text("utf-8"))
    points = {q["id"]: q["points"] for q in json.loads((ROOT / "exercises" / "banks" / "ex04.json")
                                                       .read_text("utf-8"))["questions"]}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        key = cell["id"]
        meta = {"schema_version": 3, "grade_id": key, "task": False, "solution": False, "grade": False,
                "locked": True}
        if key.endswith("-answer"):
            meta.update(solution=True, locked=False)
        elif key.endswith("-tests"):
            meta.update(grade=True, points=points[cell["metadata"]["dcteach"]["question"]])
        cell["metadata"] = {"nbgrader": meta}
    return nb


def build_nbgrader_course(course: Path, picks: list[dict]) -> None:
    (course / "source" / "ex04").mkdir(parents=True)
    (course / "source" / "ex04" / "ex04.ipynb").write_text(json.dumps(nbgrader_source()), "utf-8")
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        "c.CourseDirectory.course_id = 'dcteach'\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{course}/gradebook.db'\n"
        "c.ExecutePreprocessor.timeout = 120\n", "utf-8")
    nbgrader(course, "generate_assignment", "ex04", "--force")
    released = json.loads((course / "release" / "ex04" / "ex04.ipynb").read_text("utf-8"))
    for i, answers in enumerate(picks):
        folder = course / "submitted" / f"student{i:02d}" / "ex04"
        folder.mkdir(parents=True)
        nb = fill(released, answers, lambda c: c["metadata"].get("nbgrader", {}).get("grade_id"))
        (folder / "ex04.ipynb").write_text(json.dumps(nb), "utf-8")


def nbgrader(course: Path, *args: str) -> None:
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", ""),
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([str(Path(bindir) / "nbgrader"), *args], cwd=course, env=env, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"nbgrader {' '.join(args)} failed: {done.stderr.strip().splitlines()[-1:]}")


def time_nbgrader(course: Path) -> float:
    start = time.perf_counter()
    nbgrader(course, "autograde", "ex04", "--force", "--create")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("nbgrader", path=str(Path(sys.executable).parent)) is None:
        raise SystemExit("nbgrader is not installed in this environment: pip install '.[bench]'")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    picks = choices(args.n)
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        tmp = Path(tmp)
        subs = tmp / "subs"
        subs.mkdir()
        make_submissions(subs, picks)
        build_nbgrader_course(tmp / "course", picks)
        sandboxed = time_grading(subs, args.workers, tmp / "sandboxed.csv", no_sandbox=False)
        plain = time_grading(subs, args.workers, tmp / "plain.csv", no_sandbox=True)
        autograde = time_nbgrader(tmp / "course")
    n = args.n
    print(f"{n} submissions of ex04, {os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.1f}")
    print(f"{'method':<56}{'wall s':>9}{'s/notebook':>12}")
    for label, seconds in ((f"dcteach exercises grade --no-sandbox --workers {args.workers}", plain),
                           (f"dcteach exercises grade (bubblewrap) --workers {args.workers}", sandboxed),
                           ("nbgrader autograde (serial)", autograde)):
        print(f"{label:<56}{seconds:>9.1f}{seconds / n:>12.2f}")
    sandbox_ratio, nbgrader_ratio = sandboxed / plain, sandboxed / autograde
    print(f"sandbox / no sandbox: {sandbox_ratio:.2f} (target <= 1.2: {'met' if sandbox_ratio <= 1.2 else 'NOT met'})")
    print(f"dcteach (sandboxed) / nbgrader autograde, per submission: {nbgrader_ratio:.2f} "
          f"(target < 1: {'met' if nbgrader_ratio < 1 else 'NOT met'})")


if __name__ == "__main__":
    main()
