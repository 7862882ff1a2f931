"""Import cost of dcteach and time to load every table, as ratios.

Targets (issue 2): ``import dcteach`` at most 1.2x ``import pandas``;
loading all tables at most 100 ms after import. Each measurement runs in a
fresh interpreter (so nothing is cached), N times; the table shows medians.
Run: ``.venv/bin/python benchmarks/bench_import.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

SNIPPETS = {
    "python -c pass": "import time; t=time.perf_counter(); print(json.dumps(time.perf_counter()-t))",
    "import pandas": "import time; t=time.perf_counter(); import pandas; print(json.dumps(time.perf_counter()-t))",
    "import dcteach": "import time; t=time.perf_counter(); import dcteach; print(json.dumps(time.perf_counter()-t))",
    "load all tables (after import)": (
        "import dcteach as dc, time; t=time.perf_counter();"
        " [dc.load_dataset(n) for n in dc.list_datasets()]; print(json.dumps(time.perf_counter()-t))"
    ),
    "load all tables, lang=ru (after import)": (
        "import dcteach as dc, time; t=time.perf_counter();"
        " [dc.load_dataset(n, lang='ru') for n in dc.list_datasets()]; print(json.dumps(time.perf_counter()-t))"
    ),
}


def wall(code: str, runs: int) -> float:
    """Median wall time of a whole interpreter run (start-up included)."""
    import time

    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def inner(code: str, runs: int) -> float:
    """Median of the time the snippet itself measures, each in a fresh interpreter."""
    out = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-c", "import json\n" + code], check=True, capture_output=True, text=True)
        out.append(json.loads(proc.stdout))
    return statistics.median(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=7)
    runs = ap.parse_args().runs
    res = {name: inner(code, runs) for name, code in SNIPPETS.items()}
    whole = {name: wall(f"import {mod}", runs) for name, mod in (("pandas", "pandas"), ("dcteach", "dcteach"))}
    pandas = res["import pandas"]
    print(f"dcteach import and load benchmark ({runs} fresh interpreters each, medians)\n")
    print(f"{'measurement':<42} {'seconds':>9} {'ratio':>22} {'target':>8}")
    print("-" * 86)
    print(f"{'import pandas':<42} {pandas:9.3f} {'1.00 x import pandas':>22} {'':>8}")
    r = res["import dcteach"] / pandas
    print(f"{'import dcteach':<42} {res['import dcteach']:9.3f} {r:17.2f} x pd {'<= 1.20':>8}  {'OK' if r <= 1.2 else 'MISSED'}")
    r = whole["dcteach"] / whole["pandas"]
    print(f"{'python -c import dcteach (whole process)':<42} {whole['dcteach']:9.3f} {r:17.2f} x pd {'':>8}")
    for key in ("load all tables (after import)", "load all tables, lang=ru (after import)"):
        v = res[key]
        print(f"{key:<42} {v:9.3f} {v / 0.100:15.2f} x 100ms {'<= 1.00':>8}  {'OK' if v <= 0.1 else 'MISSED'}")
    mods = subprocess.run(
        [sys.executable, "-c", "import sys, dcteach; print(sorted(m for m in ('matplotlib','ipywidgets','IPython','jsonschema') if m in sys.modules))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    print(f"\nheavy modules imported by `import dcteach`: {mods}")


if __name__ == "__main__":
    main()
