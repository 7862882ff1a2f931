"""Plots of the data package (matplotlib): colour-blind-safe, labelled in text.

Every function takes its data first, ``ax=None`` (a new figure when omitted)
and ``lang`` (``"en"``/``"ru"``; default ``$DCTEACH_LANG`` or English), and
returns the Axes. Colours come from the Okabe–Ito palette in
``dcteach/palette.json``; each series also has its own marker, line style or
hatch, and values are written on the plot, so colour is never the only cue.
Titles and axis labels come from the message catalogues (``dcteach/locales``).

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
    "style",
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


def _axes(ax, **subplot_kw):
    if ax is None:
        _fig, ax = plt.subplots(subplot_kw=subplot_kw or None)
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
    ax = _axes(ax)
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
    ax = _axes(ax)
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


def plot_radar(scores, *, ax=None, lang: str | None = None, max_level: int = 4,
               annotate: bool | None = None):
    """Radar (spider) chart of one or several self-assessments on a 0–``max_level`` scale.

    Parameters
    ----------
    scores : DataFrame, Series or dict
        Rows are items (axes of the radar, labelled by their index, e.g. ``EN-01``);
        each column (or dict value) is one assessment. A Series is one assessment.
    annotate : bool, optional
        Write each value next to its point (default: only for a single series).

    >>> import pandas as pd
    >>> ax = plot_radar(pd.DataFrame({"2024": [1, 2, 3], "2025": [2, 3, 4]}, index=["a", "b", "c"]))
    >>> len(ax.lines), [t.get_text() for t in ax.get_legend().get_texts()]
    (2, ['2024', '2025'])
    """
    lang = resolve_lang(lang)
    frame = _radar_frame(scores, lang)
    ax = _axes(ax, projection="polar")
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
    ax.set_xticks(angles, [str(i) for i in frame.index], fontsize=7)
    ax.set_ylim(0, max_level)
    ax.set_yticks(range(max_level + 1), [str(v) for v in range(max_level + 1)], fontsize=7)
    ax.set_title(_("plots.radar.title", lang, max=max_level), fontsize=10)
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


def plot_timeline(events: pd.DataFrame | None = None, *, ax=None, lang: str | None = None):
    """Events by date (x) and body (one row per body), each marked and labelled in text.

    Labels give the event id and the date as precise as known (``2018``, never ``2018-01-01``).

    Parameters
    ----------
    events : DataFrame, optional
        The ``events`` table, loaded in any language (default: the core table), possibly filtered.
    """
    lang = resolve_lang(lang)
    ev = load_dataset("events") if events is None else events
    ev = ev.assign(body=_as_codes(ev["body"], "events", "body"))
    labels = field_labels("events", "body", lang)
    bodies = [b for b in labels if b in set(ev["body"].astype(str))]
    ax = _axes(ax)
    for i, body in enumerate(bodies):
        sub = ev[ev["body"].astype(str) == body]
        st = style(list(labels).index(body))
        x = [date_position(d) for d in sub["date_start"]]
        ax.scatter(x, [i] * len(x), color=st["color"], marker=st["marker"], s=60, edgecolor="black",
                   zorder=3, label=labels[body])
        for k, (xx, row) in enumerate(zip(x, sub.itertuples())):
            date = format_partial_date(row.date_start, row.date_precision)
            ax.annotate(f"{row.id}\n{date}", (xx, i), xytext=(0, (10, -22, 24)[k % 3]),
                        textcoords="offset points", fontsize=6, ha="center")
    ax.set_yticks(range(len(bodies)), [labels[b] for b in bodies], fontsize=8)
    ax.set_ylim(-0.7, max(len(bodies) - 0.3, 0.7))
    ax.set_xlabel(_("plots.timeline.xlabel", lang))
    ax.set_title(_("plots.timeline.title", lang, n=len(ev)), fontsize=10)
    ax.grid(axis="x", linestyle=":", alpha=0.6)
    if bodies:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=7)
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
    ax = _axes(ax)
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
