"""Exceptions that speak to the user.

Every error a student or researcher can cause is a :class:`DcteachError`; the
CLI prints its message on one line and exits non-zero instead of showing a
traceback.

The classes live here but belong to the public API: they are exported from
:mod:`dcteach` and name themselves ``dcteach.UsageError`` (not
``dcteach.UsageError``) in tracebacks and reprs, so that what a user
sees is what a user can write in an ``except`` clause.

The family::

    DcteachError                      exit 1  (catch-all)
    ├── UsageError (+ ValueError)     exit 2  a wrong argument or option
    │   └── UnknownDatasetError       exit 2  no dataset of that name (also a DatasetError)
    └── DatasetError                  exit 1  a data file missing, corrupted or invalid
        └── UnknownDatasetError

>>> import dcteach
>>> try:
...     dcteach.load_dataset("nosuch")
... except dcteach.DatasetError as exc:
...     print(type(exc).__name__, isinstance(exc, dcteach.UsageError), exc.exit_code)
UnknownDatasetError True 2
>>> UsageError("x")
dcteach.UsageError('x')
"""

from __future__ import annotations

__all__ = ["DatasetError", "DcteachError", "UnknownDatasetError", "UsageError"]


class DcteachError(Exception):
    """Base class for mistakes a user can make and fix (bad name, bad file...)."""

    #: exit status the CLI uses for this error
    exit_code = 1

    def __repr__(self) -> str:
        return f"dcteach.{type(self).__name__}({', '.join(map(repr, self.args))})"


class UsageError(DcteachError, ValueError):
    """A wrong argument: unknown dataset name, unsupported language, bad option."""

    exit_code = 2


class DatasetError(DcteachError):
    """A data file is missing, corrupted or does not match its schema."""

    exit_code = 1


class UnknownDatasetError(DatasetError, UsageError):
    """No dataset has the name asked for: both a :class:`DatasetError` and a :class:`UsageError`.

    So ``except dcteach.DatasetError`` and older ``except UsageError`` (or
    ``ValueError``) clauses both catch it; the CLI exits 2, as for any wrong argument.
    """

    exit_code = 2


# Tracebacks and reprs say ``dcteach.UsageError``: the public name.
for _cls in (DcteachError, UsageError, DatasetError, UnknownDatasetError):
    _cls.__module__ = "dcteach"
del _cls
