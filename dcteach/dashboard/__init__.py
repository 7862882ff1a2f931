"""The self-assessment as a standalone web app (``dcteach dashboard``, served by Voilà).

Customs officers who never open a notebook get the
:class:`~dcteach.widgets.SelfAssessment` with a title, short instructions and
no code. Nothing is written on the server: the assessment is *downloaded* as
JSON or CSV with the widget's own download links
(:meth:`~dcteach.widgets.SelfAssessment.download_links`, rebuilt on every
change) and a downloaded file can be *uploaded* again to continue. The
widget's server-side file controls are hidden in the app. Slider names for
screen readers come with the widget too (:func:`dcteach.widgets._common.a11y_support`);
:func:`page_script` only sets the page's language and title.

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

import ipywidgets as w

from dcteach.assessment import AssessmentFileError, assessment_from_csv, assessment_from_json
from dcteach.i18n import _
from dcteach.widgets import SelfAssessment
from dcteach.widgets._common import download_anchor, esc, page_language_script, resolve_lang, set_status, status_widget
from dcteach.widgets.self_assessment import decode_download

__all__ = [
    "SelfAssessmentApp",
    "decode_download",
    "download_anchor",
    "message",
    "notebook_path",
    "page_script",
]

def notebook_path() -> Path:
    """The packaged dashboard notebook that Voilà serves."""
    from dcteach.cli.dashboard import NOTEBOOK

    return NOTEBOOK


def message(key: str, lang: str, **values) -> str:
    """A dashboard string (``dashboard.<key>`` in ``dcteach/locales``) in ``lang``, placeholders filled.

    >>> message("uploaded", "ru", name="X", file="x.json")
    'Загружена самооценка «X» из x.json.'
    """
    return _(f"dashboard.{key}", resolve_lang(lang), **values)


def page_script(lang: str | None = None):
    """A :class:`IPython.display.Javascript` giving the dashboard page its ``lang`` and title.

    Voilà's page says ``lang="en"``; screen readers pick the voice from it.

    >>> "document.title" in page_script("ru").data and '"ru"' in page_script("ru").data
    True
    """
    lang = resolve_lang(lang)
    return page_language_script(lang, message("title", lang))


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
        The assessment's "Download JSON" and "Download CSV" links
        (``assessment.downloads``), rebuilt on every change.
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
        self.downloads = sa.downloads  # the widget's own links, shown inside it
        self.upload = w.FileUpload(accept=".json,.csv", multiple=False,
                                   description=message("upload", lang), icon="upload",
                                   layout=w.Layout(width="auto"))
        self.upload.add_class("dcteach-upload")
        self.status_html = status_widget()
        header = w.HTML(
            f"<h1>{esc(message('title', lang))}</h1>"
            f"<p>{esc(message('intro', lang))}</p><p>{esc(message('keep', lang))}</p>"
        )
        files = w.VBox([self.upload, self.status_html])
        files.add_class("dcteach-files")
        super().__init__(children=[header, sa, files], layout=w.Layout(max_width="72em"))
        self.add_class("dcteach-dashboard")
        self.upload.observe(self._on_upload, "value")

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
            self.assessment.restore(name, scores)
            set_status(self.status_html, message("uploaded", self.lang, name=name, file=filename))
        self.upload.value = ()  # the same file can be uploaded again
