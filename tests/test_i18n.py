"""The message catalogues: same keys, same placeholders, plural forms, lookups."""

import json
import re
from pathlib import Path

import pytest

import dcteach
from dcteach import i18n

LOCALES = Path(dcteach.__file__).parent / "locales"
PLURAL_FORMS = {"en": {"one", "other"}, "ru": {"one", "few", "many"}}


def _messages(lang):
    return {k: v for k, v in i18n.catalogue(lang).items() if not k.startswith("@")}


def test_catalogue_files_are_the_languages():
    assert sorted(p.stem for p in LOCALES.glob("*.json")) == sorted(i18n.LANGUAGES)


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
    same = [k for k in en if en[k] == ru[k] and re.sub(r"\{\w+\}|\W", "", json.dumps(en[k], ensure_ascii=False))]
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
