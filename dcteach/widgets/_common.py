"""Helpers shared by the widgets: language, escaping, status lines, atomic writes."""

from __future__ import annotations

import base64
import html
import io
import ipywidgets as w

from dcteach._atomic import atomic_write_text
from dcteach.i18n import resolve_lang

__all__ = [
    "atomic_write_text",
    "esc",
    "new_output",
    "resolve_lang",
    "set_status",
    "output_text",
    "show_figure",
    "status_widget",
]


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


def show_figure(out: w.Output, fig, alt_text: str, *, dpi: int = 80, tight: bool = False) -> None:
    """Replace what ``out`` shows with ``fig`` as PNG, with ``alt_text`` as its text form.

    Setting ``Output.outputs`` in one step has the effect of
    ``clear_output(wait=True)`` + ``display(fig)`` (no flicker), works the same
    inside and outside a kernel, and keeps a text alternative for screen readers
    and for tests. ``tight=True`` trims the margins at the cost of a second draw;
    widgets that redraw often fix their layout instead.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight" if tight else None)
    out.outputs = (
        {
            "output_type": "display_data",
            "data": {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"), "text/plain": alt_text},
            "metadata": {},
        },
    )


def output_text(out: w.Output) -> str:
    """The text form of everything an Output shows (for tests and screen readers).

    >>> o = w.Output()
    >>> o.outputs = ({"output_type": "display_data", "data": {"text/plain": "hi"}, "metadata": {}},)
    >>> output_text(o)
    'hi'
    """
    parts = []
    for item in out.outputs:
        if item.get("output_type") == "stream":
            parts.append(item.get("text", ""))
        else:
            parts.append(item.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)
