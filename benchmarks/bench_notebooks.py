"""Wall and CPU time of the course's nbval run, against the 60 s target (prints only).

Runs, in a subprocess, the pytest command of ``make test`` (its flags are read
from the Makefile's ``test`` recipe, so parallel workers count as they do
there) on ``notebooks/`` only: every notebook of every language, each in its
own kernel, every cell run and compared. It prints

* per run: the wall time, the CPU time of the whole process tree (pytest, its
  workers, every kernel), their ratio (about 2 when two cores are busy), and the
  wall time's ratio to the target;
* per notebook (from the best run): its wall time (kernel start to stop), the
  CPU time of its kernel and of the pytest process serving it, and a subtotal
  per language (``notebooks/*.ipynb`` is ``en``, ``notebooks/<lang>/`` the
  translations; the 60 s target is for all languages together);
* the floor on this machine: the CPU time divided by its cores, i.e. the wall
  time with every core free and busy all the time;
* the machine's load average before and after (other work slows the wall time,
  not the CPU time: compare runs made side by side);
* with ``--cells N``, the N most expensive cells.

``--checkout DIR`` measures another checkout (e.g. an older commit unpacked with
``git archive``) with this script, for before/after figures made side by side;
``--serial`` drops the parallel workers. No assertion is made on time: this script
measures, the test suite checks correctness.

Usage: python benchmarks/bench_notebooks.py [--repeat N] [--checkout DIR] [--serial] [--cells N]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TARGET_S = 60.0
_SUMMARY = re.compile(r"\d+ (passed|failed|errors?)\b")
#: flags of `make test` that select parallel workers (dropped by --serial)
_PARALLEL = re.compile(r"^(-n|--numprocesses|--dist|--maxprocesses)(=.*)?$")


def language(name: str) -> str:
    """``en`` for a source notebook, else the folder of the translation.

    >>> language("00_start_here.ipynb"), language("ru/00_start_here.ipynb")
    ('en', 'ru')
    """
    return name.split("/")[0] if "/" in name else "en"


def make_test_flags(makefile: Path) -> list[str]:
    """The pytest flags of the Makefile's ``test`` recipe (``$(ARGS)`` dropped).

    >>> import tempfile, pathlib
    >>> mk = pathlib.Path(tempfile.mkdtemp()) / "Makefile"
    >>> _ = mk.write_text("test: x\\n\\t$(BIN)/python -m pytest -n auto --nbval $(ARGS)\\n")
    >>> make_test_flags(mk)
    ['-n', 'auto', '--nbval']
    """
    lines = makefile.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("test:"):
            for recipe in lines[i + 1:]:
                if not recipe.startswith("\t"):
                    break
                words = shlex.split(recipe.strip())
                if "pytest" in words:
                    return [w for w in words[words.index("pytest") + 1:] if w != "$(ARGS)"]
    raise SystemExit(f"{makefile}: no `python -m pytest` line in the `test` recipe; "
                     "run this script from a checkout whose Makefile has one")


def _relative(path: str, checkout: Path) -> str:
    try:
        return Path(path).resolve().relative_to((checkout / "notebooks").resolve()).as_posix()
    except ValueError:
        return Path(path).name


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(checkout: Path, flags: list[str], paths: list[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-nb-") as profile:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(checkout), str(HERE), env.get("PYTHONPATH")]))
        env["DCTEACH_NBPROFILE"] = profile
        cmd = [sys.executable, "-m", "pytest", *flags, *paths, "-q", "-p", "no:cacheprovider",
               "-p", "_nbprofile", "--durations=0", "--durations-min=0"]
        load_before = os.getloadavg()
        cpu0, start = _children_cpu(), time.perf_counter()
        proc = subprocess.run(cmd, cwd=checkout, env=env, capture_output=True, text=True)
        wall, cpu = time.perf_counter() - start, _children_cpu() - cpu0
        records = [json.loads(line) for f in sorted(Path(profile).glob("*.jsonl"))
                   for line in f.read_text(encoding="utf-8").splitlines()]
    notebooks: dict[str, dict] = defaultdict(lambda: {"wall": 0.0, "pytest_cpu": 0.0, "kernel_cpu": 0.0})
    cells = []
    for r in records:
        name = _relative(r["file"], checkout)
        if r["kind"] == "item":
            nb = notebooks[name]
            nb["wall"] += r["wall"]
            nb["pytest_cpu"] += r["cpu"]
            nb["kernel_cpu"] += r["kernel_cpu"]
            cells.append((r["cpu"] + r["kernel_cpu"], r["wall"], f"{name}::{r['name']}"))
    summary = [line for line in proc.stdout.splitlines() if _SUMMARY.search(line)]
    tail = summary[-1].strip("= ") if summary else (proc.stdout.strip() or proc.stderr.strip())[-300:]
    return {"wall": wall, "cpu": cpu, "code": proc.returncode, "tail": tail, "notebooks": dict(notebooks),
            "cells": sorted(cells, reverse=True), "load": (load_before, os.getloadavg()), "cmd": cmd}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs to make (the table shows each; details of the best)")
    parser.add_argument("--checkout", type=Path, default=REPO, help="the checkout to measure (default: this one)")
    parser.add_argument("--serial", action="store_true", help="without the parallel workers of `make test`")
    parser.add_argument("--cells", type=int, default=0, metavar="N", help="also list the N most expensive cells")
    parser.add_argument("paths", nargs="*", default=["notebooks/"], help="what to run (default: notebooks/)")
    args = parser.parse_args(argv)
    checkout = args.checkout.resolve()
    flags = make_test_flags(checkout / "Makefile")
    if args.serial:
        flags = [f for i, f in enumerate(flags)
                 if not _PARALLEL.match(f) and not (i and flags[i - 1] in ("-n", "--numprocesses", "--dist", "--maxprocesses"))]
    cores = os.cpu_count() or 1

    runs = [run_once(checkout, flags, args.paths) for _ in range(max(1, args.repeat))]
    best = min(runs, key=lambda r: r["wall"])
    print(f"nbval run of {' '.join(args.paths)} in {checkout}, all languages (target {TARGET_S:.0f} s, {cores} cores)")
    print("command: " + " ".join(shlex.quote(c) for c in best["cmd"][1:]))
    print(f"{'run':>4} {'wall s':>8} {'CPU s':>8} {'CPU/wall':>8} {'wall/target':>11} {'load before→after':>19}  exit  pytest summary")
    for i, r in enumerate(runs, 1):
        load = f"{r['load'][0][0]:.1f}→{r['load'][1][0]:.1f}"
        print(f"{i:>4} {r['wall']:8.1f} {r['cpu']:8.1f} {r['cpu'] / r['wall']:8.2f} {r['wall'] / TARGET_S:11.2f}"
              f" {load:>19}  {r['code']:>4}  {r['tail']}")
    print()
    print(f"{'notebook':<46} {'wall s':>7} {'kernel CPU':>10} {'pytest CPU':>10} {'CPU s':>7}")
    per_nb = best["notebooks"]
    by_lang: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0, 0])
    for name, nb in sorted(per_nb.items(), key=lambda kv: (language(kv[0]) != "en", kv[0])):
        total = nb["kernel_cpu"] + nb["pytest_cpu"]
        print(f"{name:<46} {nb['wall']:7.1f} {nb['kernel_cpu']:10.1f} {nb['pytest_cpu']:10.1f} {total:7.1f}")
        acc = by_lang[language(name)]
        for k, v in enumerate((nb["wall"], nb["kernel_cpu"], nb["pytest_cpu"], total)):
            acc[k] += v
        acc[4] += 1
    for lang, (wall, kcpu, pcpu, total, n) in sorted(by_lang.items()):
        print(f"{'subtotal ' + lang + f' ({n} notebooks)':<46} {wall:7.1f} {kcpu:10.1f} {pcpu:10.1f} {total:7.1f}")
    nb_cpu = sum(v[3] for v in by_lang.values())
    n_nb = sum(v[4] for v in by_lang.values()) or 1
    print(f"{'all notebooks':<46} {sum(v[0] for v in by_lang.values()):7.1f} {'':>10} {'':>10} {nb_cpu:7.1f}")
    print(f"{'(pytest start, collection, workers, other)':<46} {'':>7} {'':>10} {'':>10} {best['cpu'] - nb_cpu:7.1f}")
    print()
    print(f"total wall (best run) {best['wall']:.1f} s, ratio to target {best['wall'] / TARGET_S:.2f}")
    print(f"total CPU {best['cpu']:.1f} s = {best['cpu'] / n_nb:.1f} s per notebook x {n_nb};"
          f" floor on {cores} free cores {best['cpu'] / cores:.1f} s, ratio to target {best['cpu'] / cores / TARGET_S:.2f}")
    if args.cells:
        print(f"\n{'most expensive cells':<70} {'CPU s':>7} {'wall s':>7}")
        for cpu, wall, name in best["cells"][: args.cells]:
            print(f"{name:<70} {cpu:7.2f} {wall:7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
