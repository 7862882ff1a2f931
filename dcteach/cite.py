"""Export the article's sources, and the data packages themselves, as BibTeX or CSL-JSON.

Sources are rows of the ``sources`` table: the article itself (``SRC-ART``),
its numbered list of sources (``SRC-01`` ... ``SRC-33``), its footnotes
(``FN-01`` ... ``FN-41``) and the external documents we name (``EXT-...``). A
footnote that cites a list item is exported as that list item (footnote 24,
which cites two, as both), with the footnote's page or slide in ``note``; a
footnote citing a work outside the list (``FN-41``) is exported as its own entry.

The BibTeX is biblatex's: the entry type follows the row's ``work_type``
(journal article ``@article``, legal act ``@legislation``, report
``@techreport``, web page ``@online``, …; see ``dcteach/cite_map.json``),
a pinpoint (the page or slide the article cites) is only ever in ``note``, a
book's length is ``pagetotal``, the meeting a document was issued for is
``titleaddon``, and proper nouns in titles are kept in braces so that
sentence-case styles keep their capitals. :func:`cite_package` cites the
core data package or an extension as a dataset, with its version.

Examples
--------
>>> from dcteach import cite
>>> print(cite(["SRC-04"]))  # doctest: +NORMALIZE_WHITESPACE
@techreport{SRC-04,
  title = {The Future of Customs: What are the Organizational Development Needs as We Move Towards Digital Customs and Technologies},
  titleaddon = {Item {II} on the Agenda. 7th Session of the {Capacity Building Committee}. 11 – 13 {April} 2016},
  author = {{World Customs Organization}},
  institution = {{World Customs Organization}},
  date = {2016-03-14},
  number = {HC0083E1a},
  location = {Brussels},
}
>>> import json
>>> json.loads(cite(["FN-23"], style="csl-json"))[0]["title"]
'WCO Data Model'
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from importlib import resources
from pathlib import Path

from dcteach._errors import UsageError

__all__ = ["cite", "cite_package", "STYLES"]

#: Output formats understood by :func:`cite` and :func:`cite_package`.
STYLES = ("bibtex", "csl-json")

_BIB_SPECIAL = re.compile(r"([&%#_$])")


@functools.lru_cache(maxsize=1)
def _map() -> dict:
    return json.loads(resources.files("dcteach").joinpath("cite_map.json").read_text(encoding="utf-8"))


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
    return str(value).strip()


def _resolve(ids, table):
    """[(row of the work, note)] for the ids asked, each work once, in the order asked."""
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
        works = [(row, _pinpoint_note(row))]
        if row["kind"] == "footnote":
            targets = [t for t in (_val(row, "same_as"), _val(row, "also_same_as")) if t]
            if not targets and not _val(row, "title"):
                raise UsageError(f"{ident} is not a bibliographic reference: {_val(row, 'note')}")
            note = _pinpoint_note(row)
            works = [(rows[t], note) for t in targets] if targets else [(row, note)]
        for work, note in works:
            if work["id"] not in seen:
                seen.add(work["id"])
                out.append((work, note))
    return out


def _pinpoint_note(row) -> str:
    """Where the article cites the work: a footnote, or a list item's own page or slide."""
    pages = _val(row, "pages")
    if row["kind"] == "footnote":
        note = f"Cited in footnote {_val(row, 'number')} of Mozer (2019)"
        return f"{note}, {pages}" if pages else note
    if row["kind"] == "list_item" and pages:
        return f"Cited in the list of sources of Mozer (2019), item {_val(row, 'number')}, {pages}"
    return ""


def _work_type(row) -> str:
    """The row's work_type, or one inferred from its fields (researchers' rows may leave it empty)."""
    given = _val(row, "work_type")
    if given:
        return given
    if any(_val(row, k) for k in ("act_number", "jurisdiction", "date_adopted")):
        return "legal_act"
    if row.get("kind") == "article" or _val(row, "container_title"):
        return "journal_article"
    if "monograph" in _val(row, "title").lower() or _val(row, "pagetotal"):
        return "book"
    if _val(row, "document_code"):
        return "report"
    return "webpage" if _val(row, "url") else "other"


#: biblatex types whose required fields a row may lack -> (fields it needs, type to fall back to)
_NEEDS = {
    "article": (("authors", "container_title"), "misc"),
    "techreport": (("authors",), "misc"),
    "book": (("authors",), "misc"),
    "incollection": (("authors", "container_title"), "misc"),
}


def _entry_type(row) -> tuple[str, str]:
    """(biblatex type, CSL type) for a source row.

    A row that lacks a field its biblatex type requires (a report without an
    author) falls back to ``@misc``, whose only required field is the title.
    """
    bib, csl = _map()["types"].get(_work_type(row), _map()["types"]["other"])
    needs, fallback = _NEEDS.get(bib, ((), bib))
    if not all(_val(row, k) for k in needs):
        bib = fallback
    return bib, csl


def _bib_escape(text: str) -> str:
    return _BIB_SPECIAL.sub(r"\\\1", text).replace("{", "\\{").replace("}", "\\}")


@functools.lru_cache(maxsize=1)
def _protect_pattern() -> re.Pattern:
    phrases = sorted((_bib_escape(p) for p in _map()["protect"]), key=len, reverse=True)
    # a listed proper noun, or a word with two capitals, an inner capital, or a capital and a digit
    word = r"\w*(?:[A-Z]\w*[A-Z0-9]|[0-9]\w*[A-Z])\w*|\w+[A-Z]\w*"
    listed = "|".join(re.escape(p) for p in phrases)
    return re.compile(rf"(?<![\w\\])(?:{listed})(?!\w)|(?<![\w\\])(?:{word})(?!\w)")


def _protect(text: str) -> str:
    """Escape BibTeX specials and brace-protect proper nouns and acronyms.

    >>> _protect("Customs of the Eurasian Economic Union: WCO & TeN")
    'Customs of the {Eurasian Economic Union}: {WCO} \\\\& {TeN}'
    >>> _protect("The Future of Customs")  # ordinary capitals may change case
    'The Future of Customs'
    """
    return _protect_pattern().sub(lambda m: "{" + m.group(0) + "}", _bib_escape(text))


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


def _date(row) -> str:
    return _val(row, "issued") or _val(row, "date_adopted") or _val(row, "year")


def _bibtex(row, note) -> str:
    btype, _ = _entry_type(row)
    fields = [("title", _protect(_val(row, "title")))]
    if _val(row, "event"):
        fields.append(("titleaddon", _protect(_val(row, "event"))))
    people = _persons(_val(row, "authors"))
    if people:
        fields.append(("author", " and ".join(
            f"{_bib_escape(f)}, {_bib_escape(g)}" if person else "{" + _bib_escape(f) + "}" for person, f, g in people
        )))
    if btype == "techreport":
        org = next((f for person, f, _ in people if not person), _val(row, "publisher") or people[0][1])
        fields.append(("institution", "{" + _bib_escape(org) + "}"))
    if btype == "article" and _val(row, "container_title"):
        fields.append(("journaltitle", _bib_escape(_val(row, "container_title"))))
    if btype in ("book", "incollection", "dataset") and _val(row, "publisher"):
        fields.append(("publisher", _bib_escape(_val(row, "publisher"))))
    if btype == "incollection" and _val(row, "container_title"):
        fields.append(("booktitle", _protect(_val(row, "container_title"))))
    if _date(row):
        fields.append(("date", _date(row)))
    if btype == "article":
        for key, bib in (("volume", "volume"), ("issue", "number")):
            if _val(row, key):
                fields.append((bib, _bib_escape(_val(row, key))))
    number = {"techreport": "document_code", "legislation": "act_number"}.get(btype)
    if number and _val(row, number):
        fields.append(("number", _bib_escape(_val(row, number))))
    if row.get("kind") not in ("footnote", "list_item") and _val(row, "pages") and btype in ("article", "incollection", "techreport", "book"):
        fields.append(("pages", _bib_escape(_val(row, "pages").replace("–", "--"))))
    if btype in ("book", "techreport") and _val(row, "pagetotal"):
        fields.append(("pagetotal", _val(row, "pagetotal")))
    location = _val(row, "place") or (_val(row, "jurisdiction") if btype == "legislation" else "")
    if location and btype != "online":
        fields.append(("location", _bib_escape(location)))
    if _val(row, "doi"):
        fields.append(("doi", _val(row, "doi")))
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
        item["author"] = [{"family": f, "given": g} if person else {"literal": f} for person, f, g in people]
    if _date(row):
        item["issued"] = _date_parts(_date(row))
    if _val(row, "access_date"):
        item["accessed"] = _date_parts(_val(row, "access_date"))
    for key, csl in (
        ("container_title", "container-title"),
        ("publisher", "publisher"),
        ("place", "publisher-place"),
        ("volume", "volume"),
        ("issue", "issue"),
        ("pagetotal", "number-of-pages"),
        ("document_code", "number"),
        ("act_number", "number"),
        ("jurisdiction", "jurisdiction"),
        ("event", "event-title"),
        ("doi", "DOI"),
        ("url", "URL"),
    ):
        if _val(row, key):
            item[csl] = _val(row, key)
    if row.get("kind") not in ("footnote", "list_item") and _val(row, "pages"):
        item["page"] = _val(row, "pages")
    if ctype == "report" and "publisher" not in item and people and not people[0][0]:
        item["publisher"] = people[0][1]
    if note:
        item["note"] = note
    return item


def cite(ids=None, style: str = "bibtex", *, extra=None) -> str:
    """Return citations of sources as BibTeX (biblatex) or CSL-JSON text.

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
    _check_style(style)
    items = _resolve(ids, _sources(extra))
    if style == "bibtex":
        return "\n\n".join(_bibtex(row, note) for row, note in items) + "\n"
    return json.dumps([_csl(row, note) for row, note in items], ensure_ascii=False, indent=2)


def _check_style(style: str) -> None:
    if style not in STYLES:
        raise UsageError(f"unknown citation style {style!r}; choose one of: {', '.join(STYLES)}")


def _package_descriptor(path) -> tuple[Path, dict]:
    from dcteach._jsondoc import loads_located
    from dcteach.data import core_dir

    folder = core_dir() if path is None else Path(path)
    desc_path = folder if folder.name == "datapackage.json" else folder / "datapackage.json"
    try:
        text = desc_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{desc_path}: no data package here; give a folder that holds a datapackage.json") from None
    except OSError as exc:
        raise UsageError(f"{desc_path}: cannot read the descriptor ({exc.strerror})") from None
    desc = loads_located(text, str(desc_path), UsageError, "fix the JSON of the descriptor")
    if not isinstance(desc, dict):
        raise UsageError(f"{desc_path}: the descriptor is not a JSON object")
    if not str(desc.get("version") or "").strip():
        raise UsageError(
            f'{desc_path}: the package has no "version"; add one (e.g. "version": "1.0.0") so that a citation says which data you used'
        )
    return desc_path, desc


def _is_creator(contributor: dict) -> bool:
    """An author or creator: Data Package v1 ``role`` (default author) or v2 ``roles``."""
    roles = contributor.get("roles")
    if isinstance(roles, list):
        return bool({str(r).lower() for r in roles} & {"author", "creator"})
    return str(contributor.get("role", "author")).lower() in ("author", "creator")


def _contributor_name(contributor: dict) -> str:
    """'Family, Given' from v2 ``familyName``/``givenName``, else the ``title`` as written."""
    family, given = str(contributor.get("familyName") or "").strip(), str(contributor.get("givenName") or "").strip()
    if family:
        return f"{family}, {given}" if given else family
    return str(contributor.get("title") or "").strip()


def cite_package(path=None, style: str = "bibtex") -> str:
    """Cite a data package (the core one, or a researcher's extension) as a dataset.

    Parameters
    ----------
    path : path, optional
        A package folder (or its ``datapackage.json``). Default: the core
        data package of dcteach.
    style : {"bibtex", "csl-json"}
        ``@dataset`` (biblatex) or a CSL item of type ``dataset``.

    Returns
    -------
    str
        One entry, with the package's title, authors, version, date, licence,
        and the SHA-256 of its descriptor (which pins every file's checksum).

    >>> from dcteach.data import core_dir
    >>> import json
    >>> item = json.loads(cite_package(style="csl-json"))[0]
    >>> item["type"], item["version"] == json.loads((core_dir() / "datapackage.json").read_text())["version"]
    ('dataset', True)
    """
    _check_style(style)
    desc_path, desc = _package_descriptor(path)
    version = str(desc["version"]).strip()
    name = str(desc.get("name") or desc_path.parent.name)
    key = re.sub(r"[^A-Za-z0-9_.:-]+", "-", f"{name}-{version}")
    authors = [_contributor_name(c) for c in desc.get("contributors", []) if isinstance(c, dict) and _is_creator(c)]
    authors = [a for a in authors if a] or ["dcteach contributors"]
    licences = ", ".join(str(lic.get("name") or lic.get("title")) for lic in desc.get("licenses", []) if isinstance(lic, dict))
    digest = hashlib.sha256(desc_path.read_bytes()).hexdigest()
    extends = desc.get("extends")
    note = f"Frictionless data package '{name}'"
    if extends:
        core_version = extends.get("version") if isinstance(extends, dict) else None
        note += " extending the dcteach data package" + (f" {core_version}" if core_version else "")
    note += (f"; licence {licences}" if licences else "") + f"; descriptor SHA-256 {digest}"
    date = str(desc.get("created") or "")[:10]
    row = {
        "title": str(desc.get("title") or name),
        "authors": "; ".join(authors),
        "version": version,
        "date": date if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", date) else "",
        "url": str(desc.get("homepage") or ""),
        "doi": str(desc.get("id") or "").removeprefix("https://doi.org/") if str(desc.get("id") or "").startswith(("10.", "https://doi.org/10.")) else "",
    }
    people = _persons(row["authors"])
    if style == "csl-json":
        item = {"id": key, "type": "dataset", "title": row["title"], "version": version,
                "author": [{"family": f, "given": g} if person else {"literal": f} for person, f, g in people],
                "note": note}
        if row["date"]:
            item["issued"] = _date_parts(row["date"])
        if row["url"]:
            item["URL"] = row["url"]
        if row["doi"]:
            item["DOI"] = row["doi"]
        return json.dumps([item], ensure_ascii=False, indent=2)
    fields = [
        ("title", _protect(row["title"])),
        ("author", " and ".join(f"{_bib_escape(f)}, {_bib_escape(g)}" if p else "{" + _bib_escape(f) + "}" for p, f, g in people)),
        ("version", _bib_escape(version)),
    ]
    if row["date"]:
        fields.append(("date", row["date"]))
    if row["doi"]:
        fields.append(("doi", row["doi"]))
    if row["url"]:
        fields.append(("url", row["url"]))
    fields.append(("note", _bib_escape(note)))
    body = "".join(f"  {k} = {{{v}}},\n" for k, v in fields)
    return f"@dataset{{{key},\n{body}}}\n"
