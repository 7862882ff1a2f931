"""The self-assessment as a standalone web app (``dcteach dashboard``, served by Voilà).

Customs officers who never open a notebook get the
:class:`~dcteach.widgets.SelfAssessment` with a title, short instructions and
no code. Nothing is written on the server: the assessment is *downloaded* as
JSON or CSV (links whose ``data:`` URL is rebuilt on every change) and a
downloaded file can be *uploaded* again to continue. The widget's own
server-side file controls are hidden in the app.

The packaged notebook :func:`notebook_path` holds only ``SelfAssessmentApp()``;
its language comes from ``$DCTEACH_LANG`` (``dcteach dashboard --lang``).

Examples
--------
>>> app = SelfAssessmentApp(lang="en")
>>> app.assessment.sliders["EN-01"].value = 3
>>> 'download="self_assessment.json"' in app.downloads.value
True
>>> name, scores = decode_download(app.downloads.value, "json")
>>> scores["EN-01"], name
(3, '')
>>> notebook_path().name
'self_assessment.ipynb'
"""

from __future__ import annotations

import base64
import functools
import json
import re
import urllib.parse
from pathlib import Path

import ipywidgets as w

from dcteach._errors import UsageError
from dcteach.assessment import (
    AssessmentFileError,
    assessment_from_csv,
    assessment_from_json,
    assessment_to_csv,
    assessment_to_json,
)
from dcteach.widgets import SelfAssessment
from dcteach.widgets._common import esc, resolve_lang, set_status, status_widget

__all__ = [
    "SelfAssessmentApp",
    "decode_download",
    "download_anchor",
    "message",
    "notebook_path",
    "page_script",
]

_HERE = Path(__file__).resolve().parent
_MIME = {"json": "application/json", "csv": "text/csv"}


def notebook_path() -> Path:
    """The packaged dashboard notebook that Voilà serves."""
    from dcteach._cli_dashboard import NOTEBOOK

    return NOTEBOOK


@functools.lru_cache(maxsize=1)
def _catalogue() -> dict:
    return json.loads((_HERE / "messages.json").read_text(encoding="utf-8"))


def message(key: str, lang: str, **values) -> str:
    """A dashboard string in ``lang`` with ``{placeholders}`` filled.

    >>> message("download_title", "ru", fmt="CSV")
    'Скачать самооценку в формате CSV'
    """
    return _catalogue()[resolve_lang(lang)][key].format(**values)


def _file_stem(name: str, default: str) -> str:
    """A safe file name stem from an assessment name (letters of any script kept).

    >>> _file_stem("Customs of X, 2025", "a"), _file_stem("  ", "a"), _file_stem("Таможня/РФ", "a")
    ('Customs_of_X_2025', 'a', 'Таможня_РФ')
    """
    stem = re.sub(r"[^\w-]+", "_", name, flags=re.UNICODE).strip("_")
    return stem[:80] or default


def download_anchor(text: str, filename: str, label: str, *, mime: str, title: str = "") -> str:
    """HTML of a link that downloads ``text`` as ``filename`` (UTF-8, base64 ``data:`` URL).

    >>> download_anchor("{}", "a.json", "Get", mime="application/json")
    '<a download="a.json" href="data:application/json;charset=utf-8;base64,e30=" ...>Get</a>'
    """
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    attrs = f' title="{esc(title)}"' if title else ""
    return (
        f'<a download="{esc(filename)}" href="data:{mime};charset=utf-8;base64,{payload}"'
        f' class="dcteach-download"{attrs}'
        ' style="display:inline-block;margin:0.25em 0.5em 0.25em 0;padding:0.3em 0.8em;'
        'border:1px solid currentColor;border-radius:3px;text-decoration:none">'
        f"{esc(label)}</a>"
    )


def decode_download(html: str, fmt: str) -> tuple[str, dict]:
    """Read back the assessment behind the ``fmt`` (``json``/``csv``) link of ``html``.

    For tests and for checking what a user will get.
    """
    match = re.search(rf'href="data:{re.escape(_MIME[fmt])};charset=utf-8;base64,([^"]+)"', html)
    if match is None:
        raise UsageError(f"no {fmt} download link in the given HTML")
    text = base64.b64decode(urllib.parse.unquote(match.group(1))).decode("utf-8")
    parse = assessment_from_json if fmt == "json" else assessment_from_csv
    return parse(text, f"download.{fmt}")


# ipywidgets 8 renders a slider's handle (role="slider") and its editable
# readout without an accessible name: the visible <label> is not associated
# with them. This snippet names them after the label, for screen readers, and
# gives the page its language and title (Voilà's page says lang="en").
_PAGE_JS = """
(function (lang, title) {
  document.documentElement.lang = lang;
  document.title = title;
  function name(root) {
    root.querySelectorAll('.widget-slider').forEach(function (box) {
      var label = box.querySelector('.widget-label');
      var text = label ? label.textContent.trim() : '';
      if (!text) return;
      box.querySelectorAll('[role=slider]').forEach(function (h) {
        if (!h.getAttribute('aria-label')) h.setAttribute('aria-label', text);
      });
      var readout = box.querySelector('.widget-readout');
      if (readout && !readout.getAttribute('aria-label')) {
        readout.setAttribute('role', 'textbox');
        readout.setAttribute('aria-label', text);
      }
    });
  }
  name(document);
  if (!window.__dcteachSliderNames) {
    window.__dcteachSliderNames = new MutationObserver(function () { name(document); });
    window.__dcteachSliderNames.observe(document.body, {childList: true, subtree: true});
  }
})(%s, %s);
"""


def page_script(lang: str | None = None):
    """A :class:`IPython.display.Javascript` for the dashboard page.

    It names every slider handle and readout after the slider's label (also
    those that appear later) and sets the page's ``lang`` and title.

    >>> "document.title" in page_script("ru").data and '"ru"' in page_script("ru").data
    True
    """
    from IPython.display import Javascript

    lang = resolve_lang(lang)
    return Javascript(_PAGE_JS % (json.dumps(lang), json.dumps(message("title", lang))))


class SelfAssessmentApp(w.VBox):
    """Title, instructions, the SelfAssessment, download links and an upload button.

    Parameters
    ----------
    lang : {"en", "ru"}, optional
        Default: ``$DCTEACH_LANG`` or English.
    **kwargs
        Passed to :class:`~dcteach.widgets.SelfAssessment` (``name``, ``initial``).

    Attributes
    ----------
    assessment : SelfAssessment
    downloads : ipywidgets.HTML
        The "Download JSON" and "Download CSV" links, rebuilt on every change.
    upload : ipywidgets.FileUpload
    status_html : ipywidgets.HTML
        What happened to the last upload, in words.
    """

    def __init__(self, *, lang: str | None = None, **kwargs):
        lang = resolve_lang(lang)
        self.lang = lang
        self.assessment = SelfAssessment(lang=lang, **kwargs)
        sa = self.assessment
        for hidden in (sa.path_box, sa.save_json_button, sa.save_csv_button, sa.load_button,
                       sa.compare_button, sa.clear_button):
            hidden.layout.display = "none"  # they read and write files on the server
        self.downloads = w.HTML(layout=w.Layout(width="auto"))
        self.downloads.add_class("dcteach-downloads")
        self.upload = w.FileUpload(accept=".json,.csv", multiple=False,
                                   description=message("upload", lang), icon="upload",
                                   layout=w.Layout(width="auto"))
        self.upload.add_class("dcteach-upload")
        self.status_html = status_widget()
        header = w.HTML(
            f"<h1>{esc(message('title', lang))}</h1>"
            f"<p>{esc(message('intro', lang))}</p><p>{esc(message('keep', lang))}</p>"
        )
        files = w.VBox([self.downloads, self.upload, self.status_html])
        files.add_class("dcteach-files")
        super().__init__(children=[header, sa, files], layout=w.Layout(max_width="72em"))
        self.add_class("dcteach-dashboard")
        sa.observe(self._refresh_downloads, ["scores", "name"])
        self.upload.observe(self._on_upload, "value")
        self._refresh_downloads()

    def _refresh_downloads(self, _change=None) -> None:
        sa, lang = self.assessment, self.lang
        stem = _file_stem(sa.name, message("default_file", lang))
        self.downloads.value = "".join(
            download_anchor(to(sa.name, sa.scores), f"{stem}.{fmt}", message(f"download_{fmt}", lang),
                            mime=_MIME[fmt], title=message("download_title", lang, fmt=fmt.upper()))
            for fmt, to in (("json", assessment_to_json), ("csv", assessment_to_csv))
        )

    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        item = files[0]
        filename = item["name"]
        parse = assessment_from_csv if filename.lower().endswith(".csv") else assessment_from_json
        try:
            text = bytes(item["content"]).decode("utf-8")
            name, scores = parse(text, filename)
        except UnicodeDecodeError:
            set_status(self.status_html, message("upload_failed", self.lang,
                                                 error=f"{filename}: not UTF-8 text"), problem=True)
        except AssessmentFileError as exc:
            set_status(self.status_html, message("upload_failed", self.lang, error=str(exc)), problem=True)
        else:
            self.assessment.set_scores(scores)
            self.assessment.name_box.value = name
            set_status(self.status_html, message("uploaded", self.lang, name=name, file=filename))
        self.upload.value = ()  # the same file can be uploaded again
