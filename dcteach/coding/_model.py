"""Coding documents against the article's taxonomy: the tables, their checks, and atomic writes.

A coding project lives in a researcher's extension as four Frictionless tables
(schemas in ``dcteach/coding/schemas/``):

``documents``  id, title, source_id (→ ``sources``), path (optional plain-text file), lang, note
``segments``   id, document_id (→ ``documents``), start/end (characters), page, locator, text
``codebook``   id, parent (→ ``codebook``), enabler_id / priority_area_id / competency_type_id /
               capability_id (→ the core tables), name_en, name_ru, description
``codings``    segment_id (→ ``segments``), coder, code (→ ``codebook``), date, memo

``dcteach validate`` checks the keys (into the core too); :func:`load_coding`
adds the checks a Table Schema cannot say, each as one located line.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import json
import os
from pathlib import Path

import pandas as pd

from dcteach import data
from dcteach._atomic import write_text
from dcteach._errors import DatasetError, UsageError

__all__ = [
    "TABLES",
    "TAXONOMY",
    "CodingProject",
    "add_coding",
    "coding_schema",
    "load_coding",
    "record_coding",
]

_HERE = Path(__file__).resolve().parent

#: The coding tables, in the order of their keys (each refers only to earlier ones or the core).
TABLES = ("documents", "segments", "codebook", "codings")

#: The article's taxonomy: codebook column → (core table, group key).
TAXONOMY = {
    "enabler_id": ("enablers", "enabler"),
    "priority_area_id": ("priority_areas", "priority_area"),
    "competency_type_id": ("competency_types", "competency_type"),
    "capability_id": ("capabilities", "capability"),
}

_TITLES = {
    "documents": ("Coded documents", "The documents whose passages are coded, each tied to a source."),
    "segments": ("Segments", "Passages of the documents, with provenance: span (characters), page or line."),
    "codebook": ("Codebook", "The article's enablers, priority areas, competency types and capabilities, "
                             "and the researcher's own codes extending them (parent)."),
    "codings": ("Codings", "One code per segment and coder, with the date and a memo."),
}

# Example rows: two passages actually in the article (English web copy, line locators),
# coded by an illustrative coder on the day the tables are made. The coding is editorial (the researcher's, not the article's).
_EXAMPLE = {
    "documents": [["DOC-ART", "Mozer (2019), Digital customs (English web copy)", "SRC-ART", "", "en",
                   "example row: replace with your own documents"]],
    "segments": [
        ["SEG-EX-01", "DOC-ART", "", "", "194", "l. 65",
         "Along with the named factors, three more were voiced: Human Resource Capabilities and Skills, "
         "data security, Business continuity plan."],
        ["SEG-EX-02", "DOC-ART", "", "", "194", "l. 67",
         "The priority areas of «digital customs» remain (1) «connectivity», (2) «coordinated border "
         "management (single window)», (3) «Data model», (4) «e-commerce», (5) «Big data», (6) information "
         "exchange and (7) sustainable development goals."],
    ],
    "codebook_own": [["MY-C-01", "EN-05", "", "", "", "", "Training of customs staff (example)",
                      "Подготовка таможенных кадров (пример)",
                      "example own code: passages on training people for digital customs"]],
    "codings": [["SEG-EX-01", "example", "MY-C-01", "", "editorial example coding"],
                ["SEG-EX-02", "example", "PA-01", "", "editorial example coding"]],
}


_README_CODING = """
## Coding documents

- `documents.csv`: one row per document you code, tied to a source
  (`source_id`: a core source such as `SRC-ART`, or one in `sources.csv`).
- `segments.csv`: the passages, quoted as written, with where they are:
  `start`/`end` (characters in the document's text file named in
  `documents.path`), or `page` and `locator` (line, paragraph, footnote).
- `codebook.csv`: already holds every code of the article (enablers EN-…,
  priority areas PA-…, competency types CT-…, capabilities CAP-…). Add your
  own codes below them, each with a `parent` (an article's code or another of
  yours) and a `name_en`.
- `codings.csv`: one code per segment and coder, the date and a memo. The
  coding widget fills it: `dcteach.widgets.CodingWidget("{path}")`.

The example rows (document DOC-ART, segments SEG-EX-…, code MY-C-01, coder
`example`) are there to show the format: delete them when you start.
Agreement between coders: `dcteach.assessment.coder_agreement(...)`;
export for ATLAS.ti, MAXQDA or NVivo: `dcteach extension qdpx {path} project.qdpx`.
"""


@functools.lru_cache(maxsize=None)
def _schema_text(name: str) -> str:
    return (_HERE / "schemas" / f"{name}.json").read_text(encoding="utf-8")


def coding_schema(name: str) -> dict:
    """The Table Schema of coding table *name* (a fresh copy).

    >>> [f["name"] for f in coding_schema("codings")["fields"]]
    ['segment_id', 'coder', 'code', 'date', 'memo']
    >>> coding_schema("codings")["primaryKey"]
    ['segment_id', 'coder']
    """
    if name not in TABLES:
        raise UsageError(f"no coding table named {name!r}; choose one of: {', '.join(TABLES)}")
    return json.loads(_schema_text(name))


def _csv(rows: list[list[str]]) -> str:
    import csv
    import io

    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def _taxonomy_rows(core_dir: Path | None = None) -> list[list[str]]:
    """One codebook row per id of the four core tables (names come from the core at load time)."""
    cols = list(TAXONOMY)
    rows = []
    for col, (table, _group) in TAXONOMY.items():
        for code in data.load_dataset(table)["id"].astype(str):
            cells = [""] * len(cols)
            cells[cols.index(col)] = code
            rows.append([code, "", *cells, "", "", ""])
    return rows


def add_coding(path: str | os.PathLike, *, example: bool = True) -> list[Path]:
    """Add the four coding tables to the extension *path*; return the files written.

    The codebook starts with every code of the article's taxonomy (7 enablers,
    7 priority areas, 5 competency types, 13 capabilities). With *example*, the
    other tables get example rows (two passages of the article, one own code,
    two codings by the coder ``example``) that validate; delete them when you
    start. The descriptor is rewritten atomically (and a section on coding is
    added to the extension's README.md, if it has one); no table is overwritten.

    >>> import tempfile, pathlib
    >>> from dcteach._extension import scaffold
    >>> from dcteach.validate import validate
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "my_coding"
    >>> _ = scaffold(d)
    >>> [p.name for p in add_coding(d)]
    ['documents.csv', 'segments.csv', 'codebook.csv', 'codings.csv', 'datapackage.json', 'README.md']
    >>> validate(d).valid
    True
    """
    target = Path(path)
    descriptor_path = target / "datapackage.json"
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{target}: no datapackage.json; create an extension first "
                         f"(dcteach extension new {target} --coding)") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{descriptor_path}: cannot read it as JSON ({exc}); fix it, then try again") from None
    if descriptor.get("extends") != "dcteach":
        raise UsageError(f"{descriptor_path}: not a dcteach extension (no \"extends\": \"dcteach\"); "
                         "coding tables go into an extension (dcteach extension new PATH --coding)")
    names = {r.get("name") for r in descriptor.get("resources", []) if isinstance(r, dict)}
    clash = [n for n in TABLES if n in names or (target / f"{n}.csv").exists()]
    if clash:
        raise UsageError(f"{target}: already has {', '.join(clash)}; nothing was changed "
                         "(remove those tables first, or add codings to the existing ones)")
    header = {n: [f["name"] for f in coding_schema(n)["fields"]] for n in TABLES}
    rows = {
        "documents": _EXAMPLE["documents"] if example else [],
        "segments": _EXAMPLE["segments"] if example else [],
        "codebook": _taxonomy_rows() + (_EXAMPLE["codebook_own"] if example else []),
        "codings": [[*r[:3], _dt.date.today().isoformat(), r[4]] for r in _EXAMPLE["codings"]] if example else [],
    }
    written = []
    for n in TABLES:
        written.append(write_text(target / f"{n}.csv", _csv([header[n], *rows[n]])))
    for n in TABLES:
        title, description = _TITLES[n]
        descriptor.setdefault("resources", []).append(
            {"name": n, "path": f"{n}.csv", "format": "csv", "encoding": "utf-8", "title": title,
             "description": description, "schema": coding_schema(n)})
    written.append(write_text(descriptor_path, json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"))
    readme = target / "README.md"
    if readme.is_file():
        written.append(write_text(readme, readme.read_text(encoding="utf-8").rstrip("\n") + "\n"
                                  + _README_CODING.format(path=target)))
    return written


@dataclasses.dataclass
class CodingProject:
    """The coding tables of one extension, as read (cells are strings; ``""`` when empty).

    ``codebook`` has three more columns: ``group`` (``enabler``, ``priority_area``,
    ``competency_type``, ``capability`` or ``own``), ``root`` (the article's code
    an own code descends from) and ``name`` (in the project's language; the
    core's name for the article's codes).
    """

    path: Path
    lang: str
    documents: pd.DataFrame
    segments: pd.DataFrame
    codebook: pd.DataFrame
    codings: pd.DataFrame

    def passages(self, document_id: str | None = None) -> pd.DataFrame:
        """The segments of one document (or all), in the order of the table."""
        if document_id is None:
            return self.segments.copy()
        return self.segments[self.segments["document_id"] == document_id].copy()

    def codings_of(self, coder: str) -> pd.DataFrame:
        """The rows of *coder* (exact name)."""
        return self.codings[self.codings["coder"] == coder].copy()

    def document_text(self, document_id: str) -> str | None:
        """The document's plain text from its ``path`` file, or ``None`` if it has none."""
        row = self.documents.set_index("id").loc[document_id]
        if not row["path"]:
            return None
        return (self.path / row["path"]).read_text(encoding="utf-8")


def _located(path: Path, table: str, row: int, column: int, problem: str, value: str, fix: str) -> str:
    shown = f" ({value!r})" if value != "" else ""
    return f"{path / (table + '.csv')}:{row}:{column}: {problem}{shown} — {fix}"


def _check(project: CodingProject) -> list[str]:
    """Checks a Table Schema cannot express; one located line per problem."""
    problems: list[str] = []
    cb = project.codebook
    cols = list(cb.columns)
    tax_cols = list(TAXONOMY)
    parent_of = dict(zip(cb["id"], cb["parent"]))
    for i, r in enumerate(cb.itertuples(index=False), start=2):
        set_cols = [c for c in tax_cols if getattr(r, c)]
        if len(set_cols) > 1:
            problems.append(_located(project.path, "codebook", i, cols.index(set_cols[1]) + 1,
                                     f"a code refers to two taxonomy tables ({', '.join(set_cols)})",
                                     getattr(r, set_cols[1]), "keep one of them (a code is one enabler, "
                                     "priority area, competency type or capability)"))
        elif set_cols and getattr(r, set_cols[0]) != r.id:
            problems.append(_located(project.path, "codebook", i, cols.index("id") + 1,
                                     f"an article's code must keep its own id ({getattr(r, set_cols[0])})", r.id,
                                     f"write {getattr(r, set_cols[0])} in id, or empty {set_cols[0]} and give "
                                     "your own code a parent"))
        elif set_cols and r.parent:
            problems.append(_located(project.path, "codebook", i, cols.index("parent") + 1,
                                     "an article's code has no parent", r.parent, "empty the parent cell"))
        if not set_cols and not r.name_en:
            problems.append(_located(project.path, "codebook", i, cols.index("name_en") + 1,
                                     "your own code needs a name", "", "write its English name in name_en"))
        if not set_cols and r.parent:
            seen, code = {r.id}, r.parent
            while code and code not in seen:
                seen.add(code)
                code = parent_of.get(code, "")
            if code in seen and code:
                problems.append(_located(project.path, "codebook", i, cols.index("parent") + 1,
                                         "the parents of this code go round in a circle", r.parent,
                                         "make the chain of parents end at one of the article's codes"))
    seg = project.segments
    scols = list(seg.columns)
    texts: dict[str, str | None] = {}
    for i, r in enumerate(seg.itertuples(index=False), start=2):
        if bool(r.start) != bool(r.end):
            problems.append(_located(project.path, "segments", i, scols.index("end" if r.start else "start") + 1,
                                     "a span needs both start and end", "", "fill both cells or neither"))
            continue
        if not r.start:
            continue
        start, end = int(r.start), int(r.end)
        if end <= start:
            problems.append(_located(project.path, "segments", i, scols.index("end") + 1,
                                     f"the span ends before it starts (start {start})", r.end,
                                     "end counts the characters up to the passage's last one, exclusive"))
            continue
        if r.document_id not in texts:
            try:
                texts[r.document_id] = project.document_text(r.document_id)
            except (KeyError, OSError):
                texts[r.document_id] = None
        text = texts[r.document_id]
        if text is not None and text[start:end] != r.text:
            problems.append(_located(project.path, "segments", i, scols.index("text") + 1,
                                     f"the text is not the document's characters {start}–{end} "
                                     f"({text[start:end][:40]!r}…)", r.text[:40],
                                     "correct start and end, or copy the passage from the document"))
    return problems


def _names(lang: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for table, _group in TAXONOMY.values():
        df = data.load_dataset(table)
        names.update(zip(df["id"].astype(str), df[f"name_{lang}"].astype(str)))
    return names


def load_coding(path: str | os.PathLike, *, lang: str | None = None) -> CodingProject:
    """Validate the extension *path* and read its coding tables.

    Raises :class:`~dcteach.DatasetError` listing every problem
    (``file:row:column: problem (value) — how to fix``): first those of
    ``dcteach validate``, then the coding checks (an article's code keeps its
    id, own codes have a name and a parent chain ending in the taxonomy, spans
    match the document's text).

    >>> from dcteach.data import core_dir
    >>> project = load_coding(core_dir() / "examples" / "coding_mozer")
    >>> len(project.segments), sorted(project.codings["coder"].unique())
    (8, ['Coder A', 'Coder B'])
    >>> project.codebook.set_index("id").loc["EN-05", ["group", "root"]].tolist()
    ['enabler', 'EN-05']
    """
    from dcteach._extension import read_resource
    from dcteach._validation._engine import load_package
    from dcteach.validate import validate

    lang = data.resolve_lang(lang)
    target = Path(path)
    if not (target / "datapackage.json").is_file():
        raise DatasetError(f"{target}: no datapackage.json; give the folder of your extension")
    try:
        report = validate(target)
        pkg = load_package(target)
    except UsageError as exc:
        raise DatasetError(str(exc)) from None
    if not report.valid:
        shown = [p.format_text() for p in report.errors[:20]]
        more = f"\n… and {len(report.errors) - 20} more" if len(report.errors) > 20 else ""
        raise DatasetError(f"the extension {target} is not valid ({len(report.errors)} error"
                           f"{'s' if len(report.errors) != 1 else ''}):\n" + "\n".join(shown) + more
                           + f"\nfix them, then check with `dcteach validate {target}`")
    missing = [n for n in TABLES if n not in pkg.resources]
    if missing:
        raise DatasetError(f"{target}: no coding table {', '.join(missing)}; add them with "
                           f"`dcteach extension coding {target}`")
    frames = {}
    for n in TABLES:
        res = pkg.resources[n]
        frame = read_resource(res.path, dialect=res.dialect, encoding=res.encoding)
        for f in coding_schema(n)["fields"]:
            if f["name"] not in frame.columns:
                frame[f["name"]] = ""
        frames[n] = frame
    cb = frames["codebook"]
    group = pd.Series("own", index=cb.index, dtype=object)
    for col, (_table, g) in TAXONOMY.items():
        group = group.mask(cb[col] != "", g)
    cb["group"] = group
    parent_of = dict(zip(cb["id"], cb["parent"]))
    kind = dict(zip(cb["id"], group))

    def root(code: str) -> str:
        seen = set()
        while kind.get(code) == "own" and code not in seen:
            seen.add(code)
            code = parent_of.get(code, "")
        return code if kind.get(code) not in (None, "own") else ""

    cb["root"] = [root(c) for c in cb["id"]]
    core = _names(lang)
    own = cb[f"name_{lang}"].where(cb[f"name_{lang}"] != "", cb["name_en"])
    cb["name"] = [core.get(c, "") if g != "own" else o for c, g, o in zip(cb["id"], group, own)]
    project = CodingProject(target, lang, frames["documents"], frames["segments"], cb, frames["codings"])
    problems = _check(project)
    if problems:
        raise DatasetError(f"the coding tables of {target} have {len(problems)} problem"
                           f"{'s' if len(problems) != 1 else ''}:\n" + "\n".join(problems))
    return project


def record_coding(path: str | os.PathLike, segment_id: str, coder: str, code: str | None, *,
                  memo: str = "", date: _dt.date | None = None) -> pd.DataFrame:
    """Set (or, with ``code=None``, remove) *coder*'s code of one segment in ``codings.csv``; atomic.

    The file is read afresh and written back in its own style, so rows of
    other coders saved meanwhile are kept. Returns the new codings table.

    >>> import tempfile, pathlib, shutil
    >>> from dcteach.data import core_dir
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "c"
    >>> _ = shutil.copytree(core_dir() / "examples" / "coding_mozer", d)
    >>> rows = record_coding(d, "SEG-01", "Coder C", "EN-01", memo="first try")
    >>> rows.iloc[-1].tolist()[:3]
    ['SEG-01', 'Coder C', 'EN-01']
    """
    from dcteach._extension import read_resource, save_resource

    coder = coder.strip()
    if not coder:
        raise UsageError("no coder name; write your name (or initials) first")
    target = Path(path) / "codings.csv"
    frame = read_resource(target)
    style = frame.attrs.get("dcteach_csv_style")
    for f in coding_schema("codings")["fields"]:
        if f["name"] not in frame.columns:
            frame[f["name"]] = ""
    mine = (frame["segment_id"] == segment_id) & (frame["coder"] == coder)
    if code is None:
        frame = frame[~mine]
    else:
        when = (date or _dt.date.today()).isoformat()
        row = {"segment_id": segment_id, "coder": coder, "code": code, "date": when, "memo": memo}
        if mine.any():
            for k, v in row.items():
                frame.loc[mine, k] = v
        else:
            frame = pd.concat([frame, pd.DataFrame([row], columns=frame.columns).fillna("")], ignore_index=True)
    frame = frame.reset_index(drop=True)
    save_resource(frame, target, style=style)
    return frame
