"""Maintainer tool: the Russian course from the English notebooks plus one PO catalogue each.

The English notebooks ``notebooks/NN_name.ipynb`` are the source. Their text is
cut into translation units and kept in ``notebooks/locales/<lang>/NN_name.po``
(gettext; edit in Poedit or Weblate); ``build`` writes ``notebooks/<lang>/NN_name.ipynb``
from source + PO and executes it with ``DCTEACH_LANG=<lang>`` so the stored outputs
are in that language; ``check`` fails when anything is missing, fuzzy or stale.

What is a unit (the rule; see ``docs/translators.md``)
-------------------------------------------------------
* **Markdown**: one unit per paragraph (blocks separated by a blank line; a fenced
  code block stays whole). Blocks without a letter (rules, bare images) are copied.
* **Code comments**: the text of every ``#`` comment, except tool directives
  (``NBVAL_*``, ``noqa``, ``type:``, ``pragma``, ``%%``) and comments without a letter.
* **String literals in code**: only those inside the parentheses of a call that shows
  text to the student -- ``print``, ``Markdown``, ``HTML``, ``set_title``,
  ``set_xlabel``, ``set_ylabel``, ``suptitle``, ``title``, ``xlabel``, ``ylabel``,
  ``legend``, ``text``, ``annotate``, ``bar_label`` -- and only when they contain a
  space and a letter (so column names, ids and file names are never units). Every
  other literal is code and stays as written: translating a key could break the cell.
* In ``f``-strings the ``{...}`` fields must come back unchanged (checked).

The template is extracted from the English notebook each time (no POT file to go
stale); ``update`` merges it into the PO with Babel's ``Catalog.update`` (msgmerge's
rules: a changed English unit keeps its old translation marked fuzzy, or becomes
new and untranslated). Locations (``#: <cell id>:<unit>``) say where a unit is.

In the built notebook the setup line ``LANG = os.environ.get("DCTEACH_LANG", "en")``
becomes ``LANG = os.environ["DCTEACH_LANG"] = "<lang>"``: a Russian notebook speaks
Russian wherever it runs (under nbval, in a server started with ``--lang en``), and so
do the widgets and checks that read the variable.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog

from dcteach import _locales
from dcteach._atomic import atomic_write_text

__all__ = ["Unit", "build", "check", "extract", "main", "translate_notebook", "update"]

LANG_DEFAULT = 'os.environ.get("DCTEACH_LANG", "en")'
SHOWN_BY = {"print", "Markdown", "HTML", "set_title", "set_xlabel", "set_ylabel", "suptitle", "title",
            "xlabel", "ylabel", "legend", "text", "annotate", "bar_label"}
DIRECTIVE = re.compile(r"^\s*(NBVAL_|noqa|type:|pragma|fmt:|%%)")
LETTER = re.compile(r"[^\W\d_]")
FENCE = re.compile(r"^\s*(```|~~~)")
URL = re.compile(r"\]\(([^)\s]+)")
CODE_SPAN = re.compile(r"`[^`\n]+`")
FIELD = re.compile(r"\{[^{}]*\}")
HEADING = re.compile(r"^(#{1,6}\s|>\s|[-*]\s|\d+\.\s|\|)")


@dataclass(frozen=True)
class Unit:
    """One translatable piece of a notebook."""

    cell: str       #: cell id
    n: int          #: number of the unit within its cell (1-based)
    kind: str       #: "markdown", "comment" or "string"
    text: str       #: the English text


# -- cutting cells into units ---------------------------------------------------------------
def _md_blocks(source: str) -> list[tuple[str, bool]]:
    """``[(text, translatable)]`` whose concatenation is ``source`` (blank-line separated)."""
    lines = source.splitlines(keepends=True)
    blocks: list[list[str]] = []
    seps: list[str] = []
    cur: list[str] = []
    fenced = False
    for line in lines:
        if FENCE.match(line):
            fenced = not fenced
        if not fenced and not line.strip():
            if cur:
                blocks.append(cur)
                cur = []
            seps.append(line)
            continue
        if not cur and seps:
            blocks.append(["\0" + "".join(seps)])
            seps = []
        cur.append(line)
    if cur:
        blocks.append(cur)
    if seps:
        blocks.append(["\0" + "".join(seps)])
    out = []
    for b in blocks:
        text = "".join(b)
        if text.startswith("\0"):
            out.append((text[1:], False))
            continue
        body = text.rstrip("\n")
        trail = text[len(body):]
        fenced_only = FENCE.match(body) and body.rstrip().endswith(("```", "~~~"))
        out.append((body, bool(LETTER.search(body)) and not fenced_only))
        if trail:
            out.append((trail, False))
    return out


def _code_pieces(source: str):
    """Yield ``(start, end, kind, prefix, text, suffix)`` for translatable spans of a code cell.

    Offsets index ``source``; ``prefix``/``suffix`` are the parts of the span kept as written
    (``# ``, quotes and string prefix). Cells that do not tokenize yield nothing.
    """
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def off(pos):
        return starts[pos[0] - 1] + pos[1]

    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return
    stack: list[str | None] = []
    prev_name = None
    for tok in tokens:
        if tok.type == tokenize.COMMENT:
            raw = tok.string
            body = raw.lstrip("#")
            text = body.strip()
            if not text or not LETTER.search(text) or DIRECTIVE.match(text) or raw.startswith("#!"):
                continue
            lead = raw[: len(raw) - len(body)] + body[: len(body) - len(body.lstrip())]
            yield off(tok.start), off(tok.end), "comment", lead, text, body[len(body.rstrip()):]
        elif tok.type == tokenize.OP and tok.string in "([{":
            stack.append(prev_name if tok.string == "(" else None)
        elif tok.type == tokenize.OP and tok.string in ")]}":
            if stack:
                stack.pop()
        elif tok.type == tokenize.STRING and any(name in SHOWN_BY for name in stack):
            m = re.match(r"(?is)^([rbuf]*)('''|\"\"\"|'|\")(.*)\2$", tok.string)
            if m and " " in m[3] and LETTER.search(FIELD.sub("", m[3])) and "b" not in m[1].lower():
                yield off(tok.start), off(tok.end), "string", m[1] + m[2], m[3], m[2]
        prev_name = tok.string if tok.type == tokenize.NAME else None


def extract(nb) -> list[Unit]:
    """The translation units of a notebook, in order."""
    units: list[Unit] = []
    for cell in nb.cells:
        n = 0
        if cell.cell_type == "markdown":
            for text, translatable in _md_blocks(cell.source):
                if translatable:
                    n += 1
                    units.append(Unit(cell.id, n, "markdown", text))
        elif cell.cell_type == "code":
            for _s, _e, kind, _p, text, _x in _code_pieces(cell.source):
                n += 1
                units.append(Unit(cell.id, n, kind, text))
    return units


_KIND_NOTE = {
    "markdown": "Markdown paragraph: keep the markup (#, **, `code`, links, tables).",
    "comment": "Comment in a code cell.",
    "string": "Text shown by a code cell: keep every {field} exactly as it is.",
}


def template(nb, name: str, lang: str) -> Catalog:
    """The catalogue of a notebook's units, with empty translations."""
    cat = Catalog(locale=lang, domain=name, project=f"dcteach notebook {name}", charset="utf-8",
                  fuzzy=False)
    for u in extract(nb):
        flags = {"python-brace-format"} if u.kind == "string" and FIELD.search(u.text) else set()
        if u.text in cat:
            cat[u.text].locations.append((u.cell, u.n))
            continue
        cat.add(u.text, locations=[(u.cell, u.n)], auto_comments=[_KIND_NOTE[u.kind]], flags=flags)
    return cat


# -- applying a catalogue ----------------------------------------------------------------------
def _lookup(cat: Catalog, text: str, missing: list[str]) -> str:
    m = cat.get(text)
    if m is None or not m.string or m.fuzzy:
        missing.append(text)
        return text
    return m.string


def translate_notebook(nb, cat: Catalog, lang: str, name: str):
    """Return ``(translated notebook, untranslated units)``; outputs are cleared."""
    import copy

    import nbformat

    from dcteach.i18n import _

    out = copy.deepcopy(nb)
    missing: list[str] = []
    note = nbformat.v4.new_markdown_cell(_("notebook.translation_note", lang, source=f"../{name}.ipynb"))
    note.id = f"{lang}-translation-note"
    for cell in out.cells:
        if cell.cell_type == "markdown":
            cell.source = "".join(_lookup(cat, t, missing) if ok else t for t, ok in _md_blocks(cell.source))
        elif cell.cell_type == "code":
            src = cell.source
            pieces = list(_code_pieces(src))
            for start, end, _kind, prefix, text, suffix in reversed(pieces):
                src = src[:start] + prefix + _lookup(cat, text, missing) + suffix + src[end:]
            cell.source = src.replace(LANG_DEFAULT, f'os.environ["DCTEACH_LANG"] = "{lang}"')
            cell.outputs = []
            cell.execution_count = None
    out.cells.insert(0, note)
    out.metadata.pop("widgets", None)
    out.metadata["dcteach"] = {"lang": lang, "translated_from": f"../{name}.ipynb",
                               "note": "generated by python -m dcteach._maintain --translate build"}
    return out, missing


# -- files ---------------------------------------------------------------------------------------
def _root() -> Path:
    return Path.cwd() / "notebooks"


def sources(root: Path) -> list[Path]:
    return sorted(root.glob("*.ipynb"))


def po_file(root: Path, lang: str, src: Path) -> Path:
    return root / "locales" / lang / f"{src.stem}.po"


def out_file(root: Path, lang: str, src: Path) -> Path:
    return root / lang / src.name


def _read_nb(path: Path):
    import nbformat

    return nbformat.read(path, as_version=4)


def _write_po(path: Path, cat: Catalog) -> None:
    buf = io.BytesIO()
    from babel.messages.pofile import write_po

    write_po(buf, cat, width=100, sort_output=False, ignore_obsolete=True, include_previous=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, buf.getvalue().decode("utf-8"))


def _header(cat: Catalog, name: str, lang: str) -> None:
    cat.header_comment = (
        f"# Russian translation of the course notebook {name}.ipynb (dcteach).\n"
        "# OUR translation (editorial), not the article's wording; quotations of the article are\n"
        "# back-translated from our English copy and say so. Terms: datasets/terminology.csv.\n"
        "# Update after an English change: python -m dcteach._maintain --translate update\n"
        "#"
    )
    cat.project, cat.version = f"dcteach notebook {name}", "0.1.0"
    cat.msgid_bugs_address = ""
    cat.last_translator = "dcteach contributors"
    cat.language_team = "dcteach contributors"


def update(root: Path, lang: str = "ru") -> list[str]:
    """Merge each English notebook's units into its PO file (msgmerge-like); return changed files."""
    changed = []
    for src in sources(root):
        po = po_file(root, lang, src)
        tpl = template(_read_nb(src), src.stem, lang)
        if po.exists():
            cat = _locales.read_catalog(po, locale=lang)
            before = po.read_text("utf-8")
            cat.update(tpl, update_header_comment=False, update_creation_date=False)
            for m in cat:  # locations and notes always follow the source
                if m.id and m.id in tpl:
                    m.locations, m.auto_comments = tpl[m.id].locations, tpl[m.id].auto_comments
        else:
            cat, before = tpl, None
        _header(cat, src.stem, lang)
        _write_po(po, cat)
        if po.read_text("utf-8") != before:
            changed.append(str(po))
    return changed


def _entry_problems(m) -> list[str]:
    """Form checks of one translated entry (markup, links, code spans, fields)."""
    en, tr = m.id, m.string
    problems = []
    if sorted(URL.findall(en)) != sorted(URL.findall(tr)):
        problems.append("links differ from the English")
    if sorted(CODE_SPAN.findall(en)) != sorted(CODE_SPAN.findall(tr)):
        problems.append("`code` spans differ from the English (code is not translated)")
    if sorted(FIELD.findall(en)) != sorted(FIELD.findall(tr)) and "python-brace-format" in m.flags:
        problems.append("{fields} differ from the English")
    he, ht = HEADING.match(en), HEADING.match(tr)
    if (he and he[1].strip()[:1]) != (ht and ht[1].strip()[:1]) or (en.startswith("#") and
                                                                    en.split(" ")[0] != tr.split(" ")[0]):
        problems.append("block markup (heading, list, quote, table) differs from the English")
    if en.count("\n|") != tr.count("\n|"):
        problems.append("table rows differ from the English")
    return problems


def check(root: Path, lang: str = "ru") -> list[str]:
    """Every problem that makes the translated course wrong or stale, one located line each."""
    import nbformat

    problems = []
    for src in sources(root):
        po, out = po_file(root, lang, src), out_file(root, lang, src)
        rel = po.relative_to(root.parent)
        if not po.exists():
            problems.append(f"{rel}: missing; run python -m dcteach._maintain --translate update")
            continue
        cat = _locales.read_catalog(po, locale=lang)
        tpl = template(_read_nb(src), src.stem, lang)
        have, want = {m.id for m in cat if m.id}, {m.id for m in tpl if m.id}
        if have != want:
            problems.append(f"{rel}: out of step with {src.name} ({len(want - have)} new, "
                            f"{len(have - want)} gone); run python -m dcteach._maintain --translate update")
        for m in cat:
            if not m.id:
                continue
            where = f"{rel}: entry at {', '.join(f'{c}:{n}' for c, n in m.locations) or '?'}"
            if m.fuzzy:
                problems.append(f"{where} is fuzzy (its English changed); review it and remove the fuzzy flag")
            elif not m.string:
                problems.append(f"{where} is untranslated")
            else:
                problems.extend(f"{where}: {p}" for p in _entry_problems(m))
        if not out.exists():
            problems.append(f"{out.relative_to(root.parent)}: missing; run python -m dcteach._maintain --translate build")
            continue
        expected, _missing = translate_notebook(_read_nb(src), cat, lang, src.stem)
        built = nbformat.read(out, as_version=4)
        if [(c.cell_type, c.source) for c in expected.cells] != [(c.cell_type, c.source) for c in built.cells]:
            problems.append(f"{out.relative_to(root.parent)}: not built from the current source and PO; "
                            "run python -m dcteach._maintain --translate build")
    return problems


def build(root: Path, lang: str = "ru", *, execute: bool = True, only: list[str] | None = None) -> list[str]:
    """Write (and execute) the translated notebooks; return a line per untranslated unit."""
    import nbformat

    from dcteach._maintain import execute_notebook

    report = []
    for src in sources(root):
        if only and src.name not in only and src.stem not in only:
            continue
        po = po_file(root, lang, src)
        cat = _locales.read_catalog(po, locale=lang) if po.exists() else Catalog(locale=lang)
        nb, missing = translate_notebook(_read_nb(src), cat, lang, src.stem)
        out = out_file(root, lang, src)
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out, nbformat.writes(nb) + "\n")
        report += [f"{out.relative_to(root.parent)}: untranslated (English kept): {t[:60]!r}" for t in missing]
        if execute:
            print(f"executing {out}", flush=True)
            old = os.environ.get("DCTEACH_LANG")
            os.environ["DCTEACH_LANG"] = lang
            os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
            try:
                execute_notebook(out)
            finally:
                if old is None:
                    os.environ.pop("DCTEACH_LANG", None)
                else:
                    os.environ["DCTEACH_LANG"] = old
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dcteach._maintain --translate",
                                     description="Translate the course notebooks through PO files.")
    parser.add_argument("action", choices=["update", "build", "check"])
    parser.add_argument("notebooks", nargs="*", help="build only these (names or stems)")
    parser.add_argument("--lang", default="ru")
    parser.add_argument("--root", type=Path, default=None, help="the notebooks folder (default ./notebooks)")
    parser.add_argument("--no-execute", action="store_true", help="build without running the notebooks")
    args = parser.parse_args(argv)
    root = args.root or _root()
    if not root.is_dir():
        print(f"error: {root}: no notebooks folder; run from the repository root or pass --root", file=sys.stderr)
        return 2
    if args.action == "update":
        for f in update(root, args.lang):
            print(f"updated {f}")
        return 0
    if args.action == "build":
        for line in build(root, args.lang, execute=not args.no_execute, only=args.notebooks):
            print(line)
        return 0
    problems = check(root, args.lang)
    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s) in the {args.lang} notebooks" if problems else f"{args.lang} notebooks: in step")
    return 1 if problems else 0
