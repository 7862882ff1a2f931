"""Grading 50 submissions with 2 workers vs. 50 sequential `jupyter nbconvert --execute` runs.

Both sides run the same 50 generated submissions of exercise ex04 (a mix of
correct, wrong and untouched answers) in the same run of this script. Target:
grading takes at most 0.75x the wall time of the sequential nbconvert runs.
Prints a table; makes no assertion on time.

    .venv/bin/python benchmarks/bench_grade.py [--n 50] [--workers 2]
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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


def make_submissions(folder: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    student = json.loads((ROOT / "exercises" / "student" / "ex04_instruments.ipynb").read_text("utf-8"))
    for i in range(n):
        nb = copy.deepcopy(student)
        for cell in nb["cells"]:
            options = ANSWERS.get(cell["metadata"]["dcteach"]["cell"])
            if options:
                choice = rng.choice(options)
                if choice is not None:
                    cell["source"] = choice
        (folder / f"student{i:02d}.ipynb").write_text(json.dumps(nb), "utf-8")


def time_grading(subs: Path, workers: int, out: Path) -> float:
    from dcteach.exercises.grade import grade_submissions

    start = time.perf_counter()
    rows = grade_submissions(subs, source=ROOT / "exercises" / "source", out=out, workers=workers,
                             timeout=60, progress_stream=io.StringIO())
    elapsed = time.perf_counter() - start
    assert len(rows) == len(list(subs.glob("*.ipynb")))
    return elapsed


def time_nbconvert(subs: Path, out_dir: Path) -> float:
    jupyter = Path(sys.executable).with_name("jupyter")
    start = time.perf_counter()
    for path in sorted(subs.glob("*.ipynb")):
        subprocess.run([str(jupyter), "nbconvert", "--to", "notebook", "--execute", "--allow-errors",
                        "--output-dir", str(out_dir), str(path)], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        tmp = Path(tmp)
        subs, converted = tmp / "subs", tmp / "nbconvert"
        subs.mkdir()
        converted.mkdir()
        make_submissions(subs, args.n)
        graded = time_grading(subs, args.workers, tmp / "grades.csv")
        sequential = time_nbconvert(subs, converted)
    ratio = graded / sequential
    print(f"{args.n} submissions of ex04, {os.cpu_count()} CPU(s)")
    print(f"{'method':<52}{'wall s':>9}{'s/notebook':>12}{'ratio':>8}")
    print(f"{'jupyter nbconvert --execute, one after another':<52}{sequential:>9.1f}{sequential / args.n:>12.2f}"
          f"{1:>8.2f}")
    print(f"{f'dcteach exercises grade --workers {args.workers}':<52}{graded:>9.1f}{graded / args.n:>12.2f}"
          f"{ratio:>8.2f}")
    print(f"target ratio <= 0.75: {'met' if ratio <= 0.75 else 'NOT met'}")


if __name__ == "__main__":
    main()
