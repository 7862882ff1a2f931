"""Read files and JSON documents a user hands in, with located, fixable error messages.

Used for every JSON file a user hands to dcteach (self-assessments,
classifications, quiz banks, the data package descriptor): a syntax error is
reported as ``file:line:column: not valid JSON (reason); how to fix``, a
foreign file by the ``format`` it lacks, and a schema violation by the JSON
path where it occurs.

>>> loads_located('{"a": 1,}', "x.json", ValueError, "remove the trailing comma")
Traceback (most recent call last):
...
ValueError: x.json:1:9: not valid JSON (Expecting property name enclosed in double quotes); remove the trailing comma
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["check_format", "first_schema_error", "import_jsonschema", "json_path", "loads_located", "read_user_text",
           "schema_validator"]

#: What jsonschema imports, if installed, for its ``iri`` and ``iri-reference`` format checks
#: (see :func:`import_jsonschema`).
_IRI_GRAMMARS = "rfc3987_syntax"


def read_user_text(path, error: type[Exception], *, not_text: str = "is it the right file?") -> str:
    """Read a file a user chose as UTF-8 text; failures raise ``error`` naming the file.

    >>> read_user_text("/no/such/file.json", ValueError)
    Traceback (most recent call last):
    ...
    ValueError: /no/such/file.json: no such file; check the path
    """
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not a file") from None
    except UnicodeDecodeError:
        raise error(f"{path}: not UTF-8 text; {not_text}") from None
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror})") from None


def loads_located(text: str, source: str, error: type[Exception], fix: str) -> Any:
    """``json.loads`` whose failure raises ``error`` naming file, line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{source}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg}); {fix}") from None


def check_format(doc: Any, source: str, error: type[Exception], fmt: str, what: str, fix: str) -> dict:
    """Return ``doc`` if it is an object declaring ``"format": fmt``; else raise ``error``."""
    if not isinstance(doc, dict) or doc.get("format") != fmt:
        raise error(f'{source}: not {what} (no "format": "{fmt}"); {fix}')
    return doc


def json_path(path) -> str:
    """A JSON path like ``questions/2/answers/0`` (``(top level)`` for the root)."""
    return "/".join(map(str, path)) or "(top level)"


def first_schema_error(validator, doc) -> tuple[str, str] | None:
    """``(json path, message)`` of the first schema violation in document order, or None."""
    errors = sorted(validator.iter_errors(doc), key=lambda e: (list(map(str, e.path)), e.message))
    return (json_path(errors[0].path), errors[0].message) if errors else None


def import_jsonschema():
    """Import jsonschema (once) without the grammars of its ``iri`` formats; return the module.

    jsonschema, when it is first imported, imports rfc3987-syntax if that is
    installed (Jupyter installs it), which builds Earley grammars for the ``iri``
    and ``iri-reference`` formats: about 2.5 CPU seconds in every process that
    imports jsonschema (a kernel that opens a user's file, a pytest process
    loading nbval). dcteach's validators check no formats, so jsonschema is
    imported with that module hidden for the length of the import: it then
    registers no ``iri`` checks, as when the module is not installed. The hiding
    is undone at once (a later ``import rfc3987_syntax`` works); if jsonschema
    or rfc3987-syntax was imported before, nothing is hidden.

    >>> import_jsonschema().__name__
    'jsonschema'
    """
    if "jsonschema" not in sys.modules and _IRI_GRAMMARS not in sys.modules:
        sys.modules[_IRI_GRAMMARS] = None  # an import of it raises ImportError meanwhile
        try:
            import jsonschema
        finally:
            del sys.modules[_IRI_GRAMMARS]
    import jsonschema

    return jsonschema


def schema_validator(schema: dict):
    """A JSON Schema (draft 2020-12) validator for ``schema`` (see :func:`import_jsonschema`).

    >>> v = schema_validator({"type": "object", "required": ["a"]})
    >>> first_schema_error(v, {})
    ('(top level)', "'a' is a required property")
    """
    return import_jsonschema().Draft202012Validator(schema)
