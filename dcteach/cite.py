"""Export the article's sources as BibTeX or CSL-JSON.

Sources are rows of the ``sources`` table: the article itself (``SRC-ART``),
its numbered list of sources (``SRC-01`` ... ``SRC-33``), its footnotes
(``FN-01`` ... ``FN-41``) and the external documents we name (``EXT-...``). A
footnote that cites a list item is exported as that list item, with the
footnote's page or slide in ``note``; a footnote citing a work outside the list
(``FN-41``) is exported as its own entry.

Examples
--------
>>> from dcteach import cite
>>> print(cite(["SRC-04"]))  # doctest: +NORMALIZE_WHITESPACE
@techreport{SRC-04,
  title = {The Future of Customs: What are the Organizational Development Needs as We Move Towards Digital Customs and Technologies. Item II on the Agenda. 7th Session of the Capacity Building Committee. 11 – 13 April 2016},
  author = {{World Customs Organization}},
  institution = {{World Customs Organization}},
  year = {2016},
  date = {2016-03-14},
  number = {HC0083E1a},
  address = {Brussels},
}
>>> import json
>>> json.loads(cite(["FN-23"], style="csl-json"))[0]["title"]
'WCO Data Model'
"""

from __future__ import annotations

import json
import re

from dcteach._errors import UsageError

__all__ = ["cite", "STYLES"]

#: Output formats understood by :func:`cite`.
STYLES = ("bibtex", "csl-json")

_BIB_SPECIAL = re.compile(r"([&%#_$])")


def _sources(extra=None):
    from dcteach.data import load_dataset

    if extra is None:
        return load_dataset("sources")
    return load_dataset("sources", extra=extra)


def _val(row, key) -> str:
    value = row.get(key)
    if value is None or (not isinstance(value, str) and value != value):  # NaN/NA
        return ""
    try:
        import pandas as pd

        if value is pd.NA:
            return ""
    except ImportError:  # pragma: no cover
        pass
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _resolve(ids, table):
    rows = {r["id"]: r for r in table.to_dict("records")}
    if ids is None:  # every work: all but footnotes that repeat a list item or cite none
        ids = [i for i, r in rows.items() if r["kind"] != "footnote" or (not _val(r, "same_as") and _val(r, "title"))]
    if isinstance(ids, str):
        ids = [ids]
    out, seen = [], set()
    for ident in ids:
        if ident not in rows:
            raise UsageError(
                f"no source with id {ident!r}; ids look like 'SRC-04' (list item), "
                "'FN-23' (footnote), 'SRC-ART' (the article) — see dcteach.load_dataset('sources')"
            )
        row = rows[ident]
        note = ""
        if row["kind"] == "footnote":
            target = _val(row, "same_as")
            if not target and not _val(row, "title"):
                raise UsageError(
                    f"{ident} is not a bibliographic reference: {_val(row, 'note')}"
                )
            note = f"Cited in footnote {_val(row, 'number')} of Mozer (2019)"
            if _val(row, "pages"):
                note += f", {_val(row, 'pages')}"
            row = rows[target] if target else row
        if row["id"] in seen:
            continue
        seen.add(row["id"])
        out.append((row, note))
    return out


def _bib_escape(text: str) -> str:
    return _BIB_SPECIAL.sub(r"\\\1", text).replace("{", "\\{").replace("}", "\\}")


def _persons(authors: str):
    """Split 'Family, Given; Family2, Given2' into (is_person, family, given) tuples."""
    out = []
    for part in filter(None, (a.strip() for a in authors.split(";"))):
        if "," in part and not part.lower().startswith("world customs"):
            family, given = (s.strip() for s in part.split(",", 1))
            out.append((True, family, given))
        else:
            out.append((False, part, ""))
    return out


def _entry_type(row) -> tuple[str, str]:
    """(BibTeX type, CSL type) for a source row."""
    if row["kind"] == "article":
        return "article", "article-journal"
    if "monograph" in _val(row, "title").lower():
        return "book", "book"
    if _val(row, "document_code"):
        return "techreport", "report"
    if "Convention" in _val(row, "title") or "Agreement on" in _val(row, "title"):
        return "misc", "treaty"
    if row["kind"] == "external" and "ISO" in _val(row, "title"):
        return "misc", "standard"
    return "misc", "webpage" if _val(row, "url") else "document"


def _bibtex(row, note) -> str:
    btype, _ = _entry_type(row)
    fields = [("title", _bib_escape(_val(row, "title")))]
    people = _persons(_val(row, "authors"))
    if people:
        fields.append(
            (
                "author",
                " and ".join(
                    f"{_bib_escape(f)}, {_bib_escape(g)}" if person else "{" + _bib_escape(f) + "}"
                    for person, f, g in people
                ),
            )
        )
    if btype == "techreport":
        org = next((f for person, f, _ in people if not person), "World Customs Organization")
        fields.append(("institution", "{" + _bib_escape(org) + "}"))
    for key, bib in (("container_title", "journal"), ("publisher", "publisher"), ("year", "year")):
        if _val(row, key):
            fields.append((bib, _bib_escape(_val(row, key))))
    if _val(row, "issued"):
        fields.append(("date", _val(row, "issued")))
    for key, bib in (("issue", "number"), ("document_code", "number"), ("pages", "pages")):
        if _val(row, key) and bib not in dict(fields):
            fields.append((bib, _bib_escape(_val(row, key).replace("–", "--"))))
    if _val(row, "place"):
        fields.append(("address", _bib_escape(_val(row, "place"))))
    if _val(row, "url"):
        fields.append(("url", _val(row, "url").replace("{", "%7B").replace("}", "%7D")))
    if _val(row, "access_date"):
        fields.append(("urldate", _val(row, "access_date")))
    if note:
        fields.append(("note", _bib_escape(note)))
    body = "".join(f"  {k} = {{{v}}},\n" for k, v in fields)
    return f"@{btype}{{{row['id']},\n{body}}}"


def _date_parts(text: str):
    return {"date-parts": [[int(p) for p in text.split("-")]]}


def _csl(row, note) -> dict:
    _, ctype = _entry_type(row)
    item = {"id": row["id"], "type": ctype, "title": _val(row, "title")}
    people = _persons(_val(row, "authors"))
    if people:
        item["author"] = [
            {"family": f, "given": g} if person else {"literal": f} for person, f, g in people
        ]
    if _val(row, "issued"):
        item["issued"] = _date_parts(_val(row, "issued"))
    elif _val(row, "year"):
        item["issued"] = _date_parts(_val(row, "year"))
    if _val(row, "access_date"):
        item["accessed"] = _date_parts(_val(row, "access_date"))
    for key, csl in (
        ("container_title", "container-title"),
        ("publisher", "publisher"),
        ("place", "publisher-place"),
        ("issue", "issue"),
        ("pages", "page"),
        ("document_code", "number"),
        ("url", "URL"),
    ):
        if _val(row, key):
            item[csl] = _val(row, key)
    if ctype == "report" and "publisher" not in item and people and not people[0][0]:
        item["publisher"] = people[0][1]
    if note:
        item["note"] = note
    return item


def cite(ids=None, style: str = "bibtex", *, extra=None) -> str:
    """Return citations of sources as BibTeX or CSL-JSON text.

    Parameters
    ----------
    ids : str or list of str, optional
        Source ids (``"SRC-04"``, ``"FN-23"``, ``"SRC-ART"``, ``"EXT-ISO3166"``).
        By default every work: the article, its list of sources and the
        external documents (footnotes resolve to their list items).
    style : {"bibtex", "csl-json"}
        Output format.
    extra : path, optional, keyword-only
        A researcher's extension folder: its ``sources`` rows can be cited too.

    Returns
    -------
    str
        BibTeX entries separated by blank lines, or a JSON array of CSL items.

    Raises
    ------
    ValueError
        For an unknown id or style, or a footnote that is not a reference.

    >>> cite("SRC-ART", style="apa")
    Traceback (most recent call last):
    ...
    dcteach.UsageError: unknown citation style 'apa'; choose one of: bibtex, csl-json
    """
    if style not in STYLES:
        raise UsageError(f"unknown citation style {style!r}; choose one of: {', '.join(STYLES)}")
    items = _resolve(ids, _sources(extra))
    if style == "bibtex":
        return "\n\n".join(_bibtex(row, note) for row, note in items) + "\n"
    return json.dumps([_csl(row, note) for row, note in items], ensure_ascii=False, indent=2)
