"""Maintainer tool for the UI message catalogues (gettext, compiled with Babel).

Layout (standard gettext, domain ``dcteach``)::

    dcteach/locales/dcteach.pot                    English source: msgctxt = key, msgid = English
    dcteach/locales/ru/LC_MESSAGES/dcteach.po      Russian translation (Poedit, Weblate)
    dcteach/locales/<lang>/LC_MESSAGES/dcteach.mo  compiled, committed (see docs/translators.md)

The English ``.mo`` is compiled from the template with ``msgstr = msgid`` (what
GNU ``msgen`` does), so English and Russian are read the same way at run time.

Commands (``python -m dcteach._maintain --locales``) update every ``.po`` from
the template (msgmerge-like, Babel's ``Catalog.update``: a changed English
message becomes fuzzy) and recompile every ``.mo``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from dcteach._atomic import atomic_write_text, write_bytes

DOMAIN = "dcteach"
LOCALES = Path(__file__).resolve().parent / "locales"
TEMPLATE = LOCALES / f"{DOMAIN}.pot"
PROJECT = "dcteach"
BRACE = "python-brace-format"


def po_path(lang: str, root: Path = LOCALES) -> Path:
    return root / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str, root: Path = LOCALES) -> Path:
    return root / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with open(path, "rb") as f:
        return read_po(f, locale=locale, charset="utf-8")


def dump_po(catalog: Catalog, *, omit_header: bool = False) -> str:
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, sort_output=False, omit_header=omit_header,
             include_previous=True, ignore_obsolete=False)
    return buf.getvalue().decode("utf-8")


def compile_mo(catalog: Catalog) -> bytes:
    """Compiled bytes of ``catalog`` (fuzzy and untranslated entries are left out)."""
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def english_catalog(template: Catalog) -> Catalog:
    """The template as an English catalogue (``msgstr = msgid``), like GNU ``msgen``."""
    en = Catalog(locale="en", domain=DOMAIN, project=PROJECT, charset="utf-8",
                 creation_date=template.creation_date, revision_date=template.creation_date,
                 fuzzy=False)
    for m in template:
        if m.id:
            en.add(m.id, m.id, context=m.context, flags=m.flags - {"fuzzy"}, auto_comments=m.auto_comments)
    return en


def update(root: Path = LOCALES) -> list[str]:
    """Merge the template into every ``.po`` and recompile every ``.mo``; return what changed."""
    template = read_catalog(root / f"{DOMAIN}.pot")
    changed = []
    for po in sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        lang = po.parent.parent.name
        cat = read_catalog(po, locale=lang)
        before = dump_po(cat)
        cat.update(template, update_header_comment=False, update_creation_date=True)
        text = dump_po(cat)
        if text != before:
            atomic_write_text(po, text)
            changed.append(str(po))
    for lang, cat in compiled_sources(root).items():
        data, path = compile_mo(cat), mo_path(lang, root)
        if not path.exists() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_bytes(path, data)
            changed.append(str(path))
    return changed


def compiled_sources(root: Path = LOCALES) -> dict[str, Catalog]:
    """``{lang: catalogue}`` whose compilation gives ``<lang>/LC_MESSAGES/dcteach.mo``."""
    template = read_catalog(root / f"{DOMAIN}.pot")
    out = {"en": english_catalog(template)}
    for po in sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        lang = po.parent.parent.name
        out[lang] = read_catalog(po, locale=lang)
    return out


# -- one-off import of the former JSON catalogues ------------------------------------------
_ORDER = {"en": ("one", "other"), "ru": ("one", "few", "many")}


def import_json(en_json: Path, ru_json: Path, root: Path = LOCALES) -> list[str]:
    """Add the keys of JSON catalogues (the former ``en.json``/``ru.json`` format) missing from the
    template and the Russian ``.po``; existing entries are left alone. Returns the added keys.

    For the merge of branches written before the move to gettext: run it on their JSON files.
    """
    en = {k: v for k, v in json.loads(Path(en_json).read_text("utf-8")).items() if not k.startswith("@")}
    ru = {k: v for k, v in json.loads(Path(ru_json).read_text("utf-8")).items() if not k.startswith("@")}
    pot_file = root / f"{DOMAIN}.pot"
    template = read_catalog(pot_file) if pot_file.exists() else Catalog(
        domain=DOMAIN, project=PROJECT, charset="utf-8", fuzzy=False)
    ru_file = po_path("ru", root)
    ru_cat = read_catalog(ru_file, locale="ru") if ru_file.exists() else Catalog(
        locale="ru", domain=DOMAIN, project=PROJECT, charset="utf-8", fuzzy=False)
    have = {m.context for m in template if m.id}
    added = []
    for key, msg in en.items():
        if key in have:
            continue
        flags = {BRACE} if "{" in json.dumps(msg) else set()
        if isinstance(msg, dict):
            msgid = (msg["one"], msg["other"])
            template.add(msgid, context=key, flags=flags)
            r = ru.get(key)
            if isinstance(r, dict):
                ru_cat.add(msgid, tuple(r[c] for c in _ORDER["ru"]), context=key, flags=flags)
        else:
            template.add(msg, context=key, flags=flags)
            if isinstance(ru.get(key), str):
                ru_cat.add(msg, ru[key], context=key, flags=flags)
        added.append(key)
    root.mkdir(parents=True, exist_ok=True)
    atomic_write_text(pot_file, dump_po(template))
    ru_file.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(ru_file, dump_po(ru_cat))
    update(root)
    return added
