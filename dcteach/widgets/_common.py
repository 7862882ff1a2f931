"""Helpers shared by the widgets: language, escaping, status lines, figures, accessibility.

Figures are shown as HTML ``<img alt="...">`` (a base64 PNG) with the same
text as ``text/plain``, so the text alternative reaches the page in
JupyterLab, Voilà and the classic notebook alike. :func:`a11y_support` is the
one place that works around ipywidgets 8's unnamed slider handles; every
widget with sliders or matrix buttons carries it.
"""

from __future__ import annotations

import base64
import html
import io
import json

import ipywidgets as w
import numpy as np
import traitlets as t

from dcteach._atomic import atomic_write_text
from dcteach.i18n import resolve_lang

__all__ = [
    "TABLE_CSS",
    "Choice",
    "FastFigure",
    "a11y_support",
    "atomic_write_text",
    "button_row",
    "download_anchor",
    "esc",
    "figure_png",
    "new_output",
    "output_text",
    "page_language_script",
    "png_html",
    "resolve_lang",
    "set_status",
    "show_figure",
    "show_png",
    "status_widget",
    "text_button",
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


class Choice(w.Dropdown):
    """A Dropdown whose option with the value ``None`` ("(all)", "(choose)") is shown as chosen.

    ipywidgets treats ``value=None`` as "nothing selected" and shows a blank
    box even when an option's value is ``None``; here that option is selected.

    >>> c = Choice(options=[("(all)", None), ("Strategic", "strategic")], value=None)
    >>> c.index, c.label
    (0, '(all)')
    >>> c.value = "strategic"; c.value = None; c.index
    0
    """

    @t.observe("value")
    def _propagate_value(self, change):
        if change.new is None and None in self._options_values:
            index = self._options_values.index(None)
            if self.index != index:
                self.index = index
            return
        super()._propagate_value(change)


#: Styles of the result tables of the widgets (``<table class="dcteach-table">``): headers
#: aligned with their cells, padding, borders and row shading (WCAG 1.4.11-level contrast).
TABLE_CSS = """<style>
table.dcteach-table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.95em; max-width: 100%; }
table.dcteach-table caption { text-align: left; font-weight: bold; padding: 0.3em 0; caption-side: top; }
table.dcteach-table th, table.dcteach-table td {
  text-align: left; vertical-align: top; padding: 0.35em 0.7em; border: 1px solid #767676;
}
table.dcteach-table thead th { background: #e8eef4; color: #111; border-bottom: 2px solid #333; }
table.dcteach-table tbody tr:nth-child(even) { background: #f4f6f8; }
table.dcteach-table td:first-child, table.dcteach-table .dcteach-nowrap {
  white-space: nowrap; font-variant-numeric: tabular-nums;
}
</style>"""


def new_output(css_class: str | None = None) -> w.Output:
    """An Output area that grows with its content, optionally with a stable CSS class.

    >>> "dcteach-radar" in new_output("dcteach-radar")._dom_classes
    True
    """
    out = w.Output(layout=w.Layout(width="100%"))
    if css_class:
        out.add_class(css_class)
    return out


def text_button(description: str, *, icon: str = "", **kwargs) -> w.Button:
    """A button as wide as its label.

    ipywidgets gives every button 148 px, which cuts longer labels with "…"
    (in Russian: "Добавить к сравнению", "Сохранить и далее").

    >>> text_button("Добавить к сравнению", icon="plus").layout.width
    'auto'
    """
    kwargs.setdefault("layout", w.Layout(width="auto"))
    return w.Button(description=description, icon=icon, **kwargs)


def button_row(*buttons: w.Widget) -> w.HBox:
    """Buttons side by side, wrapping onto a new line when the row is too narrow for them.

    >>> button_row(text_button("A"), text_button("B")).layout.flex_flow
    'row wrap'
    """
    return w.HBox(list(buttons), layout=w.Layout(flex_flow="row wrap"))


def status_widget() -> w.HTML:
    """A one-line status text (results and problems are said in words)."""
    return w.HTML(value="", layout=w.Layout(width="100%"))


def set_status(widget: w.HTML, text: str, *, problem: bool = False) -> None:
    """Show ``text`` in a status line; a problem is marked in words as well as colour."""
    style = "color:#b00020;" if problem else ""
    widget.value = f'<span role="status" style="{style}">{esc(text)}</span>' if text else ""


def png_html(png: bytes, alt_text: str, *, width: int | None = None) -> str:
    """An ``<img>`` showing ``png`` (base64 ``data:`` URL) with ``alt_text`` as its ``alt``.

    It shrinks with a narrow window or a zoomed page (``max-width: 100%``).
    ``width`` (CSS pixels) shows a PNG drawn at a higher resolution at its
    intended size, so it stays sharp when the page is zoomed.

    >>> png_html(b"\\x89PNG", 'Chart of "x" & y')
    '<img src="data:image/png;base64,iVBORw==" alt="Chart of &quot;x&quot; &amp; y" style="max-width:100%;height:auto">'
    """
    payload = base64.b64encode(png).decode("ascii")
    size = f' width="{int(width)}"' if width else ""
    return f'<img src="data:image/png;base64,{payload}" alt="{esc(alt_text)}"{size} style="max-width:100%;height:auto">'


def show_png(out: w.Output, png: bytes, alt_text: str, *, width: int | None = None) -> None:
    """Replace what ``out`` shows with ``png`` as an ``<img alt>``, ``alt_text`` also as ``text/plain``.

    Setting ``Output.outputs`` in one step has the effect of
    ``clear_output(wait=True)`` + ``display(...)`` (no flicker) and works the
    same inside and outside a kernel.

    >>> o = w.Output()
    >>> show_png(o, b"\\x89PNG", "A chart")
    >>> sorted(o.outputs[0]["data"]), output_text(o)
    (['text/html', 'text/plain'], 'A chart')
    """
    out.outputs = (
        {
            "output_type": "display_data",
            "data": {"text/html": png_html(png, alt_text, width=width), "text/plain": alt_text},
            "metadata": {},
        },
    )


def figure_png(fig, *, dpi: int = 80, tight: bool = False) -> bytes:
    """``fig`` rendered as PNG bytes (``tight=True`` trims margins at the cost of a second draw).

    >>> import matplotlib.figure
    >>> figure_png(matplotlib.figure.Figure(figsize=(1, 1)))[:4]
    b'\\x89PNG'
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight" if tight else None)
    return buf.getvalue()


def show_figure(out: w.Output, fig, alt_text: str, *, dpi: int = 80, tight: bool = False) -> None:
    """Show ``fig`` in ``out`` as an ``<img>`` whose ``alt`` is ``alt_text`` (see :func:`show_png`).

    Widgets that redraw often fix their layout (``tight=False``) or use :class:`FastFigure`.

    >>> import matplotlib.figure
    >>> o = w.Output()
    >>> show_figure(o, matplotlib.figure.Figure(figsize=(1, 1)), "Empty figure")
    >>> 'alt="Empty figure"' in o.outputs[0]["data"]["text/html"]
    True
    """
    show_png(out, figure_png(fig, dpi=dpi, tight=tight), alt_text)


class FastFigure:
    """Re-render a figure quickly when only a few of its artists change.

    :meth:`render` draws everything once with the ``dynamic`` artists hidden,
    keeps that background in memory, then draws the dynamic artists on top.
    :meth:`update` restores the background and redraws only the dynamic
    artists (after their data changed): a fraction of a full draw. The figure's
    layout must be fixed (no ``bbox_inches="tight"``).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure on the Agg canvas (e.g. from ``plt.subplots`` then ``plt.close``).
    dpi : int
        Resolution of the PNG.

    Examples
    --------
    >>> import matplotlib.figure
    >>> fig = matplotlib.figure.Figure(figsize=(2, 2))
    >>> ax = fig.add_subplot()
    >>> (line,) = ax.plot([0, 1], [0, 1])
    >>> fast = FastFigure(fig)
    >>> first = fast.render([line])
    >>> line.set_ydata([1, 0])
    >>> first != fast.update() and fast.update()[:4] == b"\\x89PNG"
    True
    """

    def __init__(self, fig, *, dpi: int = 80):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.fig = fig
        fig.set_dpi(dpi)
        self.canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        self.dynamic: list = []
        self._background = None

    def render(self, dynamic) -> bytes:
        """Full draw; ``dynamic`` (artists of one Axes or the figure) are kept for :meth:`update`."""
        self.dynamic = sorted(dynamic, key=lambda a: a.get_zorder())
        visible = [a.get_visible() for a in self.dynamic]
        for artist in self.dynamic:
            artist.set_visible(False)
        self.canvas.draw()
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        for artist, was in zip(self.dynamic, visible):
            artist.set_visible(was)
        return self.update()

    def update(self) -> bytes:
        """Redraw only the dynamic artists on the kept background; the PNG bytes."""
        if self._background is None:
            return self.render(self.dynamic)
        self.canvas.restore_region(self._background)
        for artist in self.dynamic:
            if artist.get_visible():
                (artist.axes or self.fig).draw_artist(artist)
        return self._png()

    def _png(self) -> bytes:
        from PIL import Image

        rgba = np.asarray(self.canvas.buffer_rgba())
        buf = io.BytesIO()
        Image.fromarray(rgba[..., :3]).save(buf, format="png", compress_level=3)
        return buf.getvalue()


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


def download_anchor(text: str, filename: str, label: str, *, mime: str, title: str = "") -> str:
    """HTML of a link that downloads ``text`` as ``filename`` (UTF-8, base64 ``data:`` URL).

    Nothing is written on the server: the browser saves the file.

    >>> download_anchor("{}", "a.json", "Get", mime="application/json")
    '<a download="a.json" href="data:application/json;charset=utf-8;base64,e30=" ...>Get</a>'
    """
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    attrs = f" title=\"{esc(title)}\"" if title else ""  # an HTML attribute; its text comes from the caller
    return (
        f'<a download="{esc(filename)}" href="data:{mime};charset=utf-8;base64,{payload}"'
        f' class="dcteach-download"{attrs}'
        ' style="display:inline-block;margin:0.25em 0.5em 0.25em 0;padding:0.3em 0.8em;'
        'border:1px solid currentColor;border-radius:3px;text-decoration:none">'
        f"{esc(label)}</a>"
    )


# --- accessibility support -----------------------------------------------------------------
# ipywidgets 8.1 renders a slider's handle (role="slider") and its editable readout without an
# accessible name: the visible <label> is not associated with them. The script names them after
# the label, and names matrix buttons (class dcteach-cell) after their tooltip, for screen
# readers; it also handles widgets rendered later (one observer per page). The style lets a
# slider's description wrap on its own line above the track (class dcteach-item-slider), so long
# names are never cut off with "…" in a narrow window or at 200 % zoom.
_A11Y_JS = """
(function () {
  function nameSliders(root) {
    root.querySelectorAll('.widget-slider').forEach(function (box) {
      var label = box.querySelector('.widget-label');
      var text = label ? label.textContent.trim() : '';
      if (!text) return;
      // the level in words next to the slider (class dcteach-level): "0 — Absent"
      var row = box.parentElement;
      var level = row ? row.querySelector(':scope > .dcteach-level') : null;
      var valuetext = level ? level.textContent.trim() : '';
      box.querySelectorAll('[role=slider]').forEach(function (h) {
        if (h.getAttribute('aria-label') !== text) h.setAttribute('aria-label', text);
        if (valuetext && h.getAttribute('aria-valuetext') !== valuetext) h.setAttribute('aria-valuetext', valuetext);
      });
      var readout = box.querySelector('.widget-readout');
      if (readout && readout.getAttribute('aria-label') !== text) {
        readout.setAttribute('role', 'textbox');
        readout.setAttribute('aria-label', text);
      }
    });
    root.querySelectorAll('.dcteach-cell[title]').forEach(function (b) {
      var text = b.getAttribute('title');
      if (b.getAttribute('aria-label') !== text) b.setAttribute('aria-label', text);
    });
  }
  var state = window.__dcteachA11y;
  if (!state) {
    state = window.__dcteachA11y = {pending: false};
    var run = function () { state.pending = false; nameSliders(document); };
    state.observer = new MutationObserver(function () {
      if (!state.pending) { state.pending = true; window.setTimeout(run, 30); }
    });
    state.observer.observe(document.body, {childList: true, subtree: true, characterData: true});
  }
  nameSliders(document);
})();
"""

_A11Y_CSS = """<style>
.widget-slider.widget-hslider.dcteach-item-slider { flex-wrap: wrap; height: auto; min-width: 0; }
.widget-slider.dcteach-item-slider > .widget-label {
  flex: 1 1 100%; width: auto !important; max-width: 100%; height: auto; min-height: 0;
  white-space: normal; overflow: visible; text-overflow: clip; text-align: left; line-height: 1.3;
}
.widget-slider.dcteach-item-slider > .slider-container {
  flex: 1 1 8em; min-width: 6em; height: auto; min-height: 28px; padding: 8px 14px; box-sizing: border-box;
  overflow: visible;
}
/* the classifier's item names: whole, wrapped above the dropdown, never cut off with "…" */
.widget-dropdown.dcteach-item-choice { flex-wrap: wrap; height: auto; margin-bottom: 0.5em; }
.widget-dropdown.dcteach-item-choice > .widget-label {
  flex: 1 1 100%; width: auto !important; max-width: 100%; height: auto; min-height: 0;
  white-space: normal; overflow: visible; text-overflow: clip; text-align: left; line-height: 1.3;
}
.dcteach-cell.dcteach-selected { outline: 3px dashed #D55E00; outline-offset: -4px; font-weight: bold; }
/* slider handles: dark on the light track (>= 3:1, WCAG 1.4.11); focus is a thick ring, not a colour */
.dcteach-item-slider .noUi-handle, .dcteach-item-slider .noUi-horizontal .noUi-handle {
  background: #1f5fa8 !important; border: 2px solid #0b2545 !important; box-shadow: none;
}
.dcteach-item-slider .noUi-connects, .dcteach-item-slider .noUi-base { background: #d0d0d0; }
.dcteach-item-slider .noUi-handle:focus, .dcteach-item-slider .noUi-handle:focus-visible {
  outline: 3px solid #000 !important; outline-offset: 2px; box-shadow: 0 0 0 5px #fff !important;
}
.dcteach-item-slider .noUi-handle:hover { background: #0b2545 !important; }
</style>"""


def a11y_support() -> w.Box:
    """An invisible widget that makes the widgets around it accessible in any front end.

    Include it once among a widget's children (JupyterLab, Voilà and the
    notebook all render it): a script names every slider handle and readout
    after the slider's description, and every matrix button (CSS class
    ``dcteach-cell``) after its tooltip; a style sheet lets slider descriptions
    (CSS class ``dcteach-item-slider``) wrap above the track instead of being
    cut off; the classifier's item names (``dcteach-item-choice``) wrap the same way.

    >>> box = a11y_support()
    >>> out = box.children[1]
    >>> "aria-label" in out.outputs[0]["data"]["application/javascript"]
    True
    >>> "dcteach-item-slider" in box.children[0].value
    True
    """
    style = w.HTML(_A11Y_CSS)
    script = w.Output()
    script.outputs = (
        {
            "output_type": "display_data",
            "data": {"application/javascript": _A11Y_JS, "text/plain": ""},
            "metadata": {},
        },
    )
    box = w.Box([style, script], layout=w.Layout(display="none"))
    box.add_class("dcteach-a11y-support")
    return box


def page_language_script(lang: str, title: str):
    """A :class:`IPython.display.Javascript` setting the page's ``lang`` and title (Voilà says ``en``).

    >>> js = page_language_script("ru", "Самооценка").data
    >>> '"ru"' in js and "document.title" in js
    True
    """
    from IPython.display import Javascript

    return Javascript(
        "(function (lang, title) { document.documentElement.lang = lang; document.title = title; })"
        f"({json.dumps(resolve_lang(lang))}, {json.dumps(title)});"
    )
