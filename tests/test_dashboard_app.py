"""The dashboard's app widget without a browser: strings, downloads, uploads, hidden controls."""

from __future__ import annotations

import html
import json
from datetime import datetime, timezone

import pytest

from dcteach.assessment import assessment_items, assessment_to_csv, assessment_to_json
from dcteach.dashboard import SelfAssessmentApp, decode_download, message
from dcteach.i18n import _, catalogue


def _upload(app, filename, data: bytes):
    app.upload.value = ({"name": filename, "type": "", "size": len(data), "content": memoryview(data),
                         "last_modified": datetime.now(timezone.utc)},)


def test_strings_live_in_the_locale_catalogues():
    """One catalogue for everything (test_i18n checks keys and placeholders across languages)."""
    for lang in ("en", "ru"):
        assert {"dashboard.title", "dashboard.upload", "assessment.download_json"} <= set(catalogue(lang))
        assert message("title", lang) == _("dashboard.title", lang)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_language(lang):
    app = SelfAssessmentApp(lang=lang)
    assert message("title", lang) in app.children[0].value
    assert app.upload.description == message("upload", lang)
    assert f">{_('assessment.download_csv', lang)}</a>" in app.downloads.value
    assert app.downloads is app.assessment.downloads  # the widget's own links, not a copy


def test_server_side_file_controls_are_hidden():
    sa = SelfAssessmentApp(lang="en").assessment
    for control in (sa.path_box, sa.save_json_button, sa.save_csv_button, sa.load_button):
        assert control.layout.display == "none"
    assert sa.name_box.layout.display != "none"


def test_downloads_follow_every_change():
    app = SelfAssessmentApp(lang="en")
    app.assessment.sliders["CAP-07"].value = 4
    app.assessment.name_box.value = "Таможня Х / 2026"
    name, scores = decode_download(app.downloads.value, "json")
    assert name == "Таможня Х / 2026" and scores["CAP-07"] == 4 and len(scores) == 20
    assert decode_download(app.downloads.value, "csv") == (name, scores)
    assert 'download="Таможня_Х_2026.json"' in app.downloads.value


@pytest.mark.parametrize(("suffix", "dump"), [(".json", assessment_to_json), (".csv", assessment_to_csv)])
def test_upload_restores_the_assessment(suffix, dump):
    app = SelfAssessmentApp(lang="en")
    scores = dict.fromkeys(assessment_items("en")["id"], 2) | {"EN-03": 4}
    _upload(app, f"mine{suffix}", dump("Mine", scores).encode("utf-8"))
    assert app.assessment.scores == scores and app.assessment.name == "Mine"
    assert html.unescape(app.status_html.value).endswith(f">Loaded 'Mine' from mine{suffix}.</span>")
    assert app.upload.value == ()  # ready for the next file
    assert decode_download(app.downloads.value, "json")[1] == scores


@pytest.mark.parametrize(
    ("filename", "data", "says"),
    [
        ("foreign.json", json.dumps({"hello": "world"}).encode(), "foreign.json"),
        ("broken.json", b"{not json", "broken.json"),
        ("table.csv", b"a,b\n1,2\n", "table.csv"),
        ("sheet.json", b"\xff\xfe\x00binary", "not UTF-8"),
    ],
)
def test_bad_upload_keeps_the_state_and_says_why(filename, data, says):
    app = SelfAssessmentApp(lang="en")
    app.assessment.sliders["EN-01"].value = 3
    before = dict(app.assessment.scores)
    _upload(app, filename, data)
    assert app.assessment.scores == before
    assert message("upload_failed", "en", error="").strip() in app.status_html.value
    assert says in app.status_html.value and 'role="status"' in app.status_html.value
