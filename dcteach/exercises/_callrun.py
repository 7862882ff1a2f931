"""Call a student's function answer in a fresh process (run inside the sandbox by the grader).

``python -m dcteach.exercises._callrun WORKDIR`` reads ``WORKDIR/call.json``
(``setup``: the lecturer's setup cells, ``answer``: the student's answer
cells, ``name``: the function, ``datasets``: its arguments), loads the course
data **before** any student code runs, runs the cells, calls the function on
the data and on a changed copy (:func:`changed_copy`), and writes the tagged
results to ``WORKDIR/call-result.json``. Nothing else of the student's
notebook is here, so nothing it did elsewhere can change what the function
returns.

>>> import pandas as pd
>>> list(changed_copy(pd.DataFrame({"a": range(6)}))["a"])
[0, 2, 3, 5]
"""

from __future__ import annotations

import json
import os
import sys

__all__ = ["changed_copy", "main"]


def changed_copy(frame):
    """The changed copy a function answer is also called on: every third row (from the second) dropped."""
    keep = [i for i in range(len(frame)) if i % 3 != 1]
    return frame.iloc[keep].reset_index(drop=True)


def _transform(source: str) -> str:
    if any(line.lstrip().startswith(("%", "!")) for line in source.splitlines()):
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(source)
    return source


def main(workdir: str) -> int:
    with open(os.path.join(workdir, "call.json"), encoding="utf-8") as stream:
        call = json.load(stream)
    import dcteach
    from dcteach.exercises._serial import encode

    originals = [dcteach.load_dataset(name) for name in call["datasets"]]
    variants = {"data": [f.copy() for f in originals]}
    if call.get("changed"):
        variants["changed"] = [changed_copy(f) for f in originals]
    namespace: dict = {"__name__": "__main__"}
    out: dict = {}
    try:
        for index, source in enumerate(call["setup"] + call["answer"]):
            exec(compile(_transform(source), f"<cell {index + 1}>", "exec"), namespace)  # noqa: S102
    except BaseException as exc:  # noqa: BLE001 - the student's cell failed: say which error
        out["error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
    function = namespace.get(call["name"])
    for label, frames in variants.items():
        if "error" in out:
            break
        if not callable(function):
            out[label] = {"state": "missing"}
            continue
        try:
            out[label] = {"state": "value", "value": encode(function(*frames))}
        except NotImplementedError:
            out[label] = {"state": "stub"}
        except BaseException as exc:  # noqa: BLE001
            out[label] = {"state": "raised", "ename": type(exc).__name__, "evalue": str(exc)[:200]}
    with open(os.path.join(workdir, "call-result.json"), "w", encoding="utf-8") as stream:
        json.dump(out, stream)
    return 0


if __name__ == "__main__":  # pragma: no cover - run by the grader in a sandbox
    sys.exit(main(sys.argv[1]))
