"""The course in a real browser: ``dcteach course`` (JupyterLab) driven by headless Chromium.

One JupyterLab server and one Chromium for the module, on a temporary copy of
``notebooks/`` (JupyterLab autosaves; the checkout is never touched). Each test
opens a notebook in its own tab, runs all cells from the Run menu once the
kernel is idle, and works the live widgets. Screenshots and the server log go
to ``test-artifacts/``. Skips without Chromium unless ``DCTEACH_REQUIRE_BROWSER=1``
(CI), which turns the skip into a failure.
"""

from __future__ import annotations

import re
import shutil
import uuid

import nbformat
import pytest
from playwright.sync_api import expect

from _browser_support import (ARTIFACTS, REPO, axe_violations, cut_off_labels, element_screenshot, served_in_chromium,
                              unlabelled_controls)
from dcteach.assessment import assessment_items, load_scale
from dcteach.data import load_dataset
from dcteach.i18n import _, field_labels, ngettext
from dcteach.widgets.instrument_explorer import filter_instruments

pytestmark = pytest.mark.browser

SELF_ASSESSMENT_NB = "05_ict_governance_and_capabilities.ipynb"
EXPLORER_NB = "04_instruments_and_tools.ipynb"
PRIORITY_MAP_NB = "02_enablers_and_priority_areas.ipynb"
#: Every course notebook (the axe-core check runs on each one's outputs).
COURSE_NOTEBOOKS = sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def course_copy(tmp_path_factory):
    """A copy of the course's notebooks with no stored outputs (what the ``lab`` serves)."""
    course = tmp_path_factory.mktemp("course") / "course"
    shutil.copytree(REPO / "notebooks", course, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for path in course.rglob("*.ipynb"):  # no stored outputs: everything seen comes from this run
        _write_cleared(path, path)
    return course


def _write_cleared(source: Path, target: Path) -> None:
    """Write ``source`` to ``target`` without outputs, execution counts or widget state."""
    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, target)


@pytest.fixture(scope="module")
def lab(course_copy):
    """``(browser context, base URL, token)`` of a JupyterLab on a copy of the course."""
    course, tmp = course_copy, course_copy.parent
    with served_in_chromium(tmp, "course", "--dir", str(course), "--lang", "en",
                            probe="/api/status?token={token}", log_name="course-server.log") as lab:
        yield lab


def open_and_run_all(lab, notebook: str):
    """Open ``notebook`` in a new tab, wait for an idle kernel, then Run ▸ Run All Cells."""
    context, base, token = lab
    page = context.new_page()
    # a workspace of its own, reset: JupyterLab's default workspace would also restore the notebooks
    # that earlier tests opened, and the status bar could then show another notebook's idle kernel
    page.goto(f"{base}/lab/workspaces/t{uuid.uuid4().hex[:12]}/tree/{notebook}?reset&token={token}")
    # the toolbar can read idle before a kernel session exists: wait for its name in the status bar
    expect(page.locator("#jp-main-statusbar")).to_contain_text("Python 3 (ipykernel) | Idle")
    page.locator("#jp-MainMenu").get_by_text("Run", exact=True).click()
    page.locator("[data-command='runmenu:run-all']").click()
    return page


def wait_all_cells_ran(page):
    """Wait until every code cell shows an execution number (outputs were cleared in the copy)."""
    try:
        page.wait_for_function(
            r"""() => {
              const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')];
              return prompts.length > 0 && prompts.every(p => /\[\d+\]/.test(p.textContent));
            }""")
    except Exception:  # keep what the screen showed, then fail as before
        page.screenshot(path=str(ARTIFACTS / "timeout-wait-all-cells-ran.png"), full_page=True)
        raise
    expect(page.locator("#jp-main-statusbar")).to_contain_text("Python 3 (ipykernel) | Idle")


def live_widget(page, css_class, *, has_text=None):
    """The live widget with the stable CSS class ``css_class`` (e.g. ``dcteach-self-assessment``)."""
    found = page.locator(f".{css_class}")
    if has_text is not None:
        found = found.filter(has_text=has_text)
    found.first.wait_for()
    return found.first


@pytest.fixture(scope="module")
def assessment_page(lab):
    """Notebook 05 with its SelfAssessment live (English)."""
    page = open_and_run_all(lab, SELF_ASSESSMENT_NB)
    sa = live_widget(page, "dcteach-self-assessment")
    sa.locator(".dcteach-radar img").wait_for()  # the first radar is drawn
    yield page, sa
    page.close()


def _gap_list(sa):
    gaps = sa.locator(".dcteach-gaps")
    assert gaps.locator("b").text_content() == _("assessment.gaps_title", "en")
    return gaps


def test_self_assessment_slider_redraws_radar_and_gap_list(assessment_page):
    page, sa = assessment_page
    names = dict(zip(assessment_items("en")["id"], assessment_items("en")["name"]))
    radar = sa.locator(".dcteach-radar img")
    before_img, before_gaps = radar.get_attribute("src"), _gap_list(sa).text_content()
    handle = sa.locator(".dcteach-item-slider").filter(has_text="EN-02 ").locator("[role=slider]")
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _i in range(3):
        handle.press("ArrowRight")
    expect(handle).to_have_attribute("aria-valuenow", "3.0")
    level = load_scale()["levels"][3]["name"]["en"]
    expect(sa.get_by_text(_("assessment.level", "en", level=3, name=level), exact=True)).to_be_visible()
    line = _("assessment.gap_item", "en", id="EN-02", name=names["EN-02"], score=3, gap=1)
    expect(_gap_list(sa).locator("li", has_text=line)).to_have_count(1)
    assert _gap_list(sa).text_content() != before_gaps
    expect(radar).not_to_have_attribute("src", before_img)  # redrawn by the kernel
    page.screenshot(path=str(ARTIFACTS / "course-self-assessment.png"))
    element_screenshot(page, sa, ARTIFACTS / "course-self-assessment-widget.png")  # the whole widget


def test_self_assessment_results_in_text(assessment_page):
    """Every item's level is said in words (the gap list), not only drawn on the radar."""
    _page, sa = assessment_page
    items = _gap_list(sa).locator("li").all_text_contents()
    assert len(items) == len(assessment_items("en")) == 20
    for item_id in assessment_items("en")["id"]:
        assert sum(text.startswith(f"{item_id} ") for text in items) == 1
    # each slider has its level name next to it, in text
    assert sa.locator(".dcteach-level").filter(has_text=" — ").count() == 20


def test_self_assessment_slider_handles_have_names(assessment_page):
    """ipywidgets 8.1 leaves slider handles unnamed; the widget's own a11y_support names them."""
    page, sa = assessment_page
    names = dict(zip(assessment_items("en")["id"], assessment_items("en")["name"]))
    expect(page.get_by_role("slider", name=f"EN-02 {names['EN-02']}", exact=True)).to_have_count(1)
    expect(sa.get_by_role("slider", name=f"CAP-13 {names['CAP-13']}", exact=True)).to_have_count(1)
    assert unlabelled_controls(sa) == []


def test_self_assessment_sliders_say_the_level_in_words_with_one_tab_stop_each(assessment_page):
    """aria-valuetext is the level in words ("0 — Absent"); no editable readout doubles the Tab stops."""
    _page, sa = assessment_page
    absent = load_scale()["levels"][0]["name"]["en"]
    handle = sa.locator(".dcteach-item-slider").filter(has_text="CAP-13 ").get_by_role("slider")
    expect(handle).to_have_attribute("aria-valuetext", _("assessment.level", "en", level=0, name=absent))
    stops = sa.locator(".dcteach-item-slider").evaluate_all(
        "els => els.flatMap(e => [...e.querySelectorAll('*')]).filter(e => e.tabIndex >= 0"
        " && !e.disabled && e.getClientRects().length).length")
    assert stops == 20  # one per slider: the handle
    expect(sa.locator(".dcteach-item-slider .widget-readout:visible")).to_have_count(0)


def _contrast(rgb1, rgb2):
    def lum(rgb):
        c = [v / 255 for v in rgb]
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    hi, lo = sorted((lum(rgb1), lum(rgb2)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _rgb(css):
    return [int(float(v)) for v in re.findall(r"[\d.]+", css)[:3]]


def test_self_assessment_slider_handles_are_visible_and_focus_is_not_colour_only(assessment_page):
    page, sa = assessment_page
    handle = sa.locator(".dcteach-item-slider").filter(has_text="EN-03 ").locator(".noUi-handle")
    handle.scroll_into_view_if_needed()
    colours = handle.evaluate("""h => {
        let bg = 'rgb(255, 255, 255)';
        for (let e = h.parentElement; e; e = e.parentElement) {
          const c = getComputedStyle(e).backgroundColor;
          if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; }
        }
        return {handle: getComputedStyle(h).backgroundColor, page: bg};
    }""")
    assert _contrast(_rgb(colours["handle"]), _rgb(colours["page"])) >= 3, colours  # WCAG 1.4.11
    handle.focus()
    ring = handle.evaluate("h => { const s = getComputedStyle(h); return [s.outlineStyle, s.outlineWidth]; }")
    assert ring[0] != "none" and float(ring[1].rstrip("px")) >= 2, ring  # a shape, not a colour change


def test_self_assessment_radar_has_a_text_alternative(assessment_page):
    _page, sa = assessment_page
    alt = sa.locator(".dcteach-radar img").get_attribute("alt") or ""
    assert alt.startswith("Radar chart of the assessment") and "EN-02 " in alt and "CAP-13 " in alt


def test_self_assessment_long_names_are_not_cut_off_when_narrow(assessment_page):
    """At 200 % zoom (half the CSS width) every slider's description is shown whole (it wraps)."""
    page, sa = assessment_page
    old = page.viewport_size
    page.set_viewport_size({"width": old["width"] // 2, "height": old["height"] // 2})
    try:
        truncated = sa.locator(".dcteach-item-slider .widget-label").evaluate_all(
            "els => els.filter(e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)"
            ".map(e => e.textContent)")
        assert truncated == []
        assert sa.locator(".dcteach-item-slider .widget-label").count() == 20
        element_screenshot(page, sa, ARTIFACTS / "course-self-assessment-narrow.png")
    finally:
        page.set_viewport_size(old)


def test_self_assessment_in_russian(assessment_page):
    """A new cell creates the widget with ``lang="ru"``: Russian labels appear."""
    page, _sa = assessment_page
    last = page.locator(".jp-Notebook .jp-Cell").last
    last.scroll_into_view_if_needed()
    last.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")  # insert a cell below, in command mode
    page.keyboard.press("Enter")
    page.keyboard.insert_text('from dcteach.widgets import SelfAssessment\nSelfAssessment(lang="ru")')
    page.keyboard.press("Shift+Enter")
    ru = live_widget(page, "dcteach-self-assessment", has_text=_("assessment.section.enabler", "ru"))
    ru_names = dict(zip(assessment_items("ru")["id"], assessment_items("ru")["name"]))
    expect(ru.locator(".dcteach-item-slider .widget-label").get_by_text(f"EN-02 {ru_names['EN-02']}", exact=True)).to_be_visible()
    expect(ru.get_by_role("slider", name=f"EN-02 {ru_names['EN-02']}", exact=True)).to_have_count(1)
    expect(ru.get_by_role("button", name=_("assessment.save_json", "ru"))).to_be_visible()
    absent = load_scale()["levels"][0]["name"]["ru"]
    expect(ru.get_by_text(_("assessment.level", "ru", level=0, name=absent), exact=True).first).to_be_visible()
    expect(ru.locator(".dcteach-gaps b")).to_have_text(_("assessment.gaps_title", "ru"))
    expect(ru.get_by_role("link", name=_("assessment.download_csv", "ru"))).to_be_visible()
    assert any("\u0400" <= ch <= "\u04ff" for ch in ru_names["EN-02"])  # the labels really are Cyrillic
    assert cut_off_labels(ru) == []  # "Добавить к сравнению" is longer than ipywidgets' 148 px buttons
    element_screenshot(page, ru, ARTIFACTS / "course-self-assessment-ru.png")


def test_priority_map_cell_chosen_by_click(lab):
    """A click on a matrix cell (a button named after the cell) shows its rationale; every control is named."""
    page = open_and_run_all(lab, PRIORITY_MAP_NB)
    try:
        pm = live_widget(page, "dcteach-priority-map")
        pm.locator(".dcteach-map-figure img").wait_for()
        names = dict(zip(load_dataset("instruments")["id"], load_dataset("instruments")["name_en"]))
        areas = dict(zip(load_dataset("priority_areas")["id"], load_dataset("priority_areas")["name_en"]))
        cell = pm.get_by_role("button", name=_("map.cell_linked", "en", instrument=f"INS-DM {names['INS-DM']}",
                                                 area=f"PA-03 {areas['PA-03']}"), exact=True)
        expect(cell).to_have_count(1)
        cell.scroll_into_view_if_needed()
        cell.click()
        rationale = pm.locator(".dcteach-map-rationale")
        expect(rationale).to_contain_text("INS-DM × PA-03")
        expect(rationale).to_contain_text(_("map.rationale", "en"))
        expect(cell).to_have_class(re.compile(r"\bdcteach-selected\b"))
        not_linked = pm.get_by_role("button", name=re.compile(r"^INS-DM .* × PA-07 .*: not linked$"))
        not_linked.click()
        expect(rationale).to_contain_text(_("map.no_link", "en"))
        element_screenshot(page, pm, ARTIFACTS / "course-priority-map.png")
        assert unlabelled_controls(pm) == []
    finally:
        page.close()


def test_instrument_explorer_filters_and_shows_the_count(lab):
    page = open_and_run_all(lab, EXPLORER_NB)
    try:
        groups = field_labels("instruments", "group", "en")
        ex = live_widget(page, "dcteach-instrument-explorer")
        count = ex.locator(".dcteach-explorer-count")
        instruments = load_dataset("instruments")
        expect(count).to_have_text(ngettext("explorer.count", len(instruments), "en"))

        ex.get_by_role("combobox", name=_("explorer.group", "en")).select_option(label=groups["strategic"])
        n = len(filter_instruments(instruments, group="strategic"))
        assert 0 < n < len(instruments)
        expect(count).to_have_text(ngettext("explorer.count", n, "en"))

        ex.get_by_role("combobox", name=_("explorer.group", "en")).select_option(label=_("explorer.all", "en"))
        ex.get_by_role("textbox", name=_("explorer.search", "en")).fill("киотская")  # Russian text works too
        n = len(filter_instruments(instruments, text="киотская"))
        expect(count).to_have_text(ngettext("explorer.count", n, "en"))
        page.screenshot(path=str(ARTIFACTS / "course-instrument-explorer.png"))

        assert unlabelled_controls(ex) == []
        # the dropdowns show "(all)", not a blank box; the table is styled
        group = ex.get_by_role("combobox", name=_("explorer.group", "en"))
        assert group.evaluate("s => s.options[s.selectedIndex].text") == _("explorer.all", "en")
        ex.get_by_role("textbox", name=_("explorer.search", "en")).fill("kyoto")
        kyoto = len(filter_instruments(instruments, text="kyoto"))
        assert kyoto != n  # a new row count tells the redrawn table from the one before
        expect(count).to_have_text(ngettext("explorer.count", kyoto, "en"))
        # the count and the table are separate widgets: wait for the table of this search too
        expect(ex.locator("table.dcteach-table tbody tr")).to_have_count(kyoto)
        cell = ex.locator("table.dcteach-table td").first
        pad = cell.evaluate("c => parseFloat(getComputedStyle(c).paddingLeft)")
        align = ex.locator("table.dcteach-table th").first.evaluate("c => getComputedStyle(c).textAlign")
        assert pad >= 4 and align in ("left", "start")
        search = ex.get_by_role("textbox", name=_("explorer.search", "en"))
        search.fill("")
        # the whole placeholder fits in the box
        assert search.evaluate("""el => { const c = document.createElement('canvas').getContext('2d');
            const s = getComputedStyle(el); c.font = s.font;
            return c.measureText(el.placeholder).width <= el.clientWidth - parseFloat(s.paddingLeft)
                   - parseFloat(s.paddingRight); }""")
        element_screenshot(page, ex, ARTIFACTS / "widget-instrument-explorer.png")
    finally:
        page.close()


def test_russian_notebook_shows_russian_prose_and_widgets(lab):
    """A notebook of the Russian course (``notebooks/ru/``, built from the PO files) speaks Russian.

    The server runs with ``--lang en``: the Russian notebook must still show Russian prose and a
    Russian widget, with the article's quotations marked as back-translations.
    """
    page = open_and_run_all(lab, f"ru/{PRIORITY_MAP_NB}")
    try:
        wait_all_cells_ran(page)
        prose = " ".join(page.locator(".jp-MarkdownCell .jp-RenderedMarkdown").all_text_contents())
        cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in prose)
        assert cyrillic > 0.5 * sum(ch.isalpha() for ch in prose), prose[:300]
        assert "обр. пер." in prose or "Обратный перевод" in prose  # quotations say they are back-translated
        pm = live_widget(page, "dcteach-priority-map")
        assert _("map.instrument", "ru") != _("map.instrument", "en")
        expect(pm.get_by_role("combobox", name=_("map.instrument", "ru"))).to_be_visible()
        expect(pm.get_by_role("combobox", name=_("map.priority_area", "ru"))).to_be_visible()
        assert unlabelled_controls(pm) == []
        assert cut_off_labels(page.locator(".jp-Notebook")) == []
        element_screenshot(page, pm, ARTIFACTS / "course-ru-priority-map.png")
        page.screenshot(path=str(ARTIFACTS / "course-ru-02.png"))
    finally:
        page.close()


@pytest.mark.parametrize("notebook", ["03_competencies.ipynb", "08_research_extending_datasets.ipynb"])
def test_russian_widgets_show_whole_labels(lab, notebook):
    """The classifier and the coding widget in Russian: no label or button is cut off, every control is named."""
    page = open_and_run_all(lab, f"ru/{notebook}")
    try:
        wait_all_cells_ran(page)
        widget = page.locator(".dcteach-competency-classifier, .dcteach-coding").first
        expect(widget).to_be_visible()
        assert cut_off_labels(page.locator(".jp-Notebook")) == []
        assert unlabelled_controls(widget) == []
        element_screenshot(page, widget, ARTIFACTS / f"course-ru-{notebook.removesuffix('.ipynb')}-widget.png")
    finally:
        page.close()


@pytest.mark.parametrize("notebook", COURSE_NOTEBOOKS)
def test_notebook_outputs_pass_axe_core(lab, course_copy, notebook):
    """axe-core (WCAG 2.1 A/AA) finds nothing in the outputs of each course notebook, run in JupyterLab.

    Charts are ``<img alt>``; widgets and tables are the project's own content. Each
    dcteach widget is kept as a screenshot in ``test-artifacts/``.
    """
    # a fresh copy of the course's notebook beside the lab's one (same data paths): its own kernel
    # session, and nothing another test did to the lab's copy (notebook 05's module fixture edits
    # and saves it) comes along
    copy = f"a11y-{notebook}"
    _write_cleared(REPO / "notebooks" / notebook, course_copy / copy)
    page = open_and_run_all(lab, copy)
    try:
        wait_all_cells_ran(page)
        outputs = page.locator(".jp-OutputArea-output")
        assert outputs.count() > 0
        images = page.locator(".jp-OutputArea-output img")
        for i in range(images.count()):  # every chart has a text alternative
            assert (images.nth(i).get_attribute("alt") or "").strip(), images.nth(i).evaluate("e => e.outerHTML.slice(0, 200)")
        violations = axe_violations(page, [".jp-OutputArea-output"])
        assert violations == [], violations
        assert cut_off_labels(page.locator(".jp-Notebook")) == []
        stem = notebook.removesuffix(".ipynb")
        widgets = page.locator(".jp-OutputArea-output > .jupyter-widgets[class*=dcteach-], "
                               ".jp-OutputArea-output [class*=dcteach-][class*=widget-vbox]")
        for i in range(min(widgets.count(), 8)):
            w = widgets.nth(i)
            name = next((c for c in (w.get_attribute("class") or "").split() if c.startswith("dcteach-")), "widget")
            element_screenshot(page, w, ARTIFACTS / f"nb-{stem}-{i}-{name}.png")
        page.screenshot(path=str(ARTIFACTS / f"nb-{stem}.png"), full_page=True)
    finally:
        page.close()
