"""Wall time of the course's nbval run, against the 60 s target (prints only).

Runs, in a subprocess and exactly as CI does,

    python -m pytest --nbval --nbval-current-env \
        --nbval-sanitize-with tests/nbval_sanitize.cfg notebooks/ -q --durations=0

then prints the total wall time, its ratio to the target, and a per-notebook
breakdown taken from pytest's ``--durations`` report of the same run (kernel
start and imports are in each notebook's first cell), with a subtotal per
language: the English source notebooks (``notebooks/*.ipynb``) and each
translation (``notebooks/<lang>/*.ipynb``, e.g. ``ru``). The 60 s target is for
all languages together. No assertion is made on
time: this script measures, the test suite checks correctness.

Usage: python benchmarks/bench_notebooks.py [--repeat N]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_S = 60.0
_DURATION = re.compile(r"^\s*([\d.]+)s\s+(setup|call|teardown)\s+(\S+?\.ipynb)::")
_SUMMARY = re.compile(r"(\d+) passed|(\d+) failed|(\d+) errors?")


def _relative(path: str) -> str:
    parts = Path(path).parts
    return "/".join(parts[parts.index("notebooks") + 1:]) if "notebooks" in parts else Path(path).name


def language(name: str) -> str:
    """``en`` for a source notebook, else the folder of the translation.

    >>> language("00_start_here.ipynb"), language("ru/00_start_here.ipynb")
    ('en', 'ru')
    """
    return name.split("/")[0] if "/" in name else "en"


def run_once() -> tuple[float, int, dict[str, float], str]:
    cmd = [
        sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env",
        "--nbval-sanitize-with", "tests/nbval_sanitize.cfg", "notebooks/",
        "-q", "-p", "no:cacheprovider", "--durations=0", "--durations-min=0",
    ]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - start
    per_notebook: dict[str, float] = defaultdict(float)
    for line in proc.stdout.splitlines():
        m = _DURATION.match(line)
        if m:
            per_notebook[_relative(m.group(3))] += float(m.group(1))
    tail = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr[-200:]
    return wall, proc.returncode, dict(per_notebook), tail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs to make (the table shows each and the best)")
    args = parser.parse_args(argv)

    runs = [run_once() for _ in range(max(1, args.repeat))]
    best = min(runs, key=lambda r: r[0])

    print(f"nbval run of notebooks/, all languages (target {TARGET_S:.0f} s)")
    print(f"{'run':>4} {'wall s':>8} {'ratio':>7}  exit  pytest summary")
    for i, (wall, code, _, tail) in enumerate(runs, 1):
        print(f"{i:>4} {wall:8.1f} {wall / TARGET_S:7.2f}  {code:>4}  {tail}")
    wall, code, per_nb, _ = best
    print()
    print(f"{'notebook':<44} {'seconds':>8} {'share':>6}")
    total_items = sum(per_nb.values()) or 1.0
    for name, secs in sorted(per_nb.items()):
        print(f"{name:<44} {secs:8.1f} {secs / total_items:6.0%}")
    by_lang: dict[str, float] = defaultdict(float)
    for name, secs in per_nb.items():
        by_lang[language(name)] += secs
    for lang, secs in sorted(by_lang.items()):
        print(f"{'subtotal ' + lang + ' (' + str(sum(language(n) == lang for n in per_nb)) + ' notebooks)':<44} {secs:8.1f}")
    overhead = wall - sum(per_nb.values())
    print(f"{'(pytest start, collection, other)':<44} {overhead:8.1f}")
    print(f"{'total (best run)':<44} {wall:8.1f}   ratio to target {wall / TARGET_S:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
