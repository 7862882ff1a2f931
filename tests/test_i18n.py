"""The message catalogues (gettext): same keys, same placeholders, CLDR plural forms, lookups.

The PO files are what translators edit; the committed .mo files are what the
package reads. These tests fail on a fuzzy, untranslated or obsolete entry, a
placeholder that differs from the English, and a .mo not compiled from its .po.
"""

import gettext
import re
from pathlib import Path

import pytest
from babel import Locale

import dcteach
from dcteach import _locales, i18n

LOCALES = Path(dcteach.__file__).parent / "locales"
PLURAL_FORMS = {"en": {"one", "other"}, "ru": {"one", "few", "many"}}


def _messages(lang):
    return {k: v for k, v in i18n.catalogue(lang).items() if not k.startswith("@")}


def _translations():
    return {p.parent.parent.name: _locales.read_catalog(p, locale=p.parent.parent.name)
            for p in LOCALES.glob("*/LC_MESSAGES/dcteach.po")}


def test_catalogue_files_are_the_languages():
    assert sorted(p.parent.parent.name for p in LOCALES.glob("*/LC_MESSAGES/dcteach.mo")) == sorted(i18n.LANGUAGES)
    assert sorted(_translations()) == sorted(set(i18n.LANGUAGES) - {"en"})
    assert not list(LOCALES.glob("*.json")), "the JSON catalogue format is gone: use the .pot/.po files"


def test_every_template_entry_has_a_key_and_no_key_repeats():
    keys = [m.context for m in _locales.read_catalog(_locales.TEMPLATE) if m.id]
    assert None not in keys
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("lang", sorted(set(i18n.LANGUAGES) - {"en"}))
def test_po_file_is_complete_and_in_step_with_the_template(lang):
    cat = _translations()[lang]
    template = {(m.context, m.id) for m in _locales.read_catalog(_locales.TEMPLATE) if m.id}
    entries = [m for m in cat if m.id]
    assert {(m.context, m.id) for m in entries} == template, "run python -m dcteach._maintain --locales"
    assert [m.context for m in entries if m.fuzzy] == []
    untranslated = [m.context for m in entries
                    if not (all(m.string) if isinstance(m.string, (list, tuple)) else m.string)]
    assert untranslated == []
    assert list(cat.obsolete) == []


@pytest.mark.parametrize("lang", sorted(i18n.LANGUAGES))
def test_committed_mo_is_compiled_from_the_po(lang):
    data = _locales.compile_mo(_locales.compiled_sources()[lang])
    assert (LOCALES / lang / "LC_MESSAGES" / "dcteach.mo").read_bytes() == data, (
        "run python -m dcteach._maintain --locales")


@pytest.mark.parametrize("lang", sorted(set(i18n.LANGUAGES) - {"en"}))
def test_placeholders_agree_with_the_english_in_every_form(lang):
    differ = {}
    for m in _translations()[lang]:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, (list, tuple)) else [m.id]
        strings = m.string if isinstance(m.string, (list, tuple)) else [m.string]
        want = i18n.placeholders(ids[-1]) | i18n.placeholders(ids[0])
        for s in strings:
            if i18n.placeholders(s) != want:
                differ[m.context] = (sorted(want), s)
        if ("{" in "".join(ids)) != ("python-brace-format" in m.flags):
            differ[m.context] = "python-brace-format flag"
    assert differ == {}


@pytest.mark.parametrize("lang", sorted(set(i18n.LANGUAGES) - {"en"}))
def test_plural_forms_header_follows_cldr(lang):
    """The Plural-Forms expression and Babel's CLDR rules put every n in the same category."""
    cat = _translations()[lang]
    index = gettext.c2py(cat.plural_expr)
    tags = i18n._plural_tags(lang)
    assert set(tags) == PLURAL_FORMS[lang] and len(tags) == cat.num_plurals
    for n in range(0, 1001):
        assert tags[index(n)] == Locale.parse(lang).plural_form(n), n
    for m in cat:
        if m.id and isinstance(m.id, (list, tuple)):
            assert len(m.string) == cat.num_plurals, m.context


def test_same_keys_in_every_catalogue():
    en, ru = _messages("en"), _messages("ru")
    assert sorted(set(en) - set(ru)) == []
    assert sorted(set(ru) - set(en)) == []


def test_same_placeholders_in_every_catalogue():
    en, ru = _messages("en"), _messages("ru")
    differ = {k: (i18n.placeholders(en[k]), i18n.placeholders(ru[k]))
              for k in en if i18n.placeholders(en[k]) != i18n.placeholders(ru[k])}
    assert differ == {}


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_plural_messages_have_the_forms_of_the_language(lang):
    for key, msg in _messages(lang).items():
        if isinstance(msg, dict):
            assert set(msg) == PLURAL_FORMS[lang], key
            assert all("{n}" in form for form in msg.values()), key
        else:
            assert isinstance(msg, str) and msg, key


def test_plural_shape_agrees_between_languages():
    en, ru = _messages("en"), _messages("ru")
    assert {k for k, v in en.items() if isinstance(v, dict)} == {
        k for k, v in ru.items() if isinstance(v, dict)
    }


def test_russian_messages_are_translated():
    """No Russian message is a copy of the English one (except pure placeholders)."""
    en, ru = _messages("en"), _messages("ru")
    allowed = {"columns.iso_alpha2", "columns.iso_alpha3", "columns.url"}  # the same in Russian
    same = [k for k in en if en[k] == ru[k] and k not in allowed and re.sub(r"\{\w+\}|\W", "", str(en[k]))]
    assert same == []


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "Найден 1 инструмент"), (2, "Найдено 2 инструмента"), (4, "Найдено 4 инструмента"),
     (5, "Найдено 5 инструментов"), (11, "Найдено 11 инструментов"), (12, "Найдено 12 инструментов"),
     (21, "Найден 21 инструмент"), (22, "Найдено 22 инструмента"), (0, "Найдено 0 инструментов"),
     (111, "Найдено 111 инструментов")],
)
def test_russian_plural_forms(n, expected):
    assert i18n.ngettext("explorer.count", n, "ru") == expected


def test_english_plural_forms():
    assert i18n.ngettext("explorer.count", 1, "en") == "1 instrument matches"
    assert i18n.ngettext("explorer.count", 7, "en") == "7 instruments match"


def test_unknown_language_and_key():
    with pytest.raises(ValueError, match="supported languages"):
        i18n._("quiz.check", "de")
    with pytest.raises(KeyError, match="missing"):
        i18n._("no.such.key", "en")


def test_default_language_from_environment(monkeypatch):
    monkeypatch.setenv("DCTEACH_LANG", "ru")
    assert i18n._("quiz.check") == "Проверить"
    monkeypatch.setenv("DCTEACH_LANG", "xx")
    assert i18n._("quiz.check") == "Check"


def test_no_literal_ui_strings_in_widgets_and_plots():
    """Widget and plot code passes user-facing text only through the catalogues.

    A crude but honest check: description=/tooltip=/placeholder=/title= keyword
    arguments must not be string literals.
    """
    root = Path(dcteach.__file__).parent
    files = [root / "plots.py", *sorted((root / "widgets").glob("*.py"))]
    pattern = re.compile(r"\b(description|tooltip|placeholder|titles?|label)\s*=\s*[\"'][^\"']+[\"']")
    offenders = [f"{f.name}:{i}" for f in files if f.exists()
                 for i, line in enumerate(f.read_text("utf-8").splitlines(), 1)
                 if pattern.search(line)]
    assert offenders == []
