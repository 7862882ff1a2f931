"""Message catalogues for widgets and plots: English and Russian (our translation).

Every user-facing string of :mod:`dcteach.widgets` and :mod:`dcteach.plots`
lives in ``dcteach/locales/<lang>.json``; code only names keys. A message is
either a string with ``{placeholders}`` or, for counts, a dict of plural forms
(``one``/``other`` in English; ``one``/``few``/``many`` in Russian, after the
CLDR rules).

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
import json
import string
from importlib import resources

from dcteach._errors import UsageError
from dcteach.data import LANGUAGES, resolve_lang

__all__ = [
    "LANGUAGES",
    "_",
    "catalogue",
    "field_labels",
    "ngettext",
    "placeholders",
    "plural_category",
    "resolve_lang",
]


@functools.lru_cache(maxsize=None)
def catalogue(lang: str) -> dict:
    """Return the message catalogue of ``lang`` (keys starting with ``@`` are metadata).

    >>> catalogue("en")["@language"]
    'en'
    """
    lang = resolve_lang(lang)
    text = resources.files("dcteach").joinpath("locales", f"{lang}.json").read_text("utf-8")
    return json.loads(text)


def plural_category(n: int, lang: str) -> str:
    """CLDR plural category of the integer ``n`` in ``lang``.

    >>> [plural_category(n, "ru") for n in (1, 3, 5, 11, 22, 111)]
    ['one', 'few', 'many', 'many', 'few', 'many']
    >>> plural_category(1, "en"), plural_category(0, "en")
    ('one', 'other')
    """
    n = abs(int(n))
    if lang == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return "one"
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return "few"
        return "many"
    return "one" if n == 1 else "other"


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
