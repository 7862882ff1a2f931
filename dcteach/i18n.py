"""Message catalogues for widgets, plots, quizzes, exercises and the dashboard (gettext).

Every user-facing string lives in the gettext catalogues of the package:
``dcteach/locales/dcteach.pot`` holds the English source (``msgctxt`` is the
key the code names, ``msgid`` the English text), ``ru/LC_MESSAGES/dcteach.po``
the Russian (our translation), and the committed ``.mo`` files are what is read
at run time (compiled with Babel; see ``docs/translators.md``). A message is a
string with ``{placeholders}`` or, for counts, has plural forms chosen by the
CLDR rules of the language (``one``/``other`` in English; ``one``/``few``/``many``
in Russian).

Examples
--------
>>> _("quiz.score", "en", correct=2, total=5)
'Score: 2 of 5'
>>> ngettext("explorer.count", 1, "ru")
'Найден 1 инструмент'
>>> [ngettext("explorer.count", n, "ru") for n in (2, 5, 11, 21)]
['Найдено 2 инструмента', 'Найдено 5 инструментов', 'Найдено 11 инструментов', 'Найден 21 инструмент']
>>> ngettext("explorer.count", 7, "en")
'7 instruments match'
>>> field_labels("instruments", "group", "ru")["operational"]
'операционные'
"""

from __future__ import annotations

import functools
import gettext
import io
import string
from importlib import resources

from dcteach._errors import UsageError
from dcteach.data import LANGUAGES, resolve_lang

__all__ = [
    "LANGUAGES",
    "_",
    "catalogue",
    "column_label",
    "field_labels",
    "ngettext",
    "placeholders",
    "plural_category",
    "resolve_lang",
]

DOMAIN = "dcteach"


def _mo_bytes(lang: str) -> bytes:
    return resources.files("dcteach").joinpath("locales", lang, "LC_MESSAGES", f"{DOMAIN}.mo").read_bytes()


@functools.lru_cache(maxsize=None)
def _plural_tags(lang: str) -> tuple[str, ...]:
    """CLDR category of each gettext plural index of ``lang`` (from the catalogue's Plural-Forms).

    >>> _plural_tags("ru"), _plural_tags("en")
    (('one', 'few', 'many'), ('one', 'other'))
    """
    from babel.messages.mofile import read_mo

    cat = read_mo(io.BytesIO(_mo_bytes(lang)))
    index = gettext.c2py(cat.plural_expr)
    tags: list[str | None] = [None] * cat.num_plurals
    for n in range(200):
        i = index(n)
        tags[i] = tags[i] or plural_category(n, lang)
    if None in tags:  # pragma: no cover - a catalogue whose Plural-Forms has an unreachable form
        raise ValueError(f"Plural-Forms of {lang!r} has an index no integer reaches: {cat.plural_expr}")
    return tuple(tags)


@functools.lru_cache(maxsize=None)
def catalogue(lang: str) -> dict:
    """Return the messages of ``lang``: ``{key: text}``, or ``{key: {category: text}}`` for plurals.

    Keys starting with ``@`` are metadata.

    >>> catalogue("en")["@language"]
    'en'
    >>> catalogue("ru")["explorer.count"]["few"]
    'Найдено {n} инструмента'
    """
    from babel.messages.mofile import read_mo

    lang = resolve_lang(lang)
    cat = read_mo(io.BytesIO(_mo_bytes(lang)))
    out: dict = {"@language": lang}
    tags = _plural_tags(lang)
    for m in cat:
        if not m.id or m.context is None:
            continue
        if isinstance(m.id, (list, tuple)):
            out[m.context] = dict(zip(tags, m.string))
        else:
            out[m.context] = m.string
    return out


def plural_category(n: int, lang: str) -> str:
    """CLDR plural category of the integer ``n`` in ``lang`` (Babel's ``Locale.plural_form``).

    >>> [plural_category(n, "ru") for n in (1, 3, 5, 11, 22, 111)]
    ['one', 'few', 'many', 'many', 'few', 'many']
    >>> plural_category(1, "en"), plural_category(0, "en")
    ('one', 'other')
    """
    from babel import Locale

    return Locale.parse(lang).plural_form(abs(int(n)))


def _lookup(key: str, lang: str):
    cat = catalogue(resolve_lang(lang))
    try:
        return cat[key]
    except KeyError:
        raise KeyError(f"message {key!r} is missing from the {lang!r} catalogue") from None


def _(key: str, lang: str | None = None, /, **fmt) -> str:
    """Translate ``key`` into ``lang`` and fill its ``{placeholders}`` from ``fmt``.

    >>> _("quiz.check", "ru")
    'Проверить'
    """
    msg = _lookup(key, resolve_lang(lang))
    if isinstance(msg, dict):
        raise TypeError(f"message {key!r} has plural forms: use ngettext()")
    return msg.format(**fmt) if fmt else msg


def ngettext(key: str, n: int, lang: str | None = None, /, **fmt) -> str:
    """Translate a counted message, choosing the plural form for ``n`` (also ``{n}``)."""
    lang = resolve_lang(lang)
    forms = _lookup(key, lang)
    if not isinstance(forms, dict):
        raise TypeError(f"message {key!r} has no plural forms: use _()")
    return forms[plural_category(n, lang)].format(n=n, **fmt)


def placeholders(message) -> set[str]:
    """Names of the ``{placeholders}`` of a message (all plural forms together).

    >>> sorted(placeholders({"one": "{n} item", "other": "{n} items in {where}"}))
    ['n', 'where']
    """
    texts = message.values() if isinstance(message, dict) else [message]
    return {name for text in texts for _t, name, _s, _c in string.Formatter().parse(text) if name}


def field_labels(table: str, field: str, lang: str | None = None) -> dict[str, str]:
    """Labels of an enum field of the data package: ``{code: label}`` in ``lang``.

    English labels are the descriptor's ``dcteach:labels`` ``en`` text (or the code).
    """
    from dcteach.data import _descriptor, core_dir, enum_labels

    lang = resolve_lang(lang)
    for res in _descriptor(core_dir())["resources"]:
        if res["name"] != table:
            continue
        for f in res["schema"]["fields"]:
            if f["name"] == field:
                return enum_labels(f, lang)
    raise UsageError(f"no enum field {field!r} in table {table!r}")


def column_label(column: str, lang: str | None = None) -> str:
    """Header of a data column in ``lang`` (``columns.<name>`` in the catalogues; else the name).

    >>> column_label("name_ru", "ru"), column_label("no_such_column", "ru")
    ('Название (рус.)', 'no_such_column')
    """
    return catalogue(resolve_lang(lang)).get(f"columns.{column}", column)
