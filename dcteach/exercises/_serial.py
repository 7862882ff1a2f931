"""Answers out of a kernel as JSON with type tags (never pickle), and back.

The grader asks the student's kernel for each answer with :func:`encode`,
reads the JSON after the kernel has ended and rebuilds plain values with
:func:`decode` in its own process, where it judges them. Only data comes out:
numbers, strings, lists, tuples, sets, dicts, pandas frames, series and
indexes, numpy arrays and scalars, dates. A function becomes a tag with its
name and source (the grader calls it elsewhere); anything else becomes
``{"t": "other", "type": ...}``, which judges as a wrong type.

This module has no import of dcteach or pandas at module level: the kernel side
(:func:`dump`) runs before anything else of the grader is trusted.

>>> decode(json.loads(json.dumps(encode({"a": {1, 2}, "b": (None, 2.5, ...)}))))
{'a': {1, 2}, 'b': (None, 2.5, Ellipsis)}
>>> decode(encode(float("nan")))
nan
>>> encode(len)["t"]
'function'
"""

from __future__ import annotations

import json
import math

__all__ = ["MAX_ITEMS", "decode", "dump", "encode", "is_thunk", "short_repr"]

#: cap on items per container (a bigger answer is cut and tagged)
MAX_ITEMS = 100_000
_MAX_DEPTH = 20


def is_thunk(value) -> bool:
    """True for a function that takes no arguments (``lambda: plan(EXAMPLE_A)``).

    A question without ``call`` that gets such a function checks what it
    returns: the self-check and the grader call it the same way, and a stub
    raising ``NotImplementedError`` inside counts as not attempted.

    >>> is_thunk(lambda: 1), is_thunk(lambda x: x), is_thunk(len), is_thunk(int), is_thunk(3)
    (True, False, False, False, False)
    """
    import inspect

    if not callable(value) or isinstance(value, type):
        return False
    try:
        inspect.signature(value).bind()
    except (TypeError, ValueError):
        return False
    return True


def _float(value: float) -> dict:
    if math.isnan(value):
        return {"t": "float", "v": "nan"}
    if math.isinf(value):
        return {"t": "float", "v": "inf" if value > 0 else "-inf"}
    return {"t": "float", "v": value}


def encode(value, _depth: int = 0) -> dict:
    """Describe ``value`` as JSON-able data with type tags."""
    if _depth > _MAX_DEPTH:
        return {"t": "other", "type": "too deeply nested"}
    if value is None:
        return {"t": "none"}
    if value is Ellipsis:
        return {"t": "ellipsis"}
    if isinstance(value, bool):
        return {"t": "bool", "v": value}
    if isinstance(value, int):
        return {"t": "int", "v": str(value)} if abs(value) > 2**53 else {"t": "int", "v": value}
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return {"t": "str", "v": value[:1_000_000]}
    kind = type(value).__module__.split(".")[0] + "." + type(value).__name__
    if isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)[:MAX_ITEMS]
        tag = {list: "list", tuple: "tuple", set: "set", frozenset: "set"}.get(type(value), None)
        if tag is None:  # subclasses: judged as their base
            tag = "list" if isinstance(value, list) else "tuple" if isinstance(value, tuple) else "set"
        return {"t": tag, "v": [encode(i, _depth + 1) for i in items]}
    if isinstance(value, dict):
        items = list(value.items())[:MAX_ITEMS]
        return {"t": "dict", "v": [[encode(k, _depth + 1), encode(v, _depth + 1)] for k, v in items]}
    if kind.startswith("numpy."):
        import numpy as np

        if isinstance(value, np.bool_):
            return {"t": "bool", "v": bool(value)}
        if isinstance(value, np.integer):
            return encode(int(value), _depth)
        if isinstance(value, np.floating):
            return _float(float(value))
        if isinstance(value, np.ndarray):
            return {"t": "list", "v": [encode(i, _depth + 1) for i in value.tolist()[:MAX_ITEMS]]}
        if isinstance(value, np.str_):
            return encode(str(value), _depth)
    if kind.startswith("pandas."):
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return {"t": "none"}
        if isinstance(value, pd.DataFrame):
            head = value.iloc[:MAX_ITEMS]
            return {"t": "frame", "columns": [encode(c, _depth + 1) for c in head.columns],
                    "index": [encode(i, _depth + 1) for i in head.index.tolist()],
                    "rows": [[encode(v, _depth + 2) for v in row] for row in head.itertuples(index=False)]}
        if isinstance(value, pd.Series):
            head = value.iloc[:MAX_ITEMS]
            return {"t": "series", "name": encode(value.name, _depth + 1),
                    "index": [encode(i, _depth + 1) for i in head.index.tolist()],
                    "v": [encode(v, _depth + 1) for v in head.tolist()]}
        if isinstance(value, pd.Index):
            return {"t": "list", "v": [encode(i, _depth + 1) for i in value.tolist()[:MAX_ITEMS]]}
        if isinstance(value, pd.Timestamp):
            return {"t": "datetime", "v": value.isoformat()}
    import datetime

    if isinstance(value, datetime.datetime):
        return {"t": "datetime", "v": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"t": "date", "v": value.isoformat()}
    if callable(value) and not isinstance(value, type):
        name = getattr(value, "__name__", "")
        return {"t": "function", "name": name if isinstance(name, str) else ""}
    return {"t": "other", "type": type(value).__name__}


class _Opaque:
    """A value that came out as a type the grader does not rebuild."""

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


class FunctionAnswer:
    """A function answer: the grader calls it in a sandbox of its own."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"<function {self.name}>"


def decode(data, _depth: int = 0):
    """Rebuild a value from :func:`encode`'s output (a malformed part decodes as an opaque value)."""
    if _depth > _MAX_DEPTH + 2 or not isinstance(data, dict):
        return _Opaque("malformed")
    tag, v = data.get("t"), data.get("v")
    try:
        if tag == "none":
            return None
        if tag == "ellipsis":
            return Ellipsis
        if tag == "bool" and isinstance(v, bool):
            return v
        if tag == "int" and isinstance(v, (int, str)) and not isinstance(v, bool):
            return int(v)
        if tag == "float":
            return float(v) if isinstance(v, (int, float, str)) and not isinstance(v, bool) else _Opaque("malformed")
        if tag == "str" and isinstance(v, str):
            return v
        if tag in ("list", "tuple", "set") and isinstance(v, list):
            items = [decode(i, _depth + 1) for i in v[:MAX_ITEMS]]
            if tag == "set":
                try:
                    return set(items)
                except TypeError:
                    return _Opaque("set")
            return items if tag == "list" else tuple(items)
        if tag == "dict" and isinstance(v, list):
            out = {}
            for pair in v[:MAX_ITEMS]:
                if isinstance(pair, list) and len(pair) == 2:
                    key = decode(pair[0], _depth + 1)
                    try:
                        out[key] = decode(pair[1], _depth + 1)
                    except TypeError:
                        return _Opaque("dict")
            return out
        if tag in ("date", "datetime") and isinstance(v, str):
            import pandas as pd

            return pd.Timestamp(v).date() if tag == "date" else pd.Timestamp(v)
        if tag == "frame":
            import pandas as pd

            columns = [decode(c, _depth + 1) for c in data.get("columns", [])][:10_000]
            rows = [[decode(x, _depth + 2) for x in row][: len(columns)] for row in data.get("rows", [])[:MAX_ITEMS]]
            index = [decode(i, _depth + 1) for i in data.get("index", [])][: len(rows)]
            return pd.DataFrame(rows, columns=columns, index=index if len(index) == len(rows) else None)
        if tag == "series":
            import pandas as pd

            values = [decode(x, _depth + 1) for x in data.get("v", [])[:MAX_ITEMS]]
            index = [decode(i, _depth + 1) for i in data.get("index", [])][: len(values)]
            return pd.Series(values, index=index if len(index) == len(values) else None,
                             name=decode(data.get("name", {"t": "none"}), _depth + 1), dtype=object)
        if tag == "function":
            return FunctionAnswer(str(data.get("name", ""))[:100])
        if tag == "other":
            return _Opaque(str(data.get("type", "object"))[:100])
    except (TypeError, ValueError, OverflowError):
        pass
    return _Opaque("malformed")


def short_repr(value, limit: int = 300) -> str:
    """A one-line picture of a decoded answer for feedback, at most ``limit`` characters.

    >>> short_repr({"b", "a"})
    "{'a', 'b'}"
    """
    if isinstance(value, (set, frozenset)):
        try:
            text = "{" + ", ".join(repr(v) for v in sorted(value, key=repr)) + "}"
        except TypeError:
            text = repr(value)
    else:
        try:
            import pandas as pd

            if isinstance(value, (pd.DataFrame, pd.Series)):
                text = f"<{type(value).__name__} of {len(value)} rows>"
            else:
                text = repr(value)
        except Exception:  # noqa: BLE001 - a picture must never fail
            text = f"<{type(value).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def dump(answers: dict, path: str) -> None:
    """Kernel side: write ``{name: encode(value)}`` for every answer to ``path`` (JSON)."""
    out = {}
    for name, value in answers.items():
        try:
            out[name] = encode(value)
        except Exception as exc:  # noqa: BLE001 - a broken answer is a wrong answer
            out[name] = {"t": "other", "type": type(exc).__name__}
    with open(path, "w", encoding="utf-8") as stream:
        json.dump(out, stream)
