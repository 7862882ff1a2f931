"""Helpers shared by the widgets: language, escaping, status lines, atomic writes."""

from __future__ import annotations

import html
import os
import tempfile
from pathlib import Path

import ipywidgets as w

from dcteach.i18n import resolve_lang

__all__ = ["atomic_write_text", "esc", "new_output", "resolve_lang", "set_status", "status_widget"]


def esc(text) -> str:
    """HTML-escape any value; missing values become an empty string.

    >>> esc("<b> & 'x'")
    '&lt;b&gt; &amp; &#x27;x&#x27;'
    >>> esc(None)
    ''
    """
    if text is None or (isinstance(text, float) and text != text):
        return ""
    try:
        import pandas as pd

        if pd.isna(text):
            return ""
    except (TypeError, ValueError):
        pass
    return html.escape(str(text))


def new_output() -> w.Output:
    """An Output area that grows with its content."""
    return w.Output(layout=w.Layout(width="100%"))


def status_widget() -> w.HTML:
    """A one-line status text (results and problems are said in words)."""
    return w.HTML(value="", layout=w.Layout(width="100%"))


def set_status(widget: w.HTML, text: str, *, problem: bool = False) -> None:
    """Show ``text`` in a status line; a problem is marked in words as well as colour."""
    style = "color:#b00020;" if problem else ""
    widget.value = f'<span role="status" style="{style}">{esc(text)}</span>' if text else ""


def atomic_write_text(path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically: a temp file beside it, then ``os.replace``.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.json"
    >>> atomic_write_text(p, "{}").read_text()
    '{}'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
