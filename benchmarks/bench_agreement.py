"""Agreement between coders on 10,000 segments × 3 coders: target ≤ 1 s for all statistics.

Times :func:`dcteach.assessment.coder_agreement` (Cohen's κ for each of the
3 pairs, Fleiss' κ, Krippendorff's α) plus :func:`~dcteach.assessment.disagreements`
on a generated long codings table: 10,000 segments, 3 coders, the 32 codes
of the article's taxonomy plus 8 own codes, coders agreeing about 70 % of the
time, 5 % of the codings skipped. Best of ``--repeat`` runs. Prints the time
and its ratio to the 1 s target; makes no assertion (the machine may be shared).

    .venv/bin/python benchmarks/bench_agreement.py [--segments 10000] [--coders 3] [--repeat 5]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from dcteach.assessment import coder_agreement, disagreements

TARGET_S = 1.0


def codings(segments: int, coders: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    codes = np.array([f"EN-{i:02d}" for i in range(1, 8)] + [f"PA-{i:02d}" for i in range(1, 8)]
                     + ["CT-STR", "CT-CORE", "CT-KEY", "CT-LEAD", "CT-STD"]
                     + [f"CAP-{i:02d}" for i in range(1, 14)] + [f"MY-C-{i:02d}" for i in range(1, 9)])
    truth = rng.integers(0, len(codes), segments)
    frames = []
    for c in range(coders):
        given = np.where(rng.random(segments) < 0.7, truth, rng.integers(0, len(codes), segments))
        keep = rng.random(segments) >= 0.05
        frames.append(pd.DataFrame({"segment_id": [f"SEG-{i:05d}" for i in np.flatnonzero(keep)],
                                    "coder": f"Coder {chr(65 + c)}", "code": codes[given[keep]]}))
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--segments", type=int, default=10_000)
    ap.add_argument("--coders", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    table = codings(args.segments, args.coders)
    best = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        stats = coder_agreement(table)
        diffs = disagreements(table)
        best = min(best, time.perf_counter() - t0)
    print(stats[["statistic", "coders", "value", "units"]].to_string(index=False))
    print(f"{len(table):,} codings ({args.segments:,} segments × {args.coders} coders), "
          f"{len(diffs):,} segments with a disagreement")
    print(f"agreement: {best:.3f} s (best of {args.repeat}); target ≤ {TARGET_S:.1f} s; "
          f"ratio to target {best / TARGET_S:.2f} ({'met' if best <= TARGET_S else 'NOT met'})")


if __name__ == "__main__":
    main()
