"""Exceptions that speak to the user.

Every error a student or researcher can cause is a :class:`DcteachError`; the
CLI prints its message on one line and exits non-zero instead of showing a
traceback.
"""

from __future__ import annotations


class DcteachError(Exception):
    """Base class for mistakes a user can make and fix (bad name, bad file...)."""

    #: exit status the CLI uses for this error
    exit_code = 1


class UsageError(DcteachError, ValueError):
    """A wrong argument: unknown dataset name, unsupported language, bad option."""

    exit_code = 2


class DatasetError(DcteachError):
    """A data file is missing, corrupted or does not match its schema."""

    exit_code = 1
