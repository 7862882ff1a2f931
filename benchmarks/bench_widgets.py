"""Widget redraw times as ratios to the targets of issue 3 (prints a table; asserts nothing).

- InstrumentExplorer: a filter change → re-render, core data (target 50 ms median)
  and 10,000 synthetic instruments (target 200 ms median);
- SelfAssessment: a slider change → radar redraw, PNG included (target 100 ms median);
  for information, a name change, which redraws the whole radar (the legend changes).

Run: ``.venv/bin/python benchmarks/bench_widgets.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import dcteach as dc  # noqa: E402
from dcteach.widgets import InstrumentExplorer, SelfAssessment  # noqa: E402


def synthetic(n: int) -> pd.DataFrame:
    base = dc.load_dataset("instruments")
    big = pd.concat([base] * int(np.ceil(n / len(base))), ignore_index=True).iloc[:n].copy()
    big["id"] = [f"INS-X{i:05d}" for i in range(n)]
    return big


def median_ms(action, values, runs: int) -> float:
    times = []
    for k in range(runs):
        value = values[k % len(values)]
        t = time.perf_counter()
        action(value)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def explorer_case(instruments, runs):
    ex = InstrumentExplorer(lang="en", instruments=instruments)
    groups = [None, "strategic", "political_legal", "operational"]
    return median_ms(lambda v: setattr(ex.group_select, "value", v), groups[1:] + [None], runs)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=41)
    args = parser.parse_args(argv)
    rows = []
    rows.append(("InstrumentExplorer filter change, core (24)", explorer_case(None, args.runs), 50))
    rows.append(("InstrumentExplorer filter change, 10,000 synthetic", explorer_case(synthetic(10_000), args.runs), 200))
    sa = SelfAssessment(lang="en")
    rows.append(("SelfAssessment slider change → radar redraw", median_ms(
        lambda v: setattr(sa.sliders["EN-01"], "value", v), [1, 2, 3, 4, 0], args.runs), 100))
    rows.append(("SelfAssessment name change → full radar redraw", median_ms(
        lambda v: setattr(sa.name_box, "value", v), ["A", "AB", "ABC", ""], args.runs), 100))
    tx = InstrumentExplorer(lang="ru", instruments=synthetic(10_000))
    rows.append(("InstrumentExplorer text search, 10,000 synthetic", median_ms(
        lambda v: setattr(tx.text_box, "value", v), ["data", "таможен", "customs guide", ""], args.runs), 200))
    width = max(len(r[0]) for r in rows)
    print(f"{'case':<{width}}  {'median ms':>9}  {'target ms':>9}  {'ratio':>6}")
    for name, ms, target in rows:
        print(f"{name:<{width}}  {ms:9.1f}  {target:9d}  {ms / target:6.2f}")
    print(f"(median of {args.runs} runs each; ratio ≤ 1.00 meets the target)")


if __name__ == "__main__":
    main()
