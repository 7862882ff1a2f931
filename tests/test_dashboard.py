"""``dcteach dashboard`` in a real browser: Voilà serves the self-assessment without code.

One Voilà server and one Chromium page for the module (Voilà starts a kernel per
page load). Screenshots go to ``test-artifacts/``. Skips without Chromium unless
``DCTEACH_REQUIRE_BROWSER=1`` (CI), which turns the skip into a failure.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from _browser_support import (
    ARTIFACTS,
    Server,
    axe_violations,
    cut_off_labels,
    dcteach_argv,
    free_port,
    isolated_env,
    new_token,
    served_in_chromium,
    unlabelled_controls,
)
from dcteach.assessment import assessment_items, assessment_to_json, load_scale
from dcteach.dashboard import message
from dcteach.i18n import _

pytestmark = pytest.mark.browser

#: The app is served in Russian (``--lang ru``): this checks that the language reaches the
#: kernel and that the Russian strings render; the course test covers English.
LANG = "ru"
NAMES = dict(zip(assessment_items(LANG)["id"], assessment_items(LANG)["name"]))
LEVELS = {lvl["level"]: lvl["name"][LANG] for lvl in load_scale()["levels"]}


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The dashboard (in ``LANG``) open in headless Chromium; the server ends with the module."""
    tmp = tmp_path_factory.mktemp("dashboard")
    with served_in_chromium(tmp, "dashboard", "--lang", LANG, probe="/voila/static/",
                            log_name="dashboard-server.log") as (context, base, token):
        pg = context.new_page()
        pg.goto(f"{base}/?token={token}")
        pg.locator(".dcteach-dashboard [role=slider]").first.wait_for()
        pg.locator(".dcteach-dashboard .dcteach-radar img").wait_for()  # the first radar is drawn
        yield pg


def _slider_row(page, item_id):
    return page.locator(".dcteach-item-slider").filter(has_text=f"{item_id} ")


def _gap_text(page):
    gaps = page.locator(".dcteach-gaps")  # the gap list: title and an ordered list
    assert gaps.locator("b").inner_text() == _("assessment.gaps_title", LANG)
    return gaps.inner_text()


def _upload(page, path):
    """Choose ``path`` in the browser's file dialog opened by the upload button."""
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name=message("upload", LANG)).click()
    chooser.value.set_files(str(path))


def test_shows_the_app_and_no_code(page):
    page.screenshot(path=str(ARTIFACTS / "dashboard-start.png"))
    assert page.get_by_role("heading", level=1).inner_text() == message("title", LANG)
    # the page says its language and title (screen readers pick the voice from lang)
    assert page.title() == message("title", LANG)
    assert page.evaluate("document.documentElement.lang") == LANG
    assert page.locator(".dcteach-dashboard [role=slider]").count() == len(assessment_items(LANG)) == 20
    # Voilà strips the sources: no editor, no input prompt, no Python text in the page
    assert page.locator(".jp-InputArea, .cm-editor, .CodeMirror, .jp-InputPrompt").count() == 0
    body = page.locator("body").inner_text()
    assert "SelfAssessmentApp" not in body and "import " not in body
    # the server-side file controls of the widget are hidden in the app
    assert not page.get_by_role("button", name=_("assessment.save_json", LANG), exact=True).is_visible()


def test_every_control_has_an_accessible_name(page):
    dashboard = page.locator(".dcteach-dashboard")
    assert unlabelled_controls(dashboard) == []
    # ... and the names are the item and control names, as Chromium's accessibility tree reports them
    assert page.get_by_role("slider", name=f"EN-02 {NAMES['EN-02']}", exact=True).count() == 1
    assert page.get_by_role("textbox", name=_("assessment.name", LANG)).count() == 1
    assert page.get_by_role("link", name=_("assessment.download_json", LANG)).count() == 1
    assert page.get_by_role("button", name=message("upload", LANG)).count() == 1
    alt = page.locator(".dcteach-radar img").get_attribute("alt") or ""
    assert alt.startswith("Лепестковая диаграмма") and "EN-02 " in alt  # the radar in words


def test_slider_changes_level_text_radar_and_gap_list(page):
    row = _slider_row(page, "EN-02")
    radar = page.locator(".dcteach-dashboard .dcteach-radar img")
    before_img, before_gaps = radar.get_attribute("src"), _gap_text(page)
    handle = row.get_by_role("slider")
    handle.focus()
    for _i in range(3):
        handle.press("ArrowRight")
    assert handle.get_attribute("aria-valuenow") == "3.0"
    level3 = _("assessment.level", LANG, level=3, name=LEVELS[3])
    page.get_by_text(level3, exact=True).wait_for()  # the level is said in words next to the slider
    line = _("assessment.gap_item", LANG, id="EN-02", name=NAMES["EN-02"], score=3, gap=1)
    page.locator("li", has_text=line).wait_for()
    assert _gap_text(page) != before_gaps
    expect(radar).not_to_have_attribute("src", before_img)  # redrawn
    assert radar.get_attribute("src") != before_img
    page.locator(".dcteach-dashboard").screenshot(path=str(ARTIFACTS / "dashboard-slider-moved.png"))


def test_download_json_and_csv(page, tmp_path):
    page.get_by_role("textbox", name=_("assessment.name", LANG)).fill("Customs of Testland 2026")
    link = page.get_by_role("link", name=_("assessment.download_json", LANG))
    expect(link).to_have_attribute("download", "Customs_of_Testland_2026.json")  # rebuilt on typing
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "Customs_of_Testland_2026.json"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["format"] == "dcteach-self-assessment" and doc["name"] == "Customs of Testland 2026"
    assert doc["scores"]["EN-02"] == 3  # moved by the previous test
    assert set(doc["scores"]) == set(assessment_items(LANG)["id"])

    with page.expect_download() as info:
        page.get_by_role("link", name=_("assessment.download_csv", LANG)).click()
    csv_file = tmp_path / "a.csv"
    info.value.save_as(csv_file)
    lines = csv_file.read_text(encoding="utf-8").splitlines()
    assert "name: Customs of Testland 2026" in lines[0] and "EN-02,3," in "\n".join(lines)


def test_upload_restores_an_assessment(page, tmp_path):
    scores = dict.fromkeys(assessment_items(LANG)["id"], 1) | {"CAP-13": 4}
    saved = tmp_path / "earlier.json"
    saved.write_text(assessment_to_json("Earlier assessment", scores), encoding="utf-8")
    _upload(page, saved)
    page.get_by_text(message("uploaded", LANG, name="Earlier assessment", file="earlier.json")).wait_for()
    assert _slider_row(page, "CAP-13").get_by_role("slider").get_attribute("aria-valuenow") == "4.0"
    assert _slider_row(page, "EN-02").get_by_role("slider").get_attribute("aria-valuenow") == "1.0"
    assert page.get_by_role("textbox", name=_("assessment.name", LANG)).input_value() == "Earlier assessment"

    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"hello": "world"}', encoding="utf-8")
    _upload(page, foreign)
    problem = page.get_by_role("status").filter(has_text=message("upload_failed", LANG, error="").strip())
    problem.wait_for()
    assert "foreign.json" in problem.inner_text()
    # the assessment is unchanged
    assert _slider_row(page, "CAP-13").get_by_role("slider").get_attribute("aria-valuenow") == "4.0"


def test_usable_at_200_percent_zoom(page):
    """Zoom 200 % of a 1280×900 window = a 640×450 CSS-pixel viewport: reflow, no hidden controls."""
    old = page.viewport_size
    page.set_viewport_size({"width": old["width"] // 2, "height": old["height"] // 2})
    try:
        width = page.evaluate("window.innerWidth")
        assert width == old["width"] // 2
        for control in (
            page.get_by_role("link", name=_("assessment.download_json", LANG)),
            page.get_by_role("button", name=message("upload", LANG)),
            _slider_row(page, "EN-05").get_by_role("slider"),
        ):
            control.scroll_into_view_if_needed()
            assert control.is_visible()
            box = control.bounding_box()
            assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= width, box
        # no content cut off at the right: nothing needs horizontal scrolling
        overflow = page.evaluate(
            "() => Math.max(...[...document.querySelectorAll('.dcteach-dashboard *')]"
            ".map(e => e.getBoundingClientRect().right))"
        )
        assert overflow <= width + 1
        # ... and no slider description is cut off with "…": they wrap above the track
        truncated = page.locator(".dcteach-item-slider .widget-label").evaluate_all(
            "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)")
        assert truncated == []
        assert cut_off_labels(page.locator(".dcteach-dashboard")) == []  # nor a button's label
        link = page.get_by_role("link", name=_("assessment.download_json", LANG))
        before = link.get_attribute("href")
        handle = _slider_row(page, "EN-05").get_by_role("slider")
        handle.focus()
        handle.press("ArrowRight")
        assert handle.get_attribute("aria-valuenow") == "2.0"  # was 1 after the upload
        expect(link).not_to_have_attribute("href", before)  # the kernel rebuilt the link
        page.screenshot(path=str(ARTIFACTS / "dashboard-zoom-200.png"))
        with page.expect_download() as info:
            link.click()
        doc = json.loads(open(info.value.path(), encoding="utf-8").read())
        assert doc["scores"]["EN-05"] == 2
    finally:
        page.set_viewport_size(old)


def _axe_at(page, lang, width):
    """axe-core on the app at ``width`` CSS px (640 = a 1280 px window at 200 % zoom)."""
    old = page.viewport_size
    page.set_viewport_size({"width": width, "height": old["height"] * width // old["width"]})
    try:
        page.locator(".dcteach-dashboard .dcteach-radar img").wait_for()
        violations = axe_violations(page, [".dcteach-dashboard"])
        page.screenshot(path=str(ARTIFACTS / f"dashboard-{lang}-{width}.png"), full_page=True)
    finally:
        page.set_viewport_size(old)
    return violations


@pytest.mark.parametrize("width", [1280, 640])
def test_axe_core_finds_nothing(page, width):
    assert _axe_at(page, LANG, width) == []


def test_axe_core_finds_nothing_in_english(page, tmp_path_factory):
    """A second server, in English, opened in the same browser (one Playwright per module)."""
    tmp = tmp_path_factory.mktemp("dashboard-en")
    port, token = free_port(), new_token()
    base = f"http://127.0.0.1:{port}"
    server = Server(dcteach_argv("dashboard", "--lang", "en", "--no-browser", "--port", str(port), f"--token={token}"),
                    isolated_env(tmp / "jupyter"), base + "/voila/static/", ARTIFACTS / "dashboard-server-en.log")
    try:
        server.wait_ready()
        pg = page.context.new_page()
        try:
            pg.goto(f"{base}/?token={token}")
            pg.locator(".dcteach-dashboard [role=slider]").first.wait_for()
            assert pg.evaluate("document.documentElement.lang") == "en"
            assert _axe_at(pg, "en", 1280) == []
            assert _axe_at(pg, "en", 640) == []
        finally:
            pg.close()
    finally:
        server.stop()
