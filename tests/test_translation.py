"""The Russian course: PO catalogues per notebook, the build, the check, the course verb.

The check over the repository is the CI gate (a missing, fuzzy or out-of-step
translation fails it); the other tests drive the pipeline on a scratch copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from dcteach import _locales, _nbtranslate as nbt

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"


def test_every_notebook_is_translated_and_in_step():
    """The gate: every unit of every English notebook has a reviewed Russian translation,
    and notebooks/ru/ was built from the current source and PO files."""
    assert nbt.check(NOTEBOOKS, "ru") == []


def test_every_source_notebook_has_a_po_file_and_a_russian_notebook():
    stems = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
    assert stems, "no notebooks"
    assert sorted(p.stem for p in (NOTEBOOKS / "locales" / "ru").glob("*.po")) == stems
    assert sorted(p.stem for p in (NOTEBOOKS / "ru").glob("*.ipynb")) == stems


def test_russian_notebooks_say_they_are_our_translation_and_speak_russian():
    for path in sorted((NOTEBOOKS / "ru").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        first = nb.cells[0]
        assert first.cell_type == "markdown" and "наш перевод" in first.source, path.name
        assert nb.metadata["dcteach"]["lang"] == "ru"
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert 'os.environ.get("DCTEACH_LANG", "en")' not in code, path.name


def _scratch(tmp_path, text="Hello **world**, see `code`.\n\nSecond paragraph."):
    root = tmp_path / "notebooks"
    root.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# Title\n\n{text}"),
        nbformat.v4.new_code_cell('import os\nLANG = os.environ.get("DCTEACH_LANG", "en")  # the language\n'
                                  'n = 3\nprint(f"{n} rows shown", "name_en")  # NBVAL_IGNORE_OUTPUT\n'),
    ]
    for i, c in enumerate(nb.cells):
        c.id = f"c{i}"
    nbformat.write(nb, root / "10_demo.ipynb")
    return root


def _translate_all(root, table):
    po = root / "locales" / "ru" / "10_demo.po"
    cat = _locales.read_catalog(po, locale="ru")
    for m in cat:
        if m.id:
            m.string = table[m.id]
            m.flags.discard("fuzzy")
    nbt._write_po(po, cat)


RU = {"# Title": "# Заголовок",
      "Hello **world**, see `code`.": "Привет, **мир**, см. `code`.",
      "Second paragraph.": "Второй абзац.",
      "the language": "язык",
      "{n} rows shown": "показано строк: {n}"}


def test_units_follow_the_documented_rule(tmp_path):
    root = _scratch(tmp_path)
    units = nbt.extract(nbformat.read(root / "10_demo.ipynb", as_version=4))
    assert [(u.cell, u.n, u.kind, u.text) for u in units] == [
        ("c0", 1, "markdown", "# Title"),
        ("c0", 2, "markdown", "Hello **world**, see `code`."),
        ("c0", 3, "markdown", "Second paragraph."),
        ("c1", 1, "comment", "the language"),
        ("c1", 2, "string", "{n} rows shown"),  # "name_en" has no space: code, not text
    ]


def test_update_build_check_cycle(tmp_path):
    root = _scratch(tmp_path)
    assert nbt.check(root) and "missing" in nbt.check(root)[0]
    nbt.update(root)
    assert any("untranslated" in p for p in nbt.check(root))
    _translate_all(root, RU)
    assert nbt.build(root, execute=False) == []
    assert nbt.check(root) == []
    out = nbformat.read(root / "ru" / "10_demo.ipynb", as_version=4)
    assert out.cells[1].source == "# Заголовок\n\nПривет, **мир**, см. `code`.\n\nВторой абзац."
    assert out.cells[2].source == ('import os\nLANG = os.environ["DCTEACH_LANG"] = "ru"  # язык\n'
                                   'n = 3\nprint(f"показано строк: {n}", "name_en")  # NBVAL_IGNORE_OUTPUT\n')


def test_a_changed_english_paragraph_becomes_fuzzy_and_fails_the_check(tmp_path):
    root = _scratch(tmp_path)
    nbt.update(root)
    _translate_all(root, RU)
    nbt.build(root, execute=False)
    nb = nbformat.read(root / "10_demo.ipynb", as_version=4)
    nb.cells[0].source = nb.cells[0].source.replace("Second paragraph.", "Second paragraph, changed.")
    nbformat.write(nb, root / "10_demo.ipynb")
    problems = nbt.check(root)
    assert any("out of step" in p for p in problems)
    nbt.update(root)
    cat = _locales.read_catalog(root / "locales" / "ru" / "10_demo.po", locale="ru")
    changed = cat["Second paragraph, changed."]
    assert changed.fuzzy and changed.string == "Второй абзац."  # kept for the translator to review
    assert not cat["Hello **world**, see `code`."].fuzzy  # unchanged paragraphs keep their translation
    problems = nbt.check(root)
    assert any("c0:3 is fuzzy" in p for p in problems)
    assert any("not built from the current source" in p for p in problems)


def test_form_checks_catch_broken_markup_fields_and_code(tmp_path):
    root = _scratch(tmp_path)
    nbt.update(root)
    bad = dict(RU)
    bad["Hello **world**, see `code`."] = "Привет, мир, см. `код`."
    bad["{n} rows shown"] = "показано строк: {count}"
    bad["# Title"] = "Заголовок"
    _translate_all(root, bad)
    nbt.build(root, execute=False)
    problems = "\n".join(nbt.check(root))
    assert "`code` spans differ" in problems
    assert "{fields} differ" in problems
    assert "block markup" in problems


def test_cli_exit_codes(tmp_path, monkeypatch, capsys):
    root = _scratch(tmp_path)
    assert nbt.main(["check", "--root", str(root)]) == 1
    assert "problem(s)" in capsys.readouterr().out
    assert nbt.main(["check", "--root", str(tmp_path / "nowhere")]) == 2


def test_course_lang_ru_opens_the_russian_notebooks_in_a_checkout(tmp_path):
    from dcteach.cli.course import build_command, course_dir

    root = course_dir(None)
    argv, env = build_command(root, token="t", lang="ru", open_browser=False)
    assert "--ServerApp.default_url=/lab/tree/ru/00_start_here.ipynb" in argv
    assert env["DCTEACH_LANG"] == "ru"
    argv, _env = build_command(root, token="t", lang="en", open_browser=False)
    assert not any("default_url" in a for a in argv)


def test_course_copy_carries_the_russian_notebooks(tmp_path):
    from dcteach.cli.course import build_command, course_dir

    target = course_dir(tmp_path / "course")
    assert (target / "ru" / "00_start_here.ipynb").is_file()
    argv, _env = build_command(target, token="t", lang="ru", open_browser=False)
    assert "--ServerApp.default_url=/lab/tree/ru/00_start_here.ipynb" in argv


def test_course_copy_made_before_the_translation_falls_back_to_english(tmp_path, capsys):
    from dcteach.cli import main

    old = tmp_path / "old-course"
    old.mkdir()
    shutil.copy(NOTEBOOKS / "00_start_here.ipynb", old)
    code = main(["course", "--dry-run", "--no-browser", "--token", "t", "--lang", "ru", "--dir", str(old)])
    err = capsys.readouterr().err
    assert code == 0 and "no ru notebooks" in err
