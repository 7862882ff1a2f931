"""``dcteach extension publish``: a standalone, versioned, citable package that loads as its extension did."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
from pathlib import Path

import frictionless
import jsonschema
import pandas as pd
import pytest
import yaml

from _users import as_user

import dcteach
from dcteach.validate import validate
from dcteach._extension import scaffold
from dcteach.cli import main
from dcteach.data import core_dir

EXAMPLE = core_dir() / "examples" / "thesis_eeu"
CFF_SCHEMA = json.loads((Path(__file__).parent / "data" / "cff-schema-1.2.0.json").read_text(encoding="utf-8"))
CORE = json.loads((core_dir() / "datapackage.json").read_text(encoding="utf-8"))
ORCID = "0000-0002-1825-0097"  # ORCID's own example iD (a valid check digit)

ROWS = {
    "country_assessments.csv": [
        'MY-CA-AM-EN-01,CTY-AM,EN-01,2,editorial,"Strategy adopted, not yet funded (example)",MY-SRC-01,p. 12',
        "MY-CA-AM-EN-02,CTY-AM,EN-02,3,editorial,Example rationale,SRC-ART,p. 195",
    ],
    "sources.csv": ['MY-SRC-01,external,My interview notes,Мои заметки интервью,"Doe, J.",Interview notes,,,MY-SRC-01,'
                    "whole document"],
}


def fill(ext: Path, **changes) -> Path:
    """The scaffold's placeholders replaced by a researcher's metadata (and ``changes``)."""
    path = ext / "datapackage.json"
    desc = json.loads(path.read_text(encoding="utf-8"))
    desc.update(title="EEU customs: maturity of the WCO enablers (test)", description="Invented rows for a test.",
                created="2026-12-01", keywords=["customs", "EEU"],
                licenses=[{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
                contributors=[{"title": "Doe, Jane", "role": "author", "path": f"https://orcid.org/{ORCID}"},
                              {"title": "Customs Lab", "role": "author"}])
    for key, value in changes.items():
        if value is None:
            desc.pop(key, None)
        else:
            desc[key] = value
    path.write_text(json.dumps(desc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return ext


def make_extension(folder: Path, **changes) -> Path:
    """`dcteach extension new` plus a few rows (one citing a core source, one the extension's own)."""
    scaffold(folder)
    for name, rows in ROWS.items():
        with (folder / name).open("a", encoding="utf-8", newline="") as fh:
            fh.write("\n".join(rows) + "\n")
    return fill(folder, **changes)


def published(tmp_path: Path, ext: Path) -> Path:
    out = tmp_path / "published"
    assert main(["extension", "publish", str(ext), str(out)]) == 0
    return out


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def cli(capsys, *argv) -> tuple[int, list[str]]:
    code = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.strip().splitlines()


@pytest.fixture(scope="module")
def scaffolded():
    """The scaffold extension and its published folder (made once: frictionless takes seconds)."""
    tmp = Path(tempfile.mkdtemp(prefix="dcteach-publish-"))
    ext = make_extension(tmp / "my_thesis")
    out = tmp / "out"
    assert main(["extension", "publish", str(ext), str(out)]) == 0
    yield ext, out
    shutil.rmtree(tmp)


@pytest.fixture(scope="module")
def worked_example():
    """The worked example: foreign keys into the core (countries, enablers, sources), rows added to glossary."""
    tmp = Path(tempfile.mkdtemp(prefix="dcteach-publish-"))
    out = tmp / "out"
    assert main(["extension", "publish", str(EXAMPLE), str(out)]) == 0
    yield EXAMPLE, out
    shutil.rmtree(tmp)


@pytest.mark.parametrize("which", ["scaffolded", "worked_example"])
def test_frictionless_accepts_the_published_package(which, request):
    _, out = request.getfixturevalue(which)
    report = frictionless.validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])
    desc = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    names = {r["name"] for r in desc["resources"]}
    assert {"countries", "enablers", "sources"} <= names  # every table a foreign key points to is inside
    assert validate(out).valid  # and dcteach's validator agrees, on its own


def test_core_tables_are_copies_with_the_cores_hashes(worked_example):
    _, out = worked_example
    desc = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    core = {r["name"]: r for r in CORE["resources"]}
    assert desc["extends"]["name"] == CORE["name"] and desc["extends"]["version"] == CORE["version"]
    assert desc["extends"]["resources"] == {name: r["hash"] for name, r in core.items()}
    res = {r["name"]: r for r in desc["resources"]}
    for name in ("countries", "enablers"):
        assert res[name]["path"] == f"core/{name}.csv"
        assert (res[name]["hash"], res[name]["bytes"]) == (core[name]["hash"], core[name]["bytes"])
        assert (out / "core" / f"{name}.csv").read_bytes() == (core_dir() / f"{name}.csv").read_bytes()
        assert res[name]["dcteach:core"]["version"] == CORE["version"]
    # a core table the extension adds rows to: the core's rows, then its own, marked so
    mark = res["glossary"]["dcteach:core"]
    assert mark["hash"] == core["glossary"]["hash"] and res["glossary"]["hash"] != core["glossary"]["hash"]
    assert mark["rows"] == len(pd.read_csv(core_dir() / "glossary.csv"))
    assert len(pd.read_csv(out / "glossary.csv")) == mark["rows"] + 1
    # the extension's own table is its file, byte for byte
    assert (out / "country_assessments.csv").read_bytes() == (EXAMPLE / "country_assessments.csv").read_bytes()


@pytest.mark.parametrize("which", ["scaffolded", "worked_example"])
def test_published_folder_loads_the_same_frames(which, request):
    ext, out = request.getfixturevalue(which)
    for name in ("country_assessments", "sources", "glossary", "countries", "enablers"):
        for lang in ("en", "ru"):
            from_ext = dcteach.load_dataset(name, lang=lang, extra=ext)
            from_out = dcteach.load_dataset(name, lang=lang, extra=out)
            pd.testing.assert_frame_equal(from_out, from_ext)
            assert from_out.attrs["rows_from"] == from_ext.attrs["rows_from"]
    assert "MY-SRC-01" in dcteach.cite(extra=out) or which == "worked_example"


def test_republishing_is_byte_identical(scaffolded, tmp_path):
    ext, out = scaffolded
    again = published(tmp_path, ext)
    assert files(again) == files(out)
    assert set(files(out)) == {"datapackage.json", "country_assessments.csv", "sources.csv", "core/countries.csv",
                               "core/enablers.csv", "CITATION.cff", ".zenodo.json", "LICENSE", "CHANGELOG.md",
                               "README.md"}


def test_citation_cff_is_valid_cff_1_2_0(scaffolded):
    _, out = scaffolded
    cff = yaml.safe_load((out / "CITATION.cff").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(CFF_SCHEMA, format_checker=jsonschema.FormatChecker()).validate(cff)
    assert cff["type"] == "dataset" and cff["version"] == "0.1.0" and cff["license"] == "CC-BY-4.0"
    assert cff["date-released"] == "2026-12-01"
    assert cff["authors"] == [{"family-names": "Doe", "given-names": "Jane", "orcid": f"https://orcid.org/{ORCID}"},
                              {"name": "Customs Lab"}]
    article, core = cff["references"]
    assert article["type"] == "article" and article["authors"][0]["family-names"] == "Mozer"
    assert core["type"] == "data" and core["version"] == CORE["version"]


def test_zenodo_metadata_has_the_required_keys(scaffolded):
    _, out = scaffolded
    z = json.loads((out / ".zenodo.json").read_text(encoding="utf-8"))
    assert {"title", "creators", "description", "license", "version", "upload_type", "related_identifiers"} <= set(z)
    assert z["upload_type"] == "dataset" and z["license"] == "CC-BY-4.0" and z["version"] == "0.1.0"
    assert z["creators"] == [{"name": "Doe, Jane", "orcid": ORCID}, {"name": "Customs Lab"}]
    assert z["publication_date"] == "2026-12-01"
    rel = z["related_identifiers"][0]
    assert rel["relation"] == "references" and rel["resource_type"] == "publication-article"
    assert rel["identifier"] == dcteach.load_dataset("sources").set_index("id").loc["SRC-ART", "url"]


def test_licence_changelog_and_citation_of_the_package(scaffolded, capsys):
    _, out = scaffolded
    licence = (out / "LICENSE").read_text(encoding="utf-8")
    assert "CC-BY-4.0" in licence and "https://creativecommons.org/licenses/by/4.0/" in licence
    assert "Doe, Jane; Customs Lab" in licence
    changelog = (out / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [0.1.0] - 2026-12-01" in changelog and "`country_assessments`: 2 rows" in changelog
    assert main(["cite", "--package", str(out)]) == 0
    bib = capsys.readouterr().out
    assert bib.startswith("@dataset{my-thesis-0.1.0,") and "author = {Doe, Jane and {Customs Lab}}" in bib
    assert "version = {0.1.0}" in bib and "licence CC-BY-4.0" in bib and f"dcteach data package {CORE['version']}" in bib
    assert main(["cite", "--package", str(out), "--format", "csl-json"]) == 0
    item = json.loads(capsys.readouterr().out)[0]
    assert item["type"] == "dataset" and item["version"] == "0.1.0" and item["issued"] == {"date-parts": [[2026, 12, 1]]}


def test_a_changelog_of_ones_own_is_kept_and_must_name_the_version(tmp_path, capsys):
    ext = make_extension(tmp_path / "ext")
    (ext / "CHANGELOG.md").write_text("# Changes\n\n## [0.0.9]\n- first try\n", encoding="utf-8")
    code, lines = cli(capsys, "extension", "publish", str(ext), str(tmp_path / "out"))
    assert code == 1 and len(lines) == 1 and "no entry for version 0.1.0" in lines[0]
    (ext / "CHANGELOG.md").write_text("# Changes\n\n## [0.1.0]\n- first release\n", encoding="utf-8")
    out = published(tmp_path, ext)
    assert (out / "CHANGELOG.md").read_bytes() == (ext / "CHANGELOG.md").read_bytes()


# --- refusals: one line, an exit status, no traceback, nothing written ------------------------------

def test_the_scaffold_validates_but_its_placeholders_are_refused(tmp_path, capsys):
    ext = tmp_path / "ext"
    scaffold(ext)
    assert validate(ext).valid
    code, lines = cli(capsys, "extension", "publish", str(ext), str(tmp_path / "out"))
    assert code == 1 and len(lines) == 1
    assert '"title" is still the placeholder of `dcteach extension new`' in lines[0]
    assert not (tmp_path / "out").exists() and [p.name for p in tmp_path.iterdir()] == ["ext"]


@pytest.mark.parametrize("field, changes, expected", [
    ("title", {"title": None}, '"title" is missing; add "title": '),
    ("description", {"description": "  "}, '"description" is missing'),
    ("version", {"version": "first"}, '"version" is not a version number (\'first\'); write it as "version": "1.0.0"'),
    ("licenses", {"licenses": None}, '"licenses" is missing; declare the licence you chose'),
    ("licence id", {"licenses": [{"name": "CC-BY-4"}]}, "not an SPDX licence id (did you mean \"CC-BY-4.0\"?)"),
    ("two licences", {"licenses": [{"name": "CC0-1.0"}, {"name": "CC-BY-4.0"}]}, '"licenses" lists 2 licences'),
    ("contributors", {"contributors": []}, '"contributors" is missing'),
    ("no author", {"contributors": [{"title": "Doe, Jane", "role": "maintainer"}]}, '"contributors" has no author'),
    ("orcid", {"contributors": [{"title": "Doe, J.", "path": "https://orcid.org/0000-0002-1825-0098"}]},
     "has an ORCID iD that is not valid"),
    ("created", {"created": "1 December 2026"}, '"created" is not a date'),
])
def test_a_missing_or_wrong_field_is_named_with_how_to_fix_it(tmp_path, capsys, field, changes, expected):
    ext = make_extension(tmp_path / "ext", **changes)
    code, lines = cli(capsys, "extension", "publish", str(ext), str(tmp_path / "out"))
    assert code == 1 and len(lines) == 1, lines
    assert lines[0].startswith(f"dcteach extension: error: {ext / 'datapackage.json'}: ")
    assert expected in lines[0] and lines[0].endswith("then publish again")
    assert not (tmp_path / "out").exists()


def test_an_invalid_extension_lists_its_located_errors_first(tmp_path, capsys):
    ext = make_extension(tmp_path / "ext")
    with (ext / "country_assessments.csv").open("a", encoding="utf-8") as fh:
        fh.write("MY-CA-AM-EN-03,CTY-AM,EN-O3,9,editorial,Bad,MY-SRC-01,p. 1\n")
    code, lines = cli(capsys, "extension", "publish", str(ext), str(tmp_path / "out"))
    assert code == 1
    assert any(line.startswith(f"{ext / 'country_assessments.csv'}:4:") and "score" in line for line in lines[:-1])
    assert lines[-1].startswith(f"dcteach extension: error: {ext} is not a valid extension (2 errors; the first: ")
    assert not (tmp_path / "out").exists()


def test_out_that_is_not_empty_is_refused(tmp_path, capsys):
    ext = make_extension(tmp_path / "ext")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    code, lines = cli(capsys, "extension", "publish", str(ext), str(out))
    assert code == 2 and len(lines) == 1 and "the folder is not empty" in lines[0]
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    out.joinpath("keep.txt").unlink()  # an empty folder is fine
    assert main(["extension", "publish", str(ext), str(out)]) == 0 and (out / "datapackage.json").is_file()


def test_not_an_extension_or_not_a_package_is_refused(tmp_path, capsys):
    code, lines = cli(capsys, "extension", "publish", str(tmp_path), str(tmp_path / "out"))
    assert code == 2 and len(lines) == 1 and "not a data package" in lines[0]
    ext = make_extension(tmp_path / "ext", extends=None)
    code, lines = cli(capsys, "extension", "publish", str(ext), str(tmp_path / "out"))
    assert code == 2 and len(lines) == 1 and 'add "extends": "dcteach"' in lines[0]
    out = make_extension(tmp_path / "ext2")
    published_once = published(tmp_path, out)
    code, lines = cli(capsys, "extension", "publish", str(published_once), str(tmp_path / "again"))
    assert code == 2 and len(lines) == 1 and "already a published package" in lines[0]


def _as_plain_user(func) -> str:
    """``func()`` in a forked child running as the user ``nobody``; what it returns (a str)."""
    return as_user("nobody", func)


def test_out_a_plain_user_cannot_write_is_refused_in_one_line(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root, to run the command as the plain user nobody")
    base = Path(tempfile.mkdtemp(prefix="dcteach-publish-"))  # pytest's folders are 0700
    try:
        ext = make_extension(base / "ext")
        locked = base / "locked"  # root's folder: nobody may read it, not write in it
        locked.mkdir()
        for p in [base, *base.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        published(tmp_path, ext)  # (imports everything the child needs: it cannot read root's files)

        def run() -> str:
            err = io.StringIO()
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                code = main(["extension", "publish", str(ext), str(locked / "out")])
            return f"{code}\n{err.getvalue()}"

        code, *lines = _as_plain_user(run).strip().splitlines()
        assert code == "2" and len(lines) == 1, lines
        assert lines[0] == (f"dcteach extension: error: cannot write OUT {locked / 'out'}: permission denied in folder "
                            f"{locked}; choose a folder you can write to (e.g. in your home folder)")
        assert list(locked.iterdir()) == []
    finally:
        shutil.rmtree(base)


def test_a_failure_while_writing_leaves_nothing_behind(tmp_path, monkeypatch, capsys):
    import dcteach._atomic as atomic

    ext = make_extension(tmp_path / "ext")
    calls = []

    def failing(path, data):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(path, data)

    real = atomic.write_bytes
    monkeypatch.setattr(atomic, "write_bytes", failing)
    code, lines = cli(capsys, "extension", "publish", str(ext), str(tmp_path / "out"))
    assert code == 2 and len(lines) == 1 and "cannot write OUT" in lines[0] and "no space left" in lines[0].lower()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ext"]  # no OUT, no temporary folder
