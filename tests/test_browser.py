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

import pytest
from playwright.sync_api import expect

from _browser_support import ARTIFACTS, REPO, served_in_chromium, unlabelled_controls
from dcteach.assessment import assessment_items, load_scale
from dcteach.data import load_dataset
from dcteach.i18n import _, field_labels, ngettext
from dcteach.widgets.instrument_explorer import filter_instruments

pytestmark = pytest.mark.browser

SELF_ASSESSMENT_NB = "05_ict_governance_and_capabilities.ipynb"
EXPLORER_NB = "04_instruments_and_tools.ipynb"
PRIORITY_MAP_NB = "02_enablers_and_priority_areas.ipynb"
TIMEOUT = 90_000  # ms; generous for a loaded 2-core machine, never a timing assertion


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """``(browser context, base URL, token)`` of a JupyterLab on a copy of the course."""
    tmp = tmp_path_factory.mktemp("course")
    course = tmp / "course"
    shutil.copytree(REPO / "notebooks", course, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    with served_in_chromium(tmp, "course", "--dir", str(course), "--lang", "en",
                            probe="/api/status?token={token}", log_name="course-server.log",
                            timeout_ms=TIMEOUT) as lab:
        yield lab


def open_and_run_all(lab, notebook: str):
    """Open ``notebook`` in a new tab, wait for an idle kernel, then Run ▸ Run All Cells."""
    context, base, token = lab
    page = context.new_page()
    page.goto(f"{base}/lab/tree/{notebook}?token={token}")
    # the toolbar can read idle before a kernel session exists: wait for its name in the status bar
    expect(page.locator("#jp-main-statusbar")).to_contain_text("Python 3 (ipykernel) | Idle")
    page.locator("#jp-MainMenu").get_by_text("Run", exact=True).click()
    page.locator("[data-command='runmenu:run-all']").click()
    return page


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
    sa.screenshot(path=str(ARTIFACTS / "course-self-assessment-widget.png"))  # the whole widget


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
    expect(sa.get_by_role("textbox", name=f"EN-02 {names['EN-02']}", exact=True)).to_have_count(1)  # readout
    assert unlabelled_controls(sa) == []


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
        sa.screenshot(path=str(ARTIFACTS / "course-self-assessment-narrow.png"))
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
    ru.screenshot(path=str(ARTIFACTS / "course-self-assessment-ru.png"))


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
        pm.screenshot(path=str(ARTIFACTS / "course-priority-map.png"))
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
    finally:
        page.close()
