"""Plots: artists, text labels, palette, both languages."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import dcteach as dc  # noqa: E402
from dcteach import plots  # noqa: E402


def test_palette_is_okabe_ito_and_complete():
    assert plots.PALETTE["colours"]["vermillion"] == "#D55E00"
    n = len(plots.PALETTE["cycle"])
    for key in ("markers", "linestyles", "hatches"):
        assert len(plots.PALETTE[key]) >= n
    assert len({plots.colour(i) for i in range(n)}) == n


@pytest.mark.parametrize("lang, label", [("en", "political / legal"), ("ru", "политико-правовые")])
def test_instrument_groups(lang, label):
    ax = plots.plot_instrument_groups(lang=lang)
    assert [t.get_text() for t in ax.texts] == ["3", "6", "15"]
    assert label in [t.get_text() for t in ax.get_xticklabels()]
    assert len({p.get_hatch() for p in ax.patches}) == 3  # hatches, not colour alone


def test_instrument_groups_uses_given_axes():
    fig, ax = plt.subplots()
    assert plots.plot_instrument_groups(ax=ax) is ax


@pytest.mark.parametrize("lang, word", [("en", "editorial"), ("ru", "редакционное")])
def test_priority_map(lang, word):
    ax = plots.plot_priority_map(lang=lang)
    image = ax.images[0].get_array()
    m = plots.priority_matrix(lang)
    assert image.shape == (24, 7) and int(image.sum()) == 29
    assert (image == m.to_numpy()).all()
    assert sum(t.get_text() == "✓" for t in ax.texts) == 29
    assert word in ax.get_title() and "29" in ax.get_title()
    assert len(ax.get_legend().get_texts()) == 2


def test_priority_map_highlight():
    ax = plots.plot_priority_map(highlight=("INS-DM", "PA-03"))
    assert len(ax.patches) == 1


def test_radar_several_series_markers_and_legend():
    scores = pd.DataFrame({"A": [0, 1, 2, 3, 4], "B": [4, 3, 2, 1, 0], "C": [2] * 5},
                          index=[f"EN-0{i}" for i in range(1, 6)])
    ax = plots.plot_radar(scores, lang="ru")
    assert len(ax.lines) == 3
    assert len({ln.get_marker() for ln in ax.lines}) == 3
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["A", "B", "C"]
    assert "0–4" in ax.get_title() and "Самооценка" in ax.get_title()
    assert len(ax.texts) == 0  # values are annotated only for a single series


def test_radar_single_series_annotated_and_errors():
    ax = plots.plot_radar(pd.Series([1, 2, 3], index=list("abc")), lang="en")
    assert sorted(t.get_text() for t in ax.texts) == ["1", "2", "3"]
    with pytest.raises(ValueError, match="polar"):
        plots.plot_radar(pd.Series([1, 2, 3]), ax=plt.subplots()[1])
    with pytest.raises(ValueError, match="three"):
        plots.plot_radar(pd.Series([1, 2]))


@pytest.mark.parametrize("lang, body", [("en", "Capacity Building Committee"),
                                        ("ru", "Комитет по наращиванию потенциала")])
def test_timeline(lang, body):
    ax = plots.plot_timeline(lang=lang)
    labels = [t.get_text() for t in ax.texts]
    assert len(labels) == 16
    assert "EV-14\n2018" in labels          # year precision, not 2018-01-01
    assert "EV-13\n2018-06" in labels
    assert body in [t.get_text() for t in ax.get_yticklabels()]
    assert len(ax.collections) == len(ax.get_yticks())  # one marker series per body


def _label_clashes(ax):
    """Labels of ``ax`` that leave the Axes, overlap another label or cover a mark (in pixels)."""
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts]
    marks = [tuple(xy) for c in ax.collections for xy in c.get_offset_transform().transform(c.get_offsets())]
    found = []
    for i, (text, box) in enumerate(boxes):
        if box.x0 < frame.x0 or box.x1 > frame.x1 or box.y0 < frame.y0 or box.y1 > frame.y1:
            found.append(f"{text!r} leaves the Axes")
        found += [f"{text!r} overlaps {other!r}" for other, box2 in boxes[i + 1:] if box.overlaps(box2)]
        found += [f"{text!r} covers the mark at {xy}" for xy in marks if box.contains(*xy)]
    return found


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("bodies", [None, ("policy_commission", "capacity_building_committee", "other")])
def test_timeline_labels_cover_no_label_and_no_mark(lang, bodies):
    events = dc.load_dataset("events")
    if bodies:
        events = events[events["body"].astype(str).isin(bodies)]
    ax = plots.plot_timeline(events, lang=lang)
    assert tuple(ax.figure.get_size_inches()) == plots.TIMELINE_SIZE
    assert len(ax.texts) == len(events)
    assert _label_clashes(ax) == []
    assert min(t.get_fontsize() for t in ax.texts) >= 8


def test_timeline_label_clashes_are_found():
    fig, ax = plt.subplots(figsize=(2, 1.5))  # far too small: labels must overlap
    plots.plot_timeline(ax=ax)
    assert any("overlaps" in c for c in _label_clashes(ax))


def test_distribution():
    ax = plots.plot_distribution({"strategic": 1, "core": 2, "key": 0, "leading": 4}, lang="en")
    assert [t.get_text() for t in ax.texts] == ["1", "2", "0", "4"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["strategic", "core", "key", "leading"]
    assert "7 classified" in ax.get_title()


def test_priority_matrix_and_gap_list_are_pure():
    m = plots.priority_matrix("en")
    links = dc.load_dataset("instrument_priority_links")
    assert int(m.values.sum()) == len(links)
    assert m.attrs["basis"] == "editorial"
    gaps = plots.gap_list({"a": 4, "b": 0, "c": 2})
    assert list(gaps["id"]) == ["b", "c", "a"] and list(gaps["gap"]) == [4, 2, 0]


def test_no_figures_leak_between_tests():
    assert plt.get_fignums() == []


def test_update_radar_moves_values_in_place_and_refuses_another_shape():
    import pandas as pd

    from dcteach._errors import UsageError
    from dcteach.plots import plot_radar, update_radar

    frame = pd.DataFrame({"a": [1, 2, 3, 4], "b": [0, 1, 0, 1]}, index=list("wxyz"))
    ax = plot_radar(frame)
    lines = list(ax.lines)
    assert update_radar(frame + 1, ax=ax) is ax and list(ax.lines) == lines
    assert ax.lines[1].get_ydata().tolist() == [1, 2, 1, 2, 1]
    assert ax.patches[0].get_xy()[:, 1].tolist()[:4] == [2, 3, 4, 5]
    with pytest.raises(UsageError, match="same items and series"):
        update_radar(frame[["a"]], ax=ax)
    with pytest.raises(UsageError, match="same items and series"):
        update_radar(frame.iloc[:3], ax=ax)


def _label_boxes(ax):
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return [t.get_window_extent(renderer) for t in ax.get_xticklabels()], fig.bbox, renderer


def test_radar_title_of_ones_own():
    scores = pd.Series([1, 2, 3], index=["EN-01", "EN-02", "EN-03"], name="2023")
    ax = plots.plot_radar(scores, title="Armenia, 2023", lang="ru")
    assert ax.get_title() == "Armenia, 2023"
    assert plots.text_alternative(ax).startswith("Диаграмма: Armenia, 2023.")
    assert plots.plot_radar(scores, title="").get_title() == ""


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_radar_axes_named_in_the_plots_language(lang):
    enablers = dc.load_dataset("enablers")
    scores = pd.Series(range(7), index=enablers["id"], name="2023").clip(upper=4)
    ax = plots.plot_radar(scores, labels="names", lang=lang)
    ticks = [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()]
    assert ticks == enablers[f"name_{lang}"].tolist()  # every enabler name fits on its lines, whole
    alt = plots.text_alternative(ax)
    assert f"{enablers[f'name_{lang}'][3]} 3" in alt and "EN-04" not in alt
    # the default is unchanged: ids
    assert [t.get_text() for t in plots.plot_radar(scores, lang=lang).get_xticklabels()] == enablers["id"].tolist()


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_radar_long_names_are_wrapped_do_not_collide_and_stay_whole_in_the_text_alternative(lang):
    caps = dc.load_dataset("capabilities")  # 13 items, names of up to 114 characters
    scores = pd.DataFrame({"2019": [i % 5 for i in range(len(caps))], "2023": [(i + 2) % 5 for i in range(len(caps))]},
                          index=caps["id"])
    ax = plots.plot_radar(scores, labels="names", lang=lang)
    labels = ax.get_xticklabels()
    assert all(len(line) <= 16 for t in labels for line in t.get_text().split("\n"))
    assert all(t.get_text().count("\n") <= 2 for t in labels)
    assert any(t.get_text().endswith("…") for t in labels)  # the longest are cut for the eye...
    alt = plots.text_alternative(ax)
    longest = max(caps[f"name_{lang}"], key=len)
    assert f"{longest} " in alt  # ...and given whole to a screen reader
    boxes, figure, renderer = _label_boxes(ax)
    boxes += [ax.get_legend().get_window_extent(renderer), ax.title.get_window_extent(renderer)]
    for i, a in enumerate(boxes):
        assert figure.x0 <= a.x0 and a.x1 <= figure.x1 and figure.y0 <= a.y0 and a.y1 <= figure.y1, i
        for j, b in enumerate(boxes[i + 1:], i + 1):
            assert not a.overlaps(b), (i, j)


def test_radar_labels_of_ones_own_and_unknown_ids():
    scores = pd.Series([1, 2, 3], index=["EN-01", "MY-01", "MY-02"])
    ax = plots.plot_radar(scores, labels="names", lang="en")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Strategy", "MY-01", "MY-02"]
    ax = plots.plot_radar(scores, labels={"MY-01": "Interviews"}, lang="en")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["EN-01", "Interviews", "MY-02"]
    with pytest.raises(ValueError, match='labels must be "ids", "names"'):
        plots.plot_radar(scores, labels="titles")


FIGURE_CELLS = {
    "dcteach first": ["import dcteach as dc", "import matplotlib.pyplot as plt"],
    "pyplot first": ["import matplotlib.pyplot as plt", "import dcteach as dc"],
    "%matplotlib inline after": ["import dcteach as dc", "%matplotlib inline\nimport matplotlib.pyplot as plt"],
}
COUNT_DRAWS = """
import matplotlib.figure
draws = []
_draw = matplotlib.figure.Figure.draw
def _counting(self, renderer):
    draws.append(1)
    return _draw(self, renderer)
matplotlib.figure.Figure.draw = _counting
"""


@pytest.mark.parametrize("order", FIGURE_CELLS)
def test_a_kernel_shows_a_figure_once_as_img_alt_drawn_once(order, monkeypatch):
    """In a kernel a figure is drawn once (two draws: one finds the tight bounding box), at twice
    the resolution, and shown as an <img alt> and as the same PNG (for a PDF export), whatever
    the import order; the inline backend draws no second PNG unless asked to."""
    import base64

    import nbformat
    from nbclient import NotebookClient

    code = [*FIGURE_CELLS[order], COUNT_DRAWS,
            "ax = dc.plots.plot_instrument_groups(lang='ru')\nplt.show()",
            "print(len(draws), dc.plots.text_alternative(ax) == dc.plots.text_alternative(ax.figure))",
            "from matplotlib_inline.backend_inline import set_matplotlib_formats\nset_matplotlib_formats('png')\n"
            "plt.figure(); plt.plot([1, 2]); plt.show()"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in code])
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's own default: the inline backend
    NotebookClient(nb, timeout=120).execute()
    shown, counted, png_again = nb.cells[-3].outputs, nb.cells[-2].outputs, nb.cells[-1].outputs
    assert [sorted(o["data"]) for o in shown] == [["image/png", "text/html", "text/plain"]]
    data, metadata = shown[0]["data"], shown[0]["metadata"]
    html = data["text/html"]
    assert html.startswith(f'<img class="dcteach-figure" src="data:image/png;base64,{data["image/png"]}" alt="')
    assert "политико-правовые 6" in html.split(' alt="', 1)[1]  # the text alternative, in Russian
    png = base64.b64decode(data["image/png"])
    width = int.from_bytes(png[16:20], "big")  # the PNG's IHDR: drawn at twice the size it is shown
    assert metadata["image/png"]["width"] == round(width / 2) and f'width="{round(width / 2)}"' in html
    assert counted[0]["text"].split() == ["2", "True"]
    again = png_again[0]["data"]
    assert sorted(again) == ["image/png", "text/html", "text/plain"]
    assert again["image/png"] not in again["text/html"]  # the inline backend's own PNG, drawn again
