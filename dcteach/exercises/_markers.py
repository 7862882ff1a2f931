"""Parse the lecturer's markers in notebook cells.

Two marker families are understood (see ``exercises/README.md``):

* nbgrader blocks: ``### BEGIN SOLUTION`` / ``### END SOLUTION`` and
  ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``;
* otter's one-line form: a line ending in ``# SOLUTION``.

Everything here is a pure function of strings.

>>> regions = split_regions("x = ...\\n### BEGIN SOLUTION\\nx = 42\\n### END SOLUTION")
>>> [(r.kind, r.lines) for r in regions]
[('public', ['x = ...']), ('solution', ['x = 42'])]
>>> strip_one_line("total = 13  # SOLUTION")
'total = ...'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dcteach._errors import DcteachError

__all__ = [
    "MARKER_TEXTS",
    "MarkerError",
    "Region",
    "has_hidden_tests",
    "has_solution",
    "one_line_solution",
    "secret_lines",
    "split_regions",
    "strip_one_line",
]

_BEGIN = re.compile(r"^(?P<indent>\s*)###\s*BEGIN\s+(?P<what>SOLUTION|HIDDEN\s+TESTS)\s*$")
_END = re.compile(r"^\s*###\s*END\s+(?P<what>SOLUTION|HIDDEN\s+TESTS)\s*$")
_ONE_LINE = re.compile(r"^(?P<indent>\s*)(?P<code>.*?)\s*#\s*SOLUTION\s*$")
_ASSIGN = re.compile(r"^(?P<target>[A-Za-z_][\w.\[\]'\", ]*?)\s*(?P<op>[-+*/]?=)(?!=)\s*(?P<rhs>.+)$")

#: strings that must never survive in a student version
MARKER_TEXTS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


class MarkerError(DcteachError):
    """Markers in a lecturer source are unbalanced or nested."""


@dataclass
class Region:
    """A run of lines of one kind: ``public``, ``solution`` or ``hidden``.

    ``indent`` is the indentation of the opening marker (solution regions
    inside a function body keep their indentation in the stub).
    """

    kind: str
    lines: list[str] = field(default_factory=list)
    indent: str = ""


def _kind(what: str) -> str:
    return "solution" if what == "SOLUTION" else "hidden"


def split_regions(source: str, *, where: str = "cell") -> list[Region]:
    """Split cell source into public, solution and hidden-test regions.

    Marker lines themselves are dropped. One-line ``# SOLUTION`` lines stay in
    public regions (see :func:`strip_one_line`).

    Raises
    ------
    MarkerError
        If a block is not closed, closed twice or nested; ``where`` names the
        cell in the message.

    Examples
    --------
    >>> [r.kind for r in split_regions("a\\n### BEGIN HIDDEN TESTS\\nassert a\\n### END HIDDEN TESTS\\nb")]
    ['public', 'hidden', 'public']
    >>> split_regions("### BEGIN SOLUTION\\nx = 1")
    Traceback (most recent call last):
    ...
    dcteach.exercises._markers.MarkerError: cell: '### BEGIN SOLUTION' is never closed by '### END SOLUTION'
    """
    regions: list[Region] = []
    current = Region("public")
    for number, line in enumerate(source.splitlines(), start=1):
        begin, end = _BEGIN.match(line), _END.match(line)
        if begin:
            kind = _kind(" ".join(begin["what"].split()))
            if current.kind != "public":
                raise MarkerError(f"{where}, line {number}: markers are nested (a block opened inside another)")
            if current.lines:
                regions.append(current)
            current = Region(kind, indent=begin["indent"])
        elif end:
            kind = _kind(" ".join(end["what"].split()))
            if current.kind != kind:
                raise MarkerError(f"{where}, line {number}: '{line.strip()}' has no matching BEGIN marker")
            regions.append(current)
            current = Region("public")
        else:
            current.lines.append(line)
    if current.kind != "public":
        name = "SOLUTION" if current.kind == "solution" else "HIDDEN TESTS"
        raise MarkerError(f"{where}: '### BEGIN {name}' is never closed by '### END {name}'")
    if current.lines:
        regions.append(current)
    return regions


def strip_one_line(line: str) -> str | None:
    """Return the student form of an otter-style ``# SOLUTION`` line, else None.

    An assignment keeps its target (``x = ...``); a ``return`` keeps the
    keyword; anything else becomes ``...``.

    Examples
    --------
    >>> strip_one_line("    return sorted(ids)  # SOLUTION")
    '    return ...'
    >>> strip_one_line("print(x)  # SOLUTION")
    '...'
    >>> strip_one_line("x = 1  # not a marker") is None
    True
    """
    match = _ONE_LINE.match(line)
    if not match or not match["code"].strip():
        return None
    indent, code = match["indent"], match["code"]
    if code.startswith("return"):
        return f"{indent}return ..."
    assign = _ASSIGN.match(code)
    if assign:
        return f"{indent}{assign['target']} = ..."
    return f"{indent}..."


def one_line_solution(line: str) -> str | None:
    """The lecturer's code of a one-line ``# SOLUTION`` line (marker removed).

    >>> one_line_solution("    n = len(df)  # SOLUTION")
    '    n = len(df)'
    """
    match = _ONE_LINE.match(line)
    if not match or not match["code"].strip():
        return None
    return match["indent"] + match["code"]


def has_solution(source: str) -> bool:
    """True if the text carries a solution block or a one-line ``# SOLUTION``.

    >>> has_solution("x = 2  # SOLUTION"), has_solution("x = 2")
    (True, False)
    """
    return any(r.kind == "solution" for r in split_regions(source)) or any(
        strip_one_line(line) is not None for line in source.splitlines()
    )


def has_hidden_tests(source: str) -> bool:
    """True if the text carries a hidden-tests block.

    >>> has_hidden_tests("### BEGIN HIDDEN TESTS\\nassert x\\n### END HIDDEN TESTS")
    True
    """
    return any(r.kind == "hidden" for r in split_regions(source))


def _one_line_secrets(line: str) -> list[str]:
    match = _ONE_LINE.match(line)
    if not match or not match["code"].strip():
        return []
    code = match["code"].strip()
    secrets = [code]
    assign = _ASSIGN.match(code)
    if assign:
        secrets.append(assign["rhs"].strip())
    elif code.startswith("return"):
        secrets.append(code[len("return"):].strip())
    return secrets


def secret_lines(sources: list[str], *, min_length: int = 6) -> list[str]:
    """Lines of solutions and hidden tests that must not reach students.

    Lines shorter than ``min_length`` (``)``, ``else:``) and lines that also
    occur in public text (``import pandas as pd``) are not secrets.

    Examples
    --------
    >>> secret_lines(["x = ...\\n### BEGIN SOLUTION\\nx = sorted(ids)\\n### END SOLUTION"])
    ['x = sorted(ids)']
    >>> secret_lines(["y = ...\\ny = len(rows)  # SOLUTION"])
    ['y = len(rows)', 'len(rows)']
    """
    public: set[str] = set()
    candidates: list[str] = []
    for source in sources:
        for region in split_regions(source):
            for line in region.lines:
                stripped = line.strip()
                if region.kind == "public":
                    one_line = _one_line_secrets(line)
                    if one_line:
                        candidates.extend(one_line)
                    else:
                        public.add(stripped)
                else:
                    candidates.append(stripped)
    seen: set[str] = set()
    result = []
    for text in candidates:
        if len(text) >= min_length and text not in public and text not in seen:
            seen.add(text)
            result.append(text)
    return result
