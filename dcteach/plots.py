"""Plots of the data package (matplotlib): colour-blind-safe, labelled in text.

Every function takes its data first, ``ax=None`` (a new figure when omitted)
and ``lang`` (``"en"``/``"ru"``; default ``$DCTEACH_LANG`` or English), and
returns the Axes. Colours come from the Okabe–Ito palette in
``dcteach/palette.json``; each series also has its own marker, line style or
hatch, and values are written on the plot, so colour is never the only cue.
Titles and axis labels come from the message catalogues (``dcteach/locales``).

Every chart has a text alternative (:func:`text_alternative`): the chart's
title, axes, series and values in words, or the text given with
:func:`set_text_alternative`. Once ``dcteach`` is imported in a notebook,
every matplotlib figure shown there (ours or a plain ``df.plot()``) is also
shown as an HTML ``<img>`` carrying that text as its ``alt`` and drawn at
twice the resolution, so it stays sharp at 200 % zoom.

Examples
--------
>>> import dcteach.plots as dp
>>> ax = dp.plot_instrument_groups(lang="en")
>>> [t.get_text() for t in ax.texts]
['3', '6', '15']
>>> ax = dp.plot_priority_map(lang="ru")
>>> "редакционное" in ax.get_title()
True
"""

from __future__ import annotations

import json
from importlib import resources

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch
from matplotlib.transforms import Bbox

from dcteach._compute import date_position, format_partial_date, gap_list, priority_matrix
from dcteach._errors import UsageError
from dcteach.data import load_dataset
from dcteach.i18n import _, field_labels, resolve_lang

__all__ = [
    "PALETTE",
    "colour",
    "gap_list",
    "plot_distribution",
    "plot_instrument_groups",
    "plot_priority_map",
    "plot_radar",
    "plot_timeline",
    "priority_matrix",
    "set_text_alternative",
    "style",
    "text_alternative",
    "update_radar",
]

#: The palette, markers, line styles and hatches (``dcteach/palette.json``).
PALETTE: dict = json.loads(resources.files("dcteach").joinpath("palette.json").read_text("utf-8"))


def colour(i: int) -> str:
    """The ``i``-th colour of the cycle (wraps around).

    >>> colour(0), colour(8)
    ('#0072B2', '#0072B2')
    """
    cycle = PALETTE["cycle"]
    return PALETTE["colours"][cycle[i % len(cycle)]]


def style(i: int) -> dict:
    """Colour, marker, line style and hatch of the ``i``-th series.

    >>> style(1)["marker"], style(1)["hatch"]
    ('s', '..')
    """
    pick = lambda key: PALETTE[key][i % len(PALETTE[key])]  # noqa: E731
    return {"color": colour(i), "marker": pick("markers"), "linestyle": pick("linestyles"),
            "hatch": pick("hatches")}


# --- text alternatives --------------------------------------------------------------------
_ALT_ATTR = "_dcteach_text_alternative"
_ALT_LIMIT = 1500  # characters; a screen-reader user can read the data table for more
_FULL_ATTR = "_dcteach_full_text"  # on a tick label shortened for the eye: its whole text


def set_text_alternative(obj, text: str):
    """Give a chart (an Axes or a Figure) the text alternative ``text``; return ``obj``.

    Use it when the automatic description (:func:`text_alternative`) misses
    the point of the chart, e.g. ``dc.plots.set_text_alternative(ax, "Bars: ...")``.

    >>> import matplotlib.figure
    >>> fig = matplotlib.figure.Figure()
    >>> ax = set_text_alternative(fig.add_subplot(), "Three bars: 3, 6 and 15 instruments.")
    >>> text_alternative(fig)
    'Three bars: 3, 6 and 15 instruments.'
    """
    setattr(obj, _ALT_ATTR, None if text is None else str(text))
    return obj


def _is_number(text: str) -> bool:
    try:
        float(text.replace("\u2212", "-").replace(",", ""))
    except ValueError:
        return False
    return True


def _label_text(label) -> str:
    """A tick label's text on one line: its whole text if it was wrapped or shortened for the eye."""
    return (getattr(label, _FULL_ATTR, None) or label.get_text()).replace("\n", " ").strip()


def _tick_texts(axis) -> list[str]:
    return [_label_text(t) for t in axis.get_ticklabels() if t.get_text().strip()]


def _fmt(v) -> str:
    return f"{v:g}" if isinstance(v, (int, float, np.number)) else str(v)


def _axes_title(ax) -> str:
    """The left, centre and right titles of ``ax``, joined by a space (no words of ours)."""
    return " ".join(t for t in (ax.get_title("left"), ax.get_title(), ax.get_title("right")) if t.strip())


def _describe_axes(ax, lang: str) -> str:
    """Words for one Axes: title, axes, series with their values, text written on it."""
    given = getattr(ax, _ALT_ATTR, None)
    if given:
        return given
    parts = []
    title = _axes_title(ax)
    parts.append(_("plots.alt.chart", lang, title=title.replace("\n", " ")) if title else _("plots.alt.untitled", lang))
    categories, positions = {}, {}
    for key, axis, label in (("x", ax.xaxis, ax.get_xlabel()), ("y", ax.yaxis, ax.get_ylabel())):
        name = label.strip() or _(f"plots.alt.{key}", lang)
        labels = [t for t in axis.get_ticklabels() if t.get_text().strip()]
        ticks = [_label_text(t) for t in labels]
        if not ticks:
            continue
        if all(_is_number(t) for t in ticks):
            parts.append(_("plots.alt.axis_range", lang, axis=name, low=ticks[0], high=ticks[-1]))
        else:
            categories[key] = ticks
            positions[key] = np.array([float(np.ravel(t.get_position())[0 if key == "x" else 1]) for t in labels])
            parts.append(_("plots.alt.axis_categories", lang, axis=name, values=", ".join(ticks)))

    def category(key, where):
        if key not in positions or not len(positions[key]):
            return None
        i = int(np.argmin(np.abs(positions[key] - where)))
        return categories[key][i] if abs(positions[key][i] - where) <= 0.5 else None

    # bars: a series per labelled container, each bar named after its category
    unnamed, named_series = [], set()
    for container in getattr(ax, "containers", []):
        if not hasattr(container, "patches") or not hasattr(container, "datavalues"):
            continue
        horizontal = getattr(container, "orientation", "vertical") == "horizontal"
        pairs = []
        for patch, v in zip(container.patches, container.datavalues):
            if horizontal:
                cat = category("y", patch.get_y() + patch.get_height() / 2)
            else:
                cat = category("x", patch.get_x() + patch.get_width() / 2)
            pairs.append(f"{cat} {_fmt(v)}" if cat else _fmt(v))
        label = container.get_label()
        if label and not label.startswith("_") and label not in categories.get("y" if horizontal else "x", []):
            named_series.add(label)
            parts.append(_("plots.alt.series", lang, name=label, values=", ".join(pairs)))
        else:
            unnamed.extend(pairs)
    if unnamed:
        parts.append(_("plots.alt.values", lang, values=", ".join(unnamed)))
    for line in ax.get_lines():
        label = line.get_label()
        if not label or label.startswith("_"):
            continue
        ys = [float(v) for v in np.asarray(line.get_ydata(), dtype=float)]
        xs = np.asarray(line.get_xdata(), dtype=float) if "x" in positions else None
        if len(ys) > 1 and xs is not None and len(ys) == len(categories["x"]) + 1 and ys[0] == ys[-1]:
            ys, xs = ys[:-1], xs[:-1]  # a closed (radar) line
        if xs is not None and len(xs) == len(ys):
            vals = [f"{category('x', x) or _fmt(x)} {_fmt(y)}" for x, y in zip(xs, ys)]
        else:
            vals = [_fmt(y) for y in ys]
        named_series.add(label)
        parts.append(_("plots.alt.series", lang, name=label, values=", ".join(vals)))
    for image in ax.get_images():
        rows, cols = np.shape(image.get_array())[:2]
        parts.append(_("plots.alt.grid", lang, rows=rows, cols=cols))
    legend = ax.get_legend()
    if legend is not None:
        listed = named_series | set(categories.get("x", [])) | set(categories.get("y", []))
        entries = [t.get_text() for t in legend.get_texts() if t.get_text().strip() and t.get_text() not in listed]
        if entries:
            title = legend.get_title().get_text().strip()
            parts.append(_("plots.alt.series", lang, name=title, values=", ".join(entries)) if title
                         else _("plots.alt.labels", lang, values=", ".join(entries)))
    texts = [t.get_text().replace("\n", " ").strip() for t in ax.texts if t.get_text().strip()]
    if named_series:  # numbers written next to the points repeat the series' values
        texts = [t for t in texts if not _is_number(t)]
    if texts and not getattr(ax, "containers", None) and not ax.get_images():
        parts.append(_("plots.alt.labels", lang, values="; ".join(texts)))
    return " ".join(parts)


def text_alternative(obj, *, lang: str | None = None) -> str:
    """The text alternative of a chart: an Axes, or a Figure (all its Axes).

    The text set with :func:`set_text_alternative`, else a description built
    from the chart itself: title, axis names and categories, each series and
    its values, and the text written on it. Every ``plot_*`` function of this
    module draws charts whose description says what they show; a plain
    ``df.plot()`` gets one too.

    >>> ax = plot_instrument_groups(lang="en")
    >>> print(text_alternative(ax))
    Chart: WCO instruments by group (the article's three groups). ... Values: strategic 3, political / legal 6, operational 15.
    """
    return _alt_text(obj, lang, draw=True)


def _alt_text(obj, lang: str | None, *, draw: bool) -> str:
    """:func:`text_alternative`; ``draw=False`` when ``obj``'s figure was just drawn."""
    lang = resolve_lang(lang if lang is not None else getattr(obj, "_dcteach_lang", None))
    given = getattr(obj, _ALT_ATTR, None)
    if given:
        return given
    fig = obj if hasattr(obj, "savefig") else obj.figure
    if fig is not None and draw:
        fig.draw_without_rendering()  # automatic ticks get their text only when drawn
    if hasattr(obj, "savefig"):  # a Figure
        axes = [ax for ax in obj.get_axes() if ax.get_visible() and ax.axison or getattr(ax, _ALT_ATTR, None)]
        words = " ".join(_describe_axes(ax, resolve_lang(getattr(ax, "_dcteach_lang", lang))) for ax in axes)
        suptitle = getattr(obj, "_suptitle", None)
        if suptitle is not None and suptitle.get_text().strip():
            words = f"{suptitle.get_text().strip()}. {words}"
    else:
        words = _describe_axes(obj, lang)
    words = words.strip() or _("plots.alt.untitled", lang)
    return words if len(words) <= _ALT_LIMIT else words[: _ALT_LIMIT - 1] + "…"


def figure_bundle(fig, *, scale: float = 2.0) -> tuple[dict, dict] | None:
    """``fig`` drawn once, as IPython's ``(data, metadata)``: an ``<img alt>`` and the same PNG.

    IPython's formatter for matplotlib figures (registered when ``dcteach`` is
    imported in a notebook). The PNG is drawn at ``scale`` × the figure's
    resolution, so it stays sharp at 200 % zoom. ``text/html`` is an ``<img>``
    with the text alternative as ``alt`` (what JupyterLab and Voilà show);
    ``image/png`` is the same picture, with its display size as metadata, for
    what cannot show HTML (a PDF export). ``None`` for an empty figure.

    >>> ax = plot_instrument_groups(lang="en")
    >>> data, metadata = figure_bundle(ax.figure)
    >>> sorted(data), data["image/png"] in data["text/html"], sorted(metadata["image/png"])
    (['image/png', 'text/html'], True, ['height', 'width'])
    """
    import base64
    import html
    import io

    if not fig.get_axes():
        return None
    buf = io.BytesIO()
    dpi = fig.get_dpi()
    fig.canvas.print_figure(buf, format="png", dpi=dpi * scale, bbox_inches="tight")
    png = buf.getvalue()
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        width, height = round(im.width / scale), round(im.height / scale)
    payload = base64.b64encode(png).decode("ascii")
    alt = html.escape(_alt_text(fig, None, draw=False), quote=True)  # ticks were set by the drawing
    img = (f'<img class="dcteach-figure" src="data:image/png;base64,{payload}" alt="{alt}" '
           f'width="{width}" style="max-width:100%;height:auto">')
    return {"text/html": img, "image/png": payload}, {"image/png": {"width": width, "height": height}}


def _axes(ax, lang: str, **subplot_kw):
    if ax is None:
        _fig, ax = plt.subplots(subplot_kw=subplot_kw or None)
    ax._dcteach_lang = lang  # the language of its text alternative
    return ax


def _short(text, width: int = 38) -> str:
    text = "" if text is None or pd.isna(text) else str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _as_codes(values: pd.Series, table: str, field: str) -> pd.Series:
    """Codes of an enum column loaded in any language (``load_dataset(lang="ru")`` gives labels).

    >>> _as_codes(pd.Series(["операционные", "strategic"]), "instruments", "group").tolist()
    ['operational', 'strategic']
    """
    from dcteach.data import LANGUAGES

    back = {label: code for lg in LANGUAGES for code, label in field_labels(table, field, lg).items()}
    return values.astype(str).map(lambda v: back.get(v, v))


def plot_instrument_groups(data: pd.DataFrame | None = None, *, ax=None, lang: str | None = None):
    """Bar chart: how many WCO instruments in each group (strategic, political/legal, operational).

    Parameters
    ----------
    data : DataFrame, optional
        The ``instruments`` table, loaded in any language (default: the core table).
    """
    lang = resolve_lang(lang)
    df = load_dataset("instruments") if data is None else data
    labels = field_labels("instruments", "group", lang)
    counts = _as_codes(df["group"], "instruments", "group").value_counts().reindex(list(labels), fill_value=0)
    ax = _axes(ax, lang)
    x = np.arange(len(counts))
    for i, (code, n) in enumerate(counts.items()):
        st = style(i)
        ax.bar(i, n, color=st["color"], hatch=st["hatch"], edgecolor="black", label=labels[code])
        ax.annotate(str(n), (i, n), ha="center", va="bottom", xytext=(0, 2), textcoords="offset points")
    ax.set_xticks(x, [labels[c] for c in counts.index])
    ax.set_ylabel(_("plots.groups.ylabel", lang))
    ax.set_title(_("plots.groups.title", lang))
    ax.set_ylim(0, max(counts.max(), 1) * 1.15)
    return ax


def plot_priority_map(matrix: pd.DataFrame | None = None, *, ax=None, lang: str | None = None,
                      highlight: tuple[str, str] | None = None):
    """Heatmap of instruments × priority areas; ✓ marks a link (our editorial mapping).

    Parameters
    ----------
    matrix : DataFrame, optional
        From :func:`priority_matrix` (default: the core data in ``lang``).
    highlight : (instrument_id, priority_area_id), optional
        A cell to outline (the one selected in :class:`dcteach.widgets.PriorityMap`).
    """
    lang = resolve_lang(lang)
    m = priority_matrix(lang) if matrix is None else matrix
    rows, cols = m.attrs.get("row_labels", {}), m.attrs.get("col_labels", {})
    heat = PALETTE["heatmap"]
    ax = _axes(ax, lang)
    values = m.to_numpy()
    ax.imshow(values, cmap=ListedColormap([heat["off"], heat["on"]]), vmin=0, vmax=1, aspect="auto",
              interpolation="nearest")
    for r, c in zip(*np.nonzero(values)):
        ax.text(c, r, "✓", ha="center", va="center", color=heat["text_on"], fontsize=9)
    ax.set_xticks(range(m.shape[1]), [f"{c}\n{_short(cols.get(c, ''), 16)}" for c in m.columns],
                  fontsize=7)
    ax.set_yticks(range(m.shape[0]), [f"{r} {_short(rows.get(r, ''), 30)}" for r in m.index], fontsize=7)
    ax.set_xticks(np.arange(-0.5, m.shape[1]), minor=True)
    ax.set_yticks(np.arange(-0.5, m.shape[0]), minor=True)
    ax.grid(which="minor", color=heat["grid"], linewidth=1)
    ax.tick_params(which="minor", length=0)
    if highlight is not None and highlight[0] in m.index and highlight[1] in m.columns:
        r, c = m.index.get_loc(highlight[0]), m.columns.get_loc(highlight[1])
        ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor=colour(3),
                                   linewidth=2.5, linestyle="--"))
    ax.set_xlabel(_("plots.priority.xlabel", lang))
    ax.set_ylabel(_("plots.priority.ylabel", lang))
    ax.set_title(_("plots.priority.title", lang, n=int(values.sum())), fontsize=10)
    links = [f"{m.index[r]} × {m.columns[c]}" for r, c in zip(*np.nonzero(values))]
    set_text_alternative(ax, None)
    words = _describe_axes(ax, lang)
    set_text_alternative(ax, f"{words} {_('plots.alt.series', lang, name=_('plots.priority.on', lang), values=', '.join(links))}")
    ax.legend(handles=[Patch(facecolor=heat["on"], edgecolor="black", label=_("plots.priority.on", lang)),
                       Patch(facecolor=heat["off"], edgecolor="black", label=_("plots.priority.off", lang))],
              loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    return ax


def _radar_frame(scores, lang: str) -> pd.DataFrame:
    if isinstance(scores, pd.Series):
        frame = scores.to_frame(scores.name or _("plots.radar.series", lang))
    else:
        frame = pd.DataFrame(scores)
    if frame.shape[0] < 3:
        raise UsageError("a radar chart needs at least three items (rows)")
    return frame


def _item_names(ids, lang: str) -> dict[str, str]:
    """Item id → its name in ``lang`` (``name_en``/``name_ru``), from the core tables that hold the ids.

    >>> _item_names(["EN-01", "PA-03", "nope"], "ru")
    {'EN-01': 'Стратегия', 'PA-03': 'Модель данных'}
    """
    from dcteach.data import list_datasets

    wanted = {str(i) for i in ids}
    prefixes = {i.split("-")[0] + "-" for i in wanted}
    column = f"name_{lang}"
    names: dict[str, str] = {}
    for table in list_datasets():
        frame = load_dataset(table)
        if "id" not in frame.columns or column not in frame.columns:
            continue
        if not frame["id"].astype(str).str.startswith(tuple(prefixes)).any():
            continue
        hit = frame[frame["id"].astype(str).isin(wanted) & frame[column].notna()]
        names.update(zip(hit["id"].astype(str), hit[column].astype(str)))
        if len(names) == len(wanted):
            break
    return {i: names[i] for i in map(str, ids) if i in names}


def _wrap(text: str, width: int, lines: int = 3) -> str:
    """``text`` on at most ``lines`` lines of ``width`` characters (the last cut with "…").

    >>> _wrap("Planning, optimisation and modelling of customs business processes", 20)
    'Planning,\\noptimisation and\\nmodelling of…'
    """
    import textwrap

    parts = textwrap.wrap(text, width, break_long_words=False) or [text]
    if len(parts) > lines:
        parts, last = parts[:lines], parts[lines - 1]
        while len(last) >= width:  # room for the "…": drop the last word (or characters of a long one)
            last = last.rsplit(" ", 1)[0] if " " in last else last[: width - 1]
        parts[-1] = last.rstrip(" ,;:") + "…"
    return "\n".join(parts)


def plot_radar(scores, *, ax=None, lang: str | None = None, max_level: int = 4,
               annotate: bool | None = None, title: str | None = None, labels="ids"):
    """Radar (spider) chart of one or several self-assessments on a 0–``max_level`` scale.

    Parameters
    ----------
    scores : DataFrame, Series or dict
        Rows are items (axes of the radar, labelled by their index, e.g. ``EN-01``);
        each column (or dict value) is one assessment. A Series is one assessment.
    annotate : bool, optional
        Write each value next to its point (default: only for a single series).
    title : str, optional
        The chart's title (default: "Self-assessment (levels 0–4)" in ``lang``;
        ``""`` for none).
    labels : {"ids", "names"} or dict
        Label each axis by its item id (default), by the item's name in
        ``lang`` from the core tables (an id no table knows stays as it is),
        or by a ``{id: label}`` mapping of your own. Long names are wrapped
        on up to three lines (cut with "…"); the text alternative gives them
        in full.

    >>> import pandas as pd
    >>> ax = plot_radar(pd.DataFrame({"2024": [1, 2, 3], "2025": [2, 3, 4]}, index=["a", "b", "c"]))
    >>> len(ax.lines), [t.get_text() for t in ax.get_legend().get_texts()]
    (2, ['2024', '2025'])
    >>> country = "Armenia"  # a title of one's own
    >>> ax = plot_radar(pd.Series([2, 3, 1], index=["EN-01", "EN-02", "EN-03"], name="2023"),
    ...                 labels="names", title=country, lang="ru")
    >>> ax.get_title(), [t.get_text() for t in ax.get_xticklabels()]
    ('Armenia', ['Стратегия', 'Правовая основа', 'Структура управления'])
    """
    lang = resolve_lang(lang)
    frame = _radar_frame(scores, lang)
    ids = [str(i) for i in frame.index]
    if isinstance(labels, str) and labels == "ids":
        full = ids
    elif isinstance(labels, str) and labels == "names":
        known = _item_names(ids, lang)
        full = [known.get(i, i) for i in ids]
    elif isinstance(labels, (dict, pd.Series)):
        full = [str(labels.get(i, labels.get(k, i))) for i, k in zip(ids, frame.index)]
    else:
        raise UsageError(f"labels must be \"ids\", \"names\" or a {{id: label}} dict, not {labels!r}")
    named = full != ids
    if ax is None and named:  # names need room around the circle
        fig, ax = plt.subplots(figsize=(9, 6.5), subplot_kw={"projection": "polar"})
        fig.subplots_adjust(left=0.22, right=0.7, bottom=0.14, top=0.84)
    ax = _axes(ax, lang, projection="polar")
    if getattr(ax, "name", "") != "polar":
        raise UsageError("plot_radar needs a polar Axes: plt.subplots(subplot_kw={'projection': 'polar'})")
    n = frame.shape[0]
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    closed = np.append(angles, angles[0])
    annotate = frame.shape[1] == 1 if annotate is None else annotate
    for i, name in enumerate(frame.columns):
        st = style(i)
        vals = frame[name].to_numpy(dtype=float)
        ax.plot(closed, np.append(vals, vals[0]), color=st["color"], marker=st["marker"],
                linestyle=st["linestyle"], linewidth=1.8, label=str(name))
        ax.fill(closed, np.append(vals, vals[0]), color=st["color"], alpha=0.08)
        if annotate:
            for a, v in zip(angles, vals):
                ax.annotate(f"{v:g}", (a, v), xytext=(4, 4), textcoords="offset points", fontsize=8)
    if named:
        width = 20 if n <= 8 else 16
        ax.set_xticks(angles, [_wrap(t, width) for t in full], fontsize=8)
        for text, angle, whole in zip(ax.get_xticklabels(), angles, full):
            # left of the circle, right-aligned; right of it, left-aligned: the text grows away from it
            cos = np.cos(angle)
            text.set_horizontalalignment("left" if cos > 0.2 else "right" if cos < -0.2 else "center")
            setattr(text, _FULL_ATTR, whole)  # the text alternative reads the whole name
    else:
        ax.set_xticks(angles, full, fontsize=9)
    ax.tick_params(axis="x", pad=4)
    ax.set_ylim(0, max_level)
    # level numbers half-way between two items, never on an item's label; no "0" on the centre
    ax.set_yticks(range(max_level + 1), [""] + [str(v) for v in range(1, max_level + 1)], fontsize=8)
    ax.set_rlabel_position(np.degrees(np.pi / n))
    ax.set_title(_("plots.radar.title", lang, max=max_level) if title is None else str(title), fontsize=11)
    ax.legend(loc="upper right", bbox_to_anchor=(1.35, 1.1), fontsize=8)
    return ax


def update_radar(scores, *, ax):
    """Move the series of a radar drawn by :func:`plot_radar` to new values, in place.

    Much cheaper than clearing and redrawing: only the lines, their fills and
    the value labels change (together with
    :class:`dcteach.widgets._common.FastFigure`, only they are redrawn). The
    items and the series must be those the radar was drawn with.

    Parameters
    ----------
    scores : DataFrame, Series or dict
        As for :func:`plot_radar`: same rows (items) and columns (series).
    ax : matplotlib Axes
        The polar Axes :func:`plot_radar` drew on.

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    UsageError
        If ``ax`` does not hold a radar of the same shape (then draw it with :func:`plot_radar`).

    Examples
    --------
    >>> import pandas as pd
    >>> ax = plot_radar(pd.Series([1, 2, 3], index=["a", "b", "c"], name="x"))
    >>> ax = update_radar(pd.Series([4, 2, 3], index=["a", "b", "c"], name="x"), ax=ax)
    >>> ax.lines[0].get_ydata().tolist(), ax.texts[0].get_text()
    ([4.0, 2.0, 3.0, 4.0], '4')
    """
    frame = _radar_frame(scores, "en")
    n, k = frame.shape
    lines, fills = ax.lines, ax.patches
    if getattr(ax, "name", "") != "polar" or len(lines) != k or len(fills) != k or any(
        len(line.get_xdata()) != n + 1 for line in lines
    ):
        raise UsageError("update_radar needs the Axes of a radar drawn by plot_radar with the same items and series")
    angles = np.asarray(lines[0].get_xdata()[:-1], dtype=float)
    annotated = len(ax.texts) == n * k
    for i, name in enumerate(frame.columns):
        vals = frame[name].to_numpy(dtype=float)
        closed = np.append(vals, vals[0])
        lines[i].set_ydata(closed)
        fills[i].set_xy(np.column_stack([np.append(angles, angles[0]), closed]))
        if annotated:
            for text, a, v in zip(ax.texts[i * n:(i + 1) * n], angles, vals):
                text.xy = (a, v)
                text.set_text(f"{v:g}")
    return ax


TIMELINE_SIZE = (10, 5)  # inches: room for every event's label beside its mark

# (dx, dy) in points from the mark, tried in this order: beside it, then further out with a leader line
_SPOTS_BESIDE = ((0, 9), (0, -10), (11, 0), (-11, 0))
_SPOTS_FURTHER = ((0, 22), (0, -23), (24, 14), (-24, 14), (24, -15), (-24, -15), (0, 35), (0, -36))


def _label_points(ax, points, texts, *, fontsize: float) -> None:
    """Write ``texts[i]`` next to ``points[i]`` (data coordinates), overlapping no other label.

    Each label takes the first of the spots above where it overlaps no label already
    written and no mark, and stays inside the Axes; when none is free, the one that
    overlaps least. A label not right beside its mark gets a thin leader line.
    Points are labelled left to right, so the same data give the same figure. Set
    the Axes' limits first.
    """
    get_renderer = getattr(ax.figure.canvas, "get_renderer", None)  # Agg canvases, the inline backend's too
    renderer = get_renderer() if get_renderer else ax.figure._get_renderer()
    frame = ax.get_window_extent(renderer)
    pad = 2 * ax.figure.dpi / 72  # two points around each label and mark, in pixels
    taken = []
    for x, y in points:
        px, py = ax.transData.transform((ax.convert_xunits(x), ax.convert_yunits(y)))
        taken.append(Bbox.from_extents(px - 3 * pad, py - 3 * pad, px + 3 * pad, py + 3 * pad))

    def clash(box) -> float:
        if box.y0 < frame.y0 or box.y1 > frame.y1 or box.x0 < frame.x0 or box.x1 > frame.x1:
            return float("inf")
        overlaps = (Bbox.intersection(box, t) for t in taken)
        return sum(o.width * o.height for o in overlaps if o is not None)

    spots = [(spot, True) for spot in _SPOTS_BESIDE] + [(spot, False) for spot in _SPOTS_FURTHER]
    for (x, y), text in sorted(zip(points, texts), key=lambda pair: pair[0]):
        best = None
        for (dx, dy), beside in spots:
            label = ax.annotate(
                text, (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=fontsize, linespacing=1.0,
                ha="center" if dx == 0 else ("left" if dx > 0 else "right"),
                va="center" if dy == 0 else ("bottom" if dy > 0 else "top"),
                arrowprops=None if beside else {"arrowstyle": "-", "color": "0.45", "lw": 0.6, "shrinkA": 1, "shrinkB": 5},
            )
            box = label.get_window_extent(renderer).padded(pad)
            cost = clash(box)
            if best is None or cost < best[0]:
                if best is not None:
                    best[1].remove()
                best = (cost, label, box)
            else:
                label.remove()
            if cost == 0:
                break
        taken.append(best[2])


def plot_timeline(events: pd.DataFrame | None = None, *, ax=None, lang: str | None = None):
    """Events by date (x) and body (one row per body), each marked and labelled in text.

    Labels give the event id and the date as precise as known (``2018``, never
    ``2018-01-01``). Each sits beside its mark where it covers no other label and
    no mark; in the default 10 × 5 in figure (the Timeline widget's) that holds for
    every event of the core table, in both languages. In a smaller Axes a label
    may have to overlap: it takes the place where it overlaps least.

    Parameters
    ----------
    events : DataFrame, optional
        The ``events`` table, loaded in any language (default: the core table), possibly filtered.
    ax : matplotlib Axes, optional
        Where to draw (default: a new 10 × 5 in figure).
    """
    lang = resolve_lang(lang)
    ev = load_dataset("events") if events is None else events
    ev = ev.assign(body=_as_codes(ev["body"], "events", "body"))
    labels = field_labels("events", "body", lang)
    bodies = [b for b in labels if b in set(ev["body"].astype(str))]
    if ax is None:
        _fig, ax = plt.subplots(figsize=TIMELINE_SIZE)
    ax = _axes(ax, lang)
    points, texts = [], []
    for i, body in enumerate(bodies):
        sub = ev[ev["body"].astype(str) == body]
        st = style(list(labels).index(body))
        x = [date_position(d) for d in sub["date_start"]]
        ax.scatter(x, [i] * len(x), color=st["color"], marker=st["marker"], s=60, edgecolor="black",
                   zorder=3, label=labels[body])
        points += [(xx, i) for xx in x]
        texts += [f"{row.id}\n{format_partial_date(row.date_start, row.date_precision)}" for row in sub.itertuples()]
    ax.set_yticks(range(len(bodies)), [labels[b] for b in bodies], fontsize=9)
    ax.set_ylim(-0.9, max(len(bodies) - 0.1, 0.9))  # room for labels above the top row and below the bottom one
    if points:
        xs = [p[0] for p in points]
        ax.set_xlim(min(xs) - pd.Timedelta(days=300), max(xs) + pd.Timedelta(days=300))  # room for the end labels
    ax.set_xlabel(_("plots.timeline.xlabel", lang))
    ax.set_title(_("plots.timeline.title", lang, n=len(ev)), fontsize=10)
    ax.grid(axis="x", linestyle=":", alpha=0.6)
    _label_points(ax, points, texts, fontsize=8)
    return ax


def plot_distribution(counts, *, ax=None, lang: str | None = None, title: str | None = None):
    """Horizontal bars: how many items were put in each competency type (counts written).

    Parameters
    ----------
    counts : Series or dict
        ``{competency type code: count}`` (e.g. from
        :func:`dcteach.widgets.competency_classifier.type_distribution`).

    >>> ax = plot_distribution({"strategic": 2, "core": 0, "key": 5, "leading": 1}, lang="ru")
    >>> [t.get_text() for t in ax.texts]
    ['2', '0', '5', '1']
    >>> ax.get_yticklabels()[0].get_text()
    'стратегическая'
    """
    lang = resolve_lang(lang)
    counts = pd.Series(counts, dtype="int64")
    names = field_labels("competency_types", "term", lang)
    ax = _axes(ax, lang)
    for i, (code, n) in enumerate(counts.items()):
        st = style(i)
        ax.barh(i, n, color=st["color"], hatch=st["hatch"], edgecolor="black")
        ax.annotate(str(n), (n, i), xytext=(3, 0), textcoords="offset points", va="center")
    ax.set_yticks(range(len(counts)), [names.get(c, c) for c in counts.index])
    ax.invert_yaxis()
    ax.set_xlim(0, max(int(counts.max()) if len(counts) else 0, 1) * 1.15)
    ax.set_xlabel(_("plots.distribution.xlabel", lang))
    ax.set_title(title or _("plots.distribution.title", lang, n=int(counts.sum())), fontsize=10)
    return ax
