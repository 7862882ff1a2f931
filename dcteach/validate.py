"""Validate a Frictionless data package, or a researcher's extension of the core.

Every bad cell is reported with its file, row (header line = 1, as
Frictionless counts) and column, what is wrong and how to fix it. The file is
named as you named the package (``validate("my_thesis")`` reports
``my_thesis/t.csv``; an absolute path gives absolute file names), whatever the
current folder:

>>> import pathlib, tempfile, json
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "t.csv").write_text("id,n\\nA,1\\nA,1.5\\n")
>>> _ = (d / "datapackage.json").write_text(json.dumps({"resources": [{
...     "name": "t", "path": "t.csv", "schema": {"primaryKey": ["id"],
...     "fields": [{"name": "id", "type": "string"}, {"name": "n", "type": "integer"}]}}]}))
>>> report = validate(d)
>>> report.valid
False
>>> [(e.row, e.field, e.type, e.value) for e in report.errors]
[(3, 'id', 'primary-key', 'A'), (3, 'n', 'type', '1.5')]
>>> print(report.format_text().replace(str(d), "DIR"))  # doctest: +ELLIPSIS
DIR/t.csv:3:1: id: this id is already used in an earlier row ('A') — give each row its own id (ids must be unique)
DIR/t.csv:3:2: n: value is not of type integer ('1.5') — write a whole number such as 42 ...
2 errors in 1 resource (2 rows checked).

Reading is lossless: cells are the strings as written (``NA``, ``007``,
Cyrillic), and only a field's ``missingValues`` (default ``[""]``) count as
missing. Types follow the Table Schema rules as the official ``frictionless``
implements them. Columns that the schema does not describe are kept and
reported as warnings. Problem codes (``Problem.type``) and the Frictionless
error each corresponds to are listed in :data:`CODES`.

An *extension* is a package whose ``datapackage.json`` says
``"extends": "dcteach"``: its tables may add rows to core tables (same
resource name) or be new tables whose foreign keys point into the core.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dcteach._errors import UsageError
from dcteach._validation._engine import CODE_CLASSES, Problem, load_package, run

__all__ = ["CODES", "Problem", "Report", "validate"]

#: problem code → the Frictionless error type that reports the same thing
CODES: dict[str, str] = dict(CODE_CLASSES)


@dataclass
class Report:
    """The result of :func:`validate`: located errors and warnings, in file order."""

    path: str
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    #: True if ``max_errors`` stopped the listing (more errors exist)
    truncated: bool = False
    rows: int = 0
    resources: int = 0
    extension: bool = False

    @property
    def valid(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        """``{"valid", "errors", "warnings", "truncated", "rows", "resources"}`` (JSON-ready)."""
        return {
            "valid": self.valid,
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
            "truncated": self.truncated,
            "rows": self.rows,
            "resources": self.resources,
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON text (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def summary(self) -> str:
        """One line: counts of errors, warnings, resources and rows."""
        res = f"{self.resources} resource{'s' if self.resources != 1 else ''}"
        what = "extension" if self.extension else ""
        checked = f"({self.rows:,} rows checked)"
        warn = f", {len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''}" if self.warnings else ""
        if self.valid:
            return f"valid{' ' + what if what else ''}: {res} {checked}{warn}."
        n = len(self.errors)
        line = f"{n} error{'s' if n != 1 else ''}{warn} in {res} {checked}."
        if self.truncated:
            line += f" Stopped after {n} errors (max_errors); more errors exist."
        return line

    def format_text(self, *, warnings: bool = True) -> str:
        """Lines ``file:row:column: problem (value) — how to fix``, then the summary."""
        lines = [p.format_text() for p in self.errors]
        if warnings:
            lines += [p.format_text() for p in self.warnings]
        lines.append(self.summary())
        return "\n".join(lines)


def _core_names() -> frozenset[str]:
    """Names of the dcteach core's tables (for hints), or none if the core cannot be read."""
    from dcteach import data

    try:
        return frozenset(r["name"] for r in data._descriptor(data.core_dir())["resources"])
    except Exception:
        return frozenset()


def _declares_extension(path: Path) -> bool:
    desc = path / "datapackage.json" if path.is_dir() else path
    try:
        return json.loads(desc.read_text(encoding="utf-8")).get("extends") == "dcteach"
    except Exception:
        return False


def validate(
    path: str | os.PathLike,
    *,
    extra_of: str | os.PathLike | bool | None = None,
    max_errors: int | None = None,
    extra_columns: bool | None = None,
) -> Report:
    """Validate the data package at *path* (a folder or its ``datapackage.json``).

    Parameters
    ----------
    path : path-like
        Folder holding ``datapackage.json``, or that file.
    extra_of : path-like, bool or None
        Core package to validate *path* against as an extension. ``None``
        (default): the dcteach core if the descriptor says
        ``"extends": "dcteach"``, else none. ``True``: always the dcteach core.
        ``False``: validate *path* on its own.
    max_errors : int, optional
        List at most this many errors (``Report.truncated`` says when it was
        hit). By default every error is listed.
    extra_columns : bool, optional
        ``True``: columns a schema does not describe are allowed and kept (as
        ``"fieldsMatch": "subset"`` would say). By default a schema's own
        ``fieldsMatch`` decides, else the spec's ``exact`` (an extension:
        extra columns are kept with a warning).

    Returns
    -------
    Report

    Raises
    ------
    dcteach.DcteachError
        (a usage error, exit code 2) if *path* does not exist or is not a data package.
    """
    p = Path(path)
    if max_errors is not None and max_errors < 1:
        raise UsageError("max_errors must be a positive number")
    pkg = load_package(p)
    core = None
    if extra_of is None:
        extra_of = _declares_extension(p)
    if extra_of is True:
        from dcteach import data

        extra_of = data.core_dir()
    if extra_of:
        core_path = Path(extra_of)
        if (core_path.resolve() != pkg.base.resolve()):
            core = load_package(core_path)
    errors, warnings, truncated, rows = run(pkg, core, max_errors, extra_columns=extra_columns,
                                            core_names=_core_names())
    return Report(str(p), errors, warnings, truncated, rows, len(pkg.resources), core is not None)
