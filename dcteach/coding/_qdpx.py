"""Export a coding project to REFI-QDA (``.qdpx``): ATLAS.ti, MAXQDA, NVivo and QualCoder import it.

A ``.qdpx`` file is a zip holding ``project.qde`` (XML in the namespace
``urn:QDA-XML:project:1.0``, the REFI-QDA Project schema of 18 March 2019) and
a ``Sources`` folder with one plain-text file per document. The mapping:

==========================  ==================================================
dcteach                     REFI-QDA
==========================  ==================================================
codebook (own codes nested  ``CodeBook/Codes/Code`` (``Code`` inside its parent;
under their parents)        the article's codes named "EN-01 Strategy")
coders                      ``Users/User``
documents                   ``Sources/TextSource`` (``plainTextPath``
                            ``internal://<guid>.txt``)
segments                    ``PlainTextSelection`` (start/end in characters)
codings                     ``Coding`` with ``CodeRef``, ``creatingUser``,
                            ``creationDateTime``; a memo is a ``Note`` (NoteRef)
==========================  ==================================================

A document with a text file (``documents.path``) is exported with that text
and the segments' spans. A document without one is exported as the text of
its segments, one paragraph each (two line breaks between them), and the
spans are counted in that text; the segment's page and locator go into the
selection's name. GUIDs are derived from the ids (UUID 5), so exporting the
same data twice gives the same file.
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import uuid
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from dcteach._atomic import write_bytes

__all__ = ["export_qdpx", "qde_xml"]

NS = "urn:QDA-XML:project:1.0"
_BASE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:dcteach:qdpx")  # fixed: the same ids give the same GUIDs


def _guid(kind: str, key: str) -> str:
    return str(uuid.uuid5(_BASE, f"{kind}:{key}"))


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _stamp(date: str) -> str:
    """A ``date`` cell as an XML dateTime (midnight UTC)."""
    return f"{_dt.date.fromisoformat(date).isoformat()}T00:00:00Z" if date else ""


def _document_texts(project) -> tuple[dict[str, str], dict[str, tuple[int, int]]]:
    """Plain text per document and (start, end) per segment."""
    texts: dict[str, str] = {}
    spans: dict[str, tuple[int, int]] = {}
    for doc in project.documents.itertuples(index=False):
        segs = project.passages(doc.id)
        own = project.document_text(doc.id)
        if own is not None:
            texts[doc.id] = own
            for s in segs.itertuples(index=False):
                if s.start:
                    spans[s.id] = (int(s.start), int(s.end))
                else:  # no span: the first place the passage occurs, else appended
                    at = own.find(s.text)
                    if at < 0:
                        own += ("\n\n" if own else "") + s.text
                        at = len(own) - len(s.text)
                        texts[doc.id] = own
                    spans[s.id] = (at, at + len(s.text))
            continue
        parts, pos = [], 0
        for s in segs.itertuples(index=False):
            spans[s.id] = (pos, pos + len(s.text))
            parts.append(s.text)
            pos += len(s.text) + 2
        texts[doc.id] = "\n\n".join(parts)
    return texts, spans


def qde_xml(project, *, name: str | None = None) -> tuple[bytes, dict[str, str]]:
    """``project.qde`` as bytes, and the source files ``{name in the zip: text}``.

    >>> from dcteach.data import core_dir
    >>> from dcteach.coding import load_coding
    >>> xml, files = qde_xml(load_coding(core_dir() / "examples" / "coding_mozer"))
    >>> xml[:38], len(files)
    (b"<?xml version='1.0' encoding='UTF-8'?>", 1)
    """
    ET.register_namespace("", NS)
    root = ET.Element(_q("Project"), {"name": name or project.path.resolve().name, "origin": "dcteach"})
    coders = sorted(project.codings["coder"].unique())
    users = ET.SubElement(root, _q("Users"))
    for c in coders:
        ET.SubElement(users, _q("User"), {"guid": _guid("user", c), "name": c, "id": c})
    if not coders:
        root.remove(users)

    cb = project.codebook
    children: dict[str, list] = {}
    for r in cb.itertuples(index=False):
        children.setdefault(r.parent if r.group == "own" else "", []).append(r)
    codebook = ET.SubElement(root, _q("CodeBook"))
    codes = ET.SubElement(codebook, _q("Codes"))

    def add_code(parent_el, r, depth: int = 0) -> None:
        label = f"{r.id} {r.name}".strip() if r.group != "own" else (r.name or r.id)
        el = ET.SubElement(parent_el, _q("Code"), {"guid": _guid("code", r.id), "name": label, "isCodable": "true"})
        desc = r.description or ("" if r.group == "own" else f"The article's {r.group.replace('_', ' ')} {r.id}.")
        if r.group == "own":
            desc = (desc + " " if desc else "") + f"[dcteach code {r.id}]"
        if desc:
            ET.SubElement(el, _q("Description")).text = desc
        if depth < 50:
            for child in children.get(r.id, []):
                add_code(el, child, depth + 1)

    for r in children.get("", []):
        add_code(codes, r)

    texts, spans = _document_texts(project)
    files: dict[str, str] = {}
    sources = ET.SubElement(root, _q("Sources"))
    notes: list[tuple[str, str, str, str]] = []
    by_segment = {sid: grp for sid, grp in project.codings.groupby("segment_id", sort=False)}
    for doc in project.documents.itertuples(index=False):
        dguid = _guid("document", doc.id)
        files[f"Sources/{dguid}.txt"] = texts[doc.id]
        src = ET.SubElement(sources, _q("TextSource"), {"guid": dguid, "name": doc.title or doc.id,
                                                        "plainTextPath": f"internal://{dguid}.txt"})
        ET.SubElement(src, _q("Description")).text = (
            f"dcteach document {doc.id}; source {doc.source_id}" + (f"; {doc.note}" if doc.note else ""))
        for s in project.passages(doc.id).itertuples(index=False):
            start, end = spans[s.id]
            where = ", ".join(x for x in (f"p. {s.page}" if s.page else "", s.locator) if x)
            sel = ET.SubElement(src, _q("PlainTextSelection"), {
                "guid": _guid("segment", s.id), "name": f"{s.id}" + (f" ({where})" if where else ""),
                "startPosition": str(start), "endPosition": str(end)})
            for c in (by_segment[s.id].itertuples(index=False) if s.id in by_segment else []):
                attrs = {"guid": _guid("coding", f"{s.id}\x1f{c.coder}"), "creatingUser": _guid("user", c.coder)}
                if c.date:
                    attrs["creationDateTime"] = _stamp(c.date)
                coding = ET.SubElement(sel, _q("Coding"), attrs)
                ET.SubElement(coding, _q("CodeRef"), {"targetGUID": _guid("code", c.code)})
                if c.memo:
                    nguid = _guid("memo", f"{s.id}\x1f{c.coder}")
                    ET.SubElement(coding, _q("NoteRef"), {"targetGUID": nguid})
                    notes.append((nguid, c.coder, c.date, f"{s.id} · {c.coder}: {c.memo}"))
    if notes:
        notes_el = ET.SubElement(root, _q("Notes"))
        for nguid, coder, date, text in notes:
            attrs = {"guid": nguid, "name": text[:60], "creatingUser": _guid("user", coder)}
            if date:
                attrs["creationDateTime"] = _stamp(date)
            note = ET.SubElement(notes_el, _q("Note"), attrs)
            ET.SubElement(note, _q("PlainTextContent")).text = text
    ET.indent(root)
    buf = io.BytesIO()
    ET.ElementTree(root).write(buf, encoding="UTF-8", xml_declaration=True)
    return buf.getvalue(), files


def export_qdpx(path: str | os.PathLike, out: str | os.PathLike, *, lang: str | None = None) -> Path:
    """Write the coding project of the extension *path* as a REFI-QDA ``.qdpx`` file *out* (atomic).

    The extension is validated first (:func:`~dcteach.coding.load_coding`).

    >>> import tempfile, pathlib, zipfile
    >>> from dcteach.data import core_dir
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "mozer.qdpx"
    >>> sorted(zipfile.ZipFile(export_qdpx(core_dir() / "examples" / "coding_mozer", out)).namelist())[-1]
    'project.qde'
    """
    from dcteach.coding._model import load_coding

    project = load_coding(path, lang=lang)
    xml, files = qde_xml(project)
    buf = io.BytesIO()
    fixed = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same data give the same file
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("project.qde", fixed), xml, compress_type=zipfile.ZIP_DEFLATED)
        for name, text in sorted(files.items()):
            zf.writestr(zipfile.ZipInfo(name, fixed), text.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)
    return write_bytes(Path(out), buf.getvalue())
