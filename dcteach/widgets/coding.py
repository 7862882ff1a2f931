"""CodingWidget: code a document's passages against the article's taxonomy, one coder at a time.

The passages, the codebook and the codings are the coding tables of a
researcher's extension (:mod:`dcteach.coding`). Each save writes the coder's
code, the date and the memo to the extension's ``codings.csv`` atomically;
opening the widget again with the same coder name continues at the first
passage that coder has not coded yet.

>>> import tempfile, pathlib, shutil
>>> from dcteach.data import core_dir
>>> ext = pathlib.Path(tempfile.mkdtemp()) / "ext"
>>> _ = shutil.copytree(core_dir() / "examples" / "coding_mozer", ext)
>>> cw = CodingWidget(ext, lang="en", coder="Coder C")
>>> cw.segment_id, cw.group_buttons.value
('SEG-01', 'enabler')
>>> cw.code_select.value = "EN-05"
>>> cw.save_button.click()
>>> cw.status, cw.segment_id
('Saved: SEG-01 → EN-05.', 'SEG-02')
"""

from __future__ import annotations

import os

import ipywidgets as w
import traitlets as t

from dcteach.coding import load_coding, record_coding
from dcteach.coding._model import TAXONOMY
from dcteach.i18n import _
from dcteach.widgets._common import Choice, button_row, esc, resolve_lang, set_status, status_widget, text_button

__all__ = ["CodingWidget"]

_GROUPS = [g for _col, (_table, g) in TAXONOMY.items()] + ["own"]


class CodingWidget(w.VBox):
    """One passage at a time, the taxonomy as grouped choices, a memo; saves to the extension.

    Parameters
    ----------
    extension : path-like
        The extension folder holding the coding tables (``dcteach extension coding PATH`` adds them).
    document : str, optional
        The document whose passages to code (default: the first of ``documents``).
    coder : str
        The coder's name; may be typed in the widget.
    lang : {"en", "ru"}, optional

    Attributes
    ----------
    index : int (trait)
        Position of the passage shown (0-based).
    coder : str (trait)
    status : str (trait)
        The last status line, as text.
    mine : dict
        ``{segment id: (code, memo)}`` of the current coder, as saved.
    """

    index = t.Int(0)
    coder = t.Unicode("")
    status = t.Unicode("")

    def __init__(self, extension: str | os.PathLike, *, document: str | None = None, coder: str = "",
                 lang: str | None = None, **kwargs):
        lang = resolve_lang(lang)
        self.lang = lang
        self.project = load_coding(extension, lang=lang)
        self.path = self.project.path
        docs = self.project.documents
        if document is None:
            document = str(docs["id"].iloc[0]) if len(docs) else ""
        self.document = document
        self.passages = self.project.passages(document).reset_index(drop=True)
        cb = self.project.codebook
        self._code_group = dict(zip(cb["id"], cb["group"]))
        self._options: dict[str, list[tuple[str, str]]] = {g: [] for g in _GROUPS}
        for r in cb.itertuples(index=False):
            label = f"{r.id} {r.name}".strip()
            if r.group == "own" and r.parent:
                label += f" (→ {r.parent})"
            self._options[r.group].append((label, r.id))
        groups = [g for g in _GROUPS if self._options[g]]
        self.mine: dict[str, tuple[str, str]] = {}

        wide = {"description_width": "initial"}  # labels as wide as their text (never cut off, in either language)
        self.coder_box = w.Text(value="", description=_("coding.coder", lang),
                                placeholder=_("coding.coder_placeholder", lang), style=wide)
        self.document_select = Choice(
            options=[(f"{r.id} · {r.title}", r.id) for r in docs.itertuples(index=False)],
            value=document or None, description=_("coding.document", lang), style=wide)
        self.passage_html = w.HTML()
        self.group_buttons = w.ToggleButtons(options=[(_(f"coding.group.{g}", lang), g) for g in groups],
                                             value=groups[0] if groups else None,
                                             description=_("coding.group", lang),
                                             style={**wide, "button_width": "auto"})  # long names, in Russian too
        self.code_select = Choice(options=[(_("coding.choose", lang), None)], value=None,
                                  description=_("coding.code", lang), style=wide, layout=w.Layout(width="90%"))
        self.memo_box = w.Textarea(value="", description=_("coding.memo", lang),
                                   placeholder=_("coding.memo_placeholder", lang), style=wide,
                                   layout=w.Layout(width="90%"))
        self.previous_button = text_button(_("coding.previous", lang), icon="arrow-left")
        self.save_button = text_button(_("coding.save", lang), icon="save", button_style="primary")
        self.next_button = text_button(_("coding.next", lang), icon="arrow-right")
        self.progress_html = w.HTML()
        self.status_html = status_widget()
        super().__init__(children=[
            w.HTML(f"<p>{esc(_('coding.intro', lang))}</p>"), self.coder_box, self.document_select,
            self.passage_html, self.group_buttons, self.code_select, self.memo_box,
            button_row(self.previous_button, self.save_button, self.next_button),
            self.progress_html, self.status_html], **kwargs)
        self.add_class("dcteach-coding")
        self.passage_html.add_class("dcteach-coding-passage")
        self.group_buttons.observe(self._on_group, "value")
        self.document_select.observe(self._on_document, "value")
        self.previous_button.on_click(lambda _b: self.go(self.index - 1))
        self.next_button.on_click(lambda _b: self.go(self.index + 1))
        self.save_button.on_click(lambda _b: self.save())
        self.coder_box.observe(self._on_coder_box, "value")
        self.observe(self._on_coder, "coder")
        self._on_group()
        self.coder_box.value = coder
        self.go(self.index)

    # -- state ------------------------------------------------------------------------------
    @property
    def segment_id(self) -> str | None:
        """The id of the passage shown (``None`` if the document has none)."""
        return str(self.passages["id"].iloc[self.index]) if len(self.passages) else None

    def _say(self, text: str, problem: bool = False) -> None:
        self.status = text
        set_status(self.status_html, text, problem=problem)

    def _on_coder_box(self, change) -> None:
        self.coder = change["new"].strip()

    def _reload_mine(self) -> None:
        from dcteach._extension import read_resource

        self.mine = {}
        if not self.coder:
            return
        rows = read_resource(self.path / "codings.csv")
        for r in rows[rows["coder"] == self.coder].itertuples(index=False):
            self.mine[r.segment_id] = (r.code, getattr(r, "memo", "") or "")

    def _first_uncoded(self) -> int | None:
        for i, sid in enumerate(self.passages["id"]):
            if sid not in self.mine:
                return i
        return None

    def _on_coder(self, _change=None) -> None:
        self._reload_mine()
        total = len(self.passages)
        done = sum(sid in self.mine for sid in self.passages["id"])
        start = self._first_uncoded()
        if self.coder and done:
            if start is None:
                self._say(_("coding.all_done", self.lang, total=total))
            else:
                self._say(_("coding.welcome_back", self.lang, coder=self.coder, done=done, total=total, n=start + 1))
        self.go(0 if start is None else start)

    def _on_document(self, change) -> None:
        if change["new"] and change["new"] != self.document:
            self.document = change["new"]
            self.passages = self.project.passages(self.document).reset_index(drop=True)
            self._on_coder()

    def _on_group(self, _change=None) -> None:
        keep = self.code_select.value
        options = [(_("coding.choose", self.lang), None)] + self._options.get(self.group_buttons.value, [])
        self.code_select.options = options
        self.code_select.value = keep if keep in [v for _l, v in options] else None

    # -- navigation and saving --------------------------------------------------------------
    def go(self, index: int) -> None:
        """Show passage *index* (clamped to the document), with the coder's saved code and memo."""
        total = len(self.passages)
        if total == 0:
            self.passage_html.value = f"<p>{esc(_('coding.no_passages', self.lang, document=self.document))}</p>"
            return
        self.index = max(0, min(index, total - 1))
        row = self.passages.iloc[self.index]
        where = ", ".join(x for x in (_("coding.page", self.lang, page=row["page"]) if row["page"] else "",
                                      row["locator"]) if x)
        head = _("coding.passage", self.lang, n=self.index + 1, total=total, id=row["id"])
        self.passage_html.value = (f"<p><b>{esc(head)}</b>{' · ' + esc(where) if where else ''}</p>"
                                   f"<blockquote>{esc(row['text'])}</blockquote>")
        code, memo = self.mine.get(row["id"], (None, ""))
        if code is not None and code in self._code_group:
            self.group_buttons.value = self._code_group[code]
        self.code_select.value = code
        self.memo_box.value = memo
        self.previous_button.disabled = self.index == 0
        self.next_button.disabled = self.index == total - 1
        done = sum(sid in self.mine for sid in self.passages["id"])
        self.progress_html.value = f"<p>{esc(_('coding.progress', self.lang, done=done, total=total))}</p>"

    def save(self) -> bool:
        """Save the coder's code and memo of the passage shown, then move to the next uncoded one."""
        if not self.coder:
            self._say(_("coding.no_coder", self.lang), True)
            return False
        code = self.code_select.value
        if code is None:
            self._say(_("coding.no_code", self.lang), True)
            return False
        segment = self.segment_id
        try:
            record_coding(self.path, segment, self.coder, code, memo=self.memo_box.value.strip())
        except OSError as exc:
            self._say(_("coding.save_failed", self.lang, path=str(self.path / "codings.csv"),
                        error=exc.strerror or str(exc)), True)
            return False
        self.mine[segment] = (code, self.memo_box.value.strip())
        self._say(_("coding.saved", self.lang, segment=segment, code=code))
        nxt = self._first_uncoded()
        self.go(self.index + 1 if nxt is None else nxt)
        return True
