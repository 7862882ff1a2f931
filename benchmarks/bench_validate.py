"""Benchmark: dcteach validate vs. frictionless validate vs. pandas.read_csv.

Generates synthetic data packages (10k, 100k and 1M rows; ``--quick``: 10k
only) with mixed types, a string primary key and a foreign key into a second
table, and injects errors into 0.1% of the rows, cycling through every kind
(type, enum, pattern, minimum, maximum, required, date, boolean, primary key,
foreign key, missing cell, extra cell). Each tool runs in its own fresh
process; the script prints recall of the injected errors, wall time and
memory as ratios. It prints, it never asserts: timings depend on the machine.

What is measured, per tool and size:

- time: wall-clock seconds of the call alone (``validate(folder)``,
  ``frictionless.validate(...)``, ``pandas.read_csv(...)``), imports excluded;
  dcteach and pandas run ``--repeat`` times (default 5), taking turns, and
  the fastest run of each counts, as ``timeit`` does, so that other load on
  the machine matters less and touches both alike;
  frictionless runs once (it takes minutes at 1M rows).
- peak RSS / CSV: the process's high-water resident memory (``VmHWM``,
  interpreter, pandas, pyarrow and every import included) over the CSV's size.
- growth / CSV: that high-water mark minus the resident memory just before
  the call (after the imports), over the CSV's size: the memory the
  validation itself needs. The issue's target "peak memory at most 5× the
  CSV's size" is checked against this one.

``--baseline DIR`` also times another copy of dcteach (e.g. ``git archive`` of the
previous commit unpacked in DIR) in the same turns, and prints after/before: the
way to check that a change does not slow the validator down.

    python benchmarks/bench_validate.py [--quick] [--sizes 10000,100000] [--repeat 5] [--frictionless-timeout 300] [--no-frictionless] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KINDS = ["type-integer", "type-number", "type-date", "type-boolean", "enum", "pattern",
         "minimum", "maximum", "required", "primary-key", "foreign-key", "missing-cell", "extra-cell"]
#: injected kind → (column, frictionless error class)
CLASS = {"type-integer": "type-error", "type-number": "type-error", "type-date": "type-error",
         "type-boolean": "type-error", "enum": "constraint-error", "pattern": "constraint-error",
         "minimum": "constraint-error", "maximum": "constraint-error", "required": "constraint-error",
         "primary-key": "primary-key", "foreign-key": "foreign-key", "missing-cell": "missing-cell",
         "extra-cell": "extra-cell"}

#: injected kind → (column index, bad value); missing/extra cells change the row's length
INJECT = {"type-integer": (1, "12a"), "type-number": (2, '"1,5"'),  # quoted: one cell, a decimal comma
          "type-date": (3, "2023-02-30"), "type-boolean": (5, "maybe"), "enum": (4, "omega"),
          "pattern": (6, "bad"), "minimum": (1, "-5"), "maximum": (1, "5000"), "required": (6, ""),
          "primary-key": (0, "IT-0000000"), "foreign-key": (8, "G-999")}

SCHEMA = {
    "primaryKey": ["id"],
    "foreignKeys": [{"fields": ["group_id"], "reference": {"resource": "groups", "fields": ["id"]}}],
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "count", "type": "integer", "constraints": {"minimum": 0, "maximum": 1000}},
        {"name": "price", "type": "number"},
        {"name": "day", "type": "date"},
        {"name": "kind", "type": "string", "constraints": {"enum": ["alpha", "beta", "gamma", "delta"]}},
        {"name": "flag", "type": "boolean"},
        {"name": "code", "type": "string", "constraints": {"required": True, "pattern": "[A-Z]{3}-[0-9]{2}"}},
        {"name": "note", "type": "string"},
        {"name": "group_id", "type": "string"},
    ],
}


def generate(folder: Path, n: int, seed: int = 7) -> set[tuple[int, str]]:
    """Write the package; return the injected (row number, error class) pairs."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    groups = [f"G-{i:03d}" for i in range(100)]
    with (folder / "groups.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write("id,name\n" + "".join(f"{g},Группа {g}\n" for g in groups))
    n_bad = max(len(KINDS), n // 1000)
    bad_rows = sorted(rng.sample(range(1, n), n_bad))  # never the first data row
    kind_of = {r: KINDS[i % len(KINDS)] for i, r in enumerate(bad_rows)}
    injected = set()
    kinds = ["alpha", "beta", "gamma", "delta"]
    lines = ["id,count,price,day,kind,flag,code,note,group_id\n"]
    for i in range(n):
        cells = [f"IT-{i:07d}", str(rng.randint(0, 1000)), f"{rng.random() * 1000:.2f}",
                 f"20{rng.randint(10, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                 kinds[i % 4], "true" if i % 3 else "false",
                 f"{chr(65 + i % 26)}{chr(65 + (i // 26) % 26)}X-{i % 100:02d}",
                 '"Таможня, note ' + str(i % 50) + '"' if i % 10 == 0 else f"note {i % 50}",
                 groups[i % 100]]
        kind = kind_of.get(i)
        if kind:
            injected.add((i + 2, CLASS[kind]))
            if kind == "missing-cell":
                cells = cells[:-1]
            elif kind == "extra-cell":
                cells.append("surplus")
            else:
                column, value = INJECT[kind]
                cells[column] = value
        lines.append(",".join(cells) + "\n")
        if len(lines) >= 100_000:
            with (folder / "items.csv").open("a", encoding="utf-8", newline="") as fh:
                fh.writelines(lines)
            lines = []
    with (folder / "items.csv").open("a", encoding="utf-8", newline="") as fh:
        fh.writelines(lines)
    (folder / "datapackage.json").write_text(json.dumps({
        "name": "bench", "resources": [
            {"name": "items", "path": "items.csv", "format": "csv", "encoding": "utf-8", "schema": SCHEMA},
            {"name": "groups", "path": "groups.csv", "format": "csv", "encoding": "utf-8",
             "schema": {"primaryKey": ["id"], "fields": [{"name": "id"}, {"name": "name"}]}},
        ]}), encoding="utf-8")
    return injected


CHILD = r'''
import json, sys, time, os
def rss(kind):
    for line in open("/proc/self/status"):
        if line.startswith(kind):
            return int(line.split()[1]) * 1024
tool, folder, out = sys.argv[1:4]
if tool == "dcteach":
    from dcteach.validate import validate, CODES
elif tool == "frictionless":
    import frictionless
else:
    import pandas as pd
base = rss("VmRSS:")
c0 = time.process_time()
t0 = time.perf_counter()
found = []
if tool == "dcteach":
    report = validate(folder)
    for e in report.errors:
        found.append((e.row, CODES[e.type]))
elif tool == "frictionless":
    os.chdir(folder)
    report = frictionless.validate("datapackage.json", limit_errors=10**9)
    for task in report.tasks:
        for e in task.errors:
            found.append((getattr(e, "row_number", None), e.type))
else:
    pd.read_csv(os.path.join(folder, "items.csv"), on_bad_lines="skip")
elapsed = time.perf_counter() - t0
cpu = time.process_time() - c0
json.dump({"time": elapsed, "cpu": cpu, "base": base, "peak": rss("VmHWM:"), "found": found}, open(out, "w"))
'''


def best_of(tools: tuple[str, ...], folder: Path, timeout: float, repeat: int) -> dict[str, dict | None]:
    """Run each tool *repeat* times, taking turns (so both see the same load on the machine).

    Per tool: the fastest run's time and found errors, the largest memory figures.
    """
    runs: dict[str, list[dict]] = {tool: [] for tool in tools}
    for _ in range(max(1, repeat)):
        for tool in tools:
            r = run_child(tool, folder, timeout)
            if r:
                runs[tool].append(r)
    out: dict[str, dict | None] = {}
    for tool, rs in runs.items():
        if not rs:
            out[tool] = None
            continue
        best = min(rs, key=lambda r: r["time"])
        out[tool] = dict(best, cpu=min(r.get("cpu", r["time"]) for r in rs), peak=max(r["peak"] for r in rs),
                         growth=max(r["peak"] - r["base"] for r in rs), runs=len(rs))
    return out


#: set by --baseline: the folder holding the other copy of dcteach
BASELINE: str | None = None


def run_child(tool: str, folder: Path, timeout: float) -> dict | None:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = fh.name
    env = dict(os.environ)
    if tool == "baseline":
        env["PYTHONPATH"] = BASELINE + os.pathsep + env.get("PYTHONPATH", "")
        tool = "dcteach"
    proc = subprocess.Popen([sys.executable, "-c", CHILD, tool, str(folder), out], env=env)
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            os.unlink(out)
            return None
        time.sleep(0.05)
    try:
        with open(out) as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None
    finally:
        if os.path.exists(out):
            os.unlink(out)


def recall(injected: set, found: list) -> tuple[float, int]:
    got = {(r, c) for r, c in found}
    hit = len(injected & got)
    return hit / len(injected), len(got - injected)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10k rows only")
    ap.add_argument("--sizes", default=None, help="comma-separated row counts")
    ap.add_argument("--frictionless-timeout", type=float, default=300.0,
                    help="seconds before frictionless is given up at a size (default 300)")
    ap.add_argument("--repeat", type=int, default=5,
                    help="runs of dcteach and pandas per size, taking turns; the fastest counts (default 5)")
    ap.add_argument("--no-frictionless", action="store_true", help="skip frictionless (faster)")
    ap.add_argument("--baseline", metavar="DIR", default=None,
                    help="also time the dcteach found in DIR (another version), taking turns; prints after/before")
    args = ap.parse_args(argv)
    global BASELINE
    BASELINE = args.baseline
    sizes = [10_000] if args.quick else [10_000, 100_000, 1_000_000]
    if args.sizes:
        sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            folder = Path(tmp) / f"pkg{n}"
            injected = generate(folder, n)
            size = (folder / "items.csv").stat().st_size
            res = best_of(("pandas", "dcteach") + (("baseline",) if BASELINE else ()), folder, 1800, args.repeat)
            res["frictionless"] = (None if args.no_frictionless else
                                   run_child("frictionless", folder, args.frictionless_timeout))
            rows.append((n, size, injected, res))
            print(f"  measured {n:,} rows", file=sys.stderr, flush=True)
    print()
    print(f"dcteach validate vs frictionless {_version('frictionless')} vs pandas.read_csv "
          f"(pandas {_version('pandas')}, pyarrow {_version('pyarrow')}); {os.cpu_count()} cores, "
          f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    print("0.1% of rows carry one injected error each, cycling through "
          f"{len(KINDS)} kinds: {', '.join(KINDS)}")
    print(f"time: fastest of {args.repeat} runs taking turns (dcteach, pandas), one run (frictionless); "
          "memory: largest of the runs")
    print()
    head = ("rows", "CSV MB", "errors", "recall dc", "recall fl", "extra dc", "dc s", "fl s", "pandas s",
            "fl/dc (≥10×)", "dc/pandas (≤3×)", "dc growth/CSV (≤5×)", "dc peak RSS/CSV",
            "pandas growth/CSV", "pandas peak RSS/CSV")
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    verdicts = []
    for n, size, injected, res in rows:
        dc, fl, pdr = res["dcteach"], res["frictionless"], res["pandas"]
        if dc is None or pdr is None:
            print(f"| {n:,} | dcteach or pandas failed |")
            continue
        rdc, extra = recall(injected, dc["found"])
        if fl:
            rfl, fl_s, ratio = f"{recall(injected, fl['found'])[0]:.1%}", f"{fl['time']:.2f}", fl["time"] / dc["time"]
            ratio_s = f"{ratio:.1f}×"
        elif args.no_frictionless:
            rfl, fl_s, ratio, ratio_s = "skipped", "–", None, "–"
        else:
            rfl, fl_s = "timeout", f">{args.frictionless_timeout:.0f}"
            ratio = args.frictionless_timeout / dc["time"]
            ratio_s = f">{ratio:.0f}×"
        vs_pandas = dc["time"] / pdr["time"]
        growth = dc["growth"] / size
        print("| " + " | ".join([
            f"{n:,}", f"{size / 1e6:.1f}", f"{len(injected):,}", f"{rdc:.1%}", rfl, str(extra),
            f"{dc['time']:.2f}", fl_s, f"{pdr['time']:.2f}", ratio_s, f"{vs_pandas:.2f}×",
            f"{growth:.1f}×", f"{dc['peak'] / size:.1f}×",
            f"{pdr['growth'] / size:.1f}×", f"{pdr['peak'] / size:.1f}×"]) + " |")
        if n == max(r[0] for r in rows):
            verdicts = [
                ("recall 100%, no false findings", rdc == 1.0 and extra == 0),
                ("≥10× faster than frictionless", None if ratio is None else ratio >= 10),
                ("≤3× the time of pandas.read_csv", vs_pandas <= 3),
                ("memory growth ≤5× the CSV", growth <= 5),
            ]
    print("\nrecall: share of injected (row, error class) found; extra dc: findings that were not injected.")
    print("growth/CSV = (high-water RSS − RSS just before the call) / CSV size: the memory the call needs;"
          " the ≤5× target applies to it.")
    print("peak RSS/CSV = high-water RSS of the whole process (interpreter and imports included) / CSV size.")
    if BASELINE:
        print(f"\nbaseline ({BASELINE}) vs this copy, same files, same turns:")
        for n, size, injected, res in rows:
            base, dc = res.get("baseline"), res["dcteach"]
            if base and dc:
                print(f"  {n:,} rows: wall before {base['time']:.3f} s, after {dc['time']:.3f} s, "
                      f"after/before {dc['time'] / base['time']:.3f}×; CPU (all threads) before {base['cpu']:.3f} s, "
                      f"after {dc['cpu']:.3f} s, after/before {dc['cpu'] / base['cpu']:.3f}×; recall before "
                      f"{recall(injected, base['found'])[0]:.1%}, after {recall(injected, dc['found'])[0]:.1%}")
    if verdicts:
        print(f"\ntargets at {max(r[0] for r in rows):,} rows: " + "; ".join(
            f"{name}: {'n/a' if ok is None else 'met' if ok else 'NOT met'}" for name, ok in verdicts))
    return 0


def _version(name: str) -> str:
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
