"""Fidelity: every locator, quotation and footnote call is checked against the article's copy.

The seed (``../shared/seed/*.txt``) is the one source of truth. These tests make each class of
error that a row-by-row review found impossible to land again:

* a footnote cited on a line where it is not called (or the wrong one of two calls on a line);
* a page that is not the page of the cited line by the copy's own markers (for a footnote's
  text: the page of its call, the convention of ``datasets/README.md``);
* a row whose ``source_id`` is footnote N while its locator names another footnote;
* a quotation that is not on the line its locator gives;
* teaching text that calls our editorial content "the article's".

They run over whatever is in ``datasets/``, ``notebooks/``, ``exercises/banks/`` and
``dcteach/quiz/banks/`` today, so that a rewritten notebook or bank is checked as soon as it lands.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import dcteach as dc
from dcteach.data import core_dir

REPO = Path(__file__).resolve().parent.parent
DESCRIPTOR = json.loads((core_dir() / "datapackage.json").read_text(encoding="utf-8"))
TABLES = [r["name"] for r in DESCRIPTOR["resources"]]
DASH = "[–-]"


# ---- the article, as the locators count it ------------------------------------------------


class Article:
    """Lines, page markers, footnote calls and footnote texts of the English web copy."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self.markers = [(i, int(m.group(1))) for i, l in enumerate(lines, 1) if (m := re.fullmatch(r"-(\d{3})-", l.strip()))]
        # the body ends where the list of sources begins ("OTHER PUBLICATIONS")
        self.body_end = next(i for i, l in enumerate(lines, 1) if l.strip() == "OTHER PUBLICATIONS")
        self.calls: dict[int, list[tuple[int, int]]] = {}  # footnote -> [(line, offset)]
        for i, line in enumerate(lines[: self.body_end - 1], 1):
            for m in re.finditer(r"\[(\d+)\]", line):
                self.calls.setdefault(int(m.group(1)), []).append((i, m.start()))
        starts = {int(m.group(1)): i for i, l in enumerate(lines, 1) if i > self.body_end and (m := re.match(r"\[(\d+)\]", l))}
        order = sorted(starts.items(), key=lambda kv: kv[1])
        self.fn_text = {}  # footnote -> (first line, last line) of its text
        for (n, start), nxt in zip(order, [*order[1:], (None, len(lines) + 1)]):
            end = nxt[1] - 1
            while end > start and not lines[end - 1].strip():
                end -= 1
            self.fn_text[n] = (start, end)

    def __len__(self):
        return len(self.lines)

    def page(self, line: int) -> str:
        """Printed page of a line: markers close their page; after the last marker, pp. 199–202."""
        for at, p in self.markers:
            if line < at:
                return str(p)
        return f"{self.markers[-1][1] + 1}–202"

    def in_body(self, line: int) -> bool:
        return line < self.body_end

    def text_of(self, first: int, last: int) -> str:
        return fold(" ".join(self.lines[first - 1 : last]))

    def covering(self, line: int, offset: int) -> int | None:
        """The footnote that covers a position: the next call on its line, else the last one before."""
        on_line = sorted((o, n) for n, calls in self.calls.items() for (l, o) in calls if l == line)
        after = [n for o, n in on_line if o >= offset]
        before = [n for o, n in on_line if o < offset]
        return after[0] if after else (before[-1] if before else None)


def fold(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip().lower()


@pytest.fixture(scope="session")
def article(seed_lines):
    return Article(seed_lines)


# ---- locators ----------------------------------------------------------------------------


@dataclass
class Locator:
    text: str
    pages: tuple[int, int] | None = None  # first, last printed page
    footnotes: list[int] = field(default_factory=list)
    lines: list[tuple[int, int]] = field(default_factory=list)  # (first, last) ranges


def _num_range(a: str, b: str | None, *, end: int | None = None) -> tuple[int, int]:
    if b == "end":
        return int(a), end or int(a)
    return int(a), int(b) if b else int(a)


def parse_locator(text: str, *, n_lines: int = 10**6) -> Locator:
    """``p. 195, fn. 23, l. 183`` / ``pp. 197–198, l. 325–333`` / ``l. 61, l. 298`` / bank
    bases ``article l.17, footnotes 3, 4, 7`` and ``l.398-end``."""
    loc = Locator(text)
    m = re.search(rf"\bpp?\.\s?(\d{{3}})(?:\s?{DASH}\s?(\d{{3}}))?", text)
    if m:
        loc.pages = _num_range(m.group(1), m.group(2))
    for m in re.finditer(rf"\bfn\.\s?(\d+)(?:\s?{DASH}\s?(\d+))?", text):
        a, b = _num_range(m.group(1), m.group(2))
        loc.footnotes += range(a, b + 1)
    for m in re.finditer(rf"\bfootnotes?\s+((?:\d+(?:\s?{DASH}\s?\d+)?(?:,\s*|\s+and\s+)?)+)", text):
        for part in re.finditer(rf"(\d+)(?:\s?{DASH}\s?(\d+))?", m.group(1)):
            a, b = _num_range(part.group(1), part.group(2))
            loc.footnotes += range(a, b + 1)
    for m in re.finditer(rf"\bl\.\s?(\d+)(?:\s?{DASH}\s?(\d+|end))?", text):
        loc.lines.append(_num_range(m.group(1), m.group(2), end=n_lines))
    return loc


def expected_pages(article: Article, loc: Locator) -> str | None:
    """The page string a locator must carry (``p. 194`` / ``pp. 197–198`` / ``pp. 199–202``)."""
    if not loc.lines:
        return None
    first, last = loc.lines[0]
    if loc.footnotes and not article.in_body(first):
        calls = article.calls.get(loc.footnotes[0])
        if not calls:
            return None
        p = q = article.page(calls[0][0])  # a footnote's text is on the page of its call
    elif not article.in_body(first) and first > article.body_end:
        p = q = article.page(first)  # list of sources: after the last marker
    else:
        p, q = article.page(first), article.page(last)
    if p == q:
        return f"pp. {p}" if "–" in p else f"p. {p}"
    return f"pp. {p.split('–')[0]}–{q.split('–')[0]}"


def check_locator(article: Article, loc: Locator, *, quote: str | None = None, require_page: bool = True) -> list[str]:
    """Problems with one locator (and the quotation it supports); empty if it is right."""
    problems = []
    for first, last in loc.lines:
        if not 1 <= first <= last <= len(article):
            problems.append(f"line {first}–{last} is outside the article (1–{len(article)})")
    if problems:
        return problems
    # the cited footnote is called on the cited line (or, in the footnotes, it is that footnote's text)
    for n in loc.footnotes:
        if n not in article.fn_text:
            problems.append(f"there is no footnote {n}")
            continue
        if not loc.lines:
            continue
        called = any(first <= l <= last for first, last in loc.lines for l, _ in article.calls.get(n, []))
        text_first, text_last = article.fn_text[n]
        its_text = any(first <= text_last and text_first <= last for first, last in loc.lines)
        if not (called or its_text):
            where = ", ".join(f"l. {l}" for l, _ in article.calls.get(n, []))
            problems.append(f"fn. {n} is not called on {_lines(loc)} (it is called at {where}; its text is at l. {text_first})")
    # the page is the page of the line by the copy's markers (a footnote: the page of its call)
    want = expected_pages(article, loc)
    if want and loc.pages:
        got = f"p. {loc.pages[0]}" if loc.pages[0] == loc.pages[1] else f"pp. {loc.pages[0]}–{loc.pages[1]}"
        if got.replace("pp. 199–202", "") != want.replace("pp. 199–202", "") or (want == "pp. 199–202") != (got == "pp. 199–202"):
            problems.append(f"page {got!r} but {_lines(loc)} is on {want!r}")
    elif want and require_page:
        problems.append(f"no page: {_lines(loc)} is on {want!r}")
    # the quoted text is on the line, and the cited footnote is the call that covers it
    if quote and loc.lines:
        problems += check_quote(article, loc, quote)
    return problems


def _lines(loc: Locator) -> str:
    return ", ".join(f"l. {a}" if a == b else f"l. {a}–{b}" for a, b in loc.lines)


def check_quote(article: Article, loc: Locator, quote: str) -> list[str]:
    parts = [p for p in (fold(p).strip(" .,;:") for p in re.split(r"…|\.\.\.|\[…\]", quote)) if p]
    problems = []
    for part in parts:
        found = [
            (l, fold(article.lines[l - 1]).find(part))
            for first, last in loc.lines
            for l in range(first, last + 1)
            if part in fold(article.lines[l - 1])
        ]
        joined = any(part in article.text_of(first, last) for first, last in loc.lines)
        if not found and not joined:
            problems.append(f"the quoted text {part[:60]!r} is not on {_lines(loc)}")
            continue
        body_fns = [n for n in loc.footnotes if any(article.in_body(l) for l, _ in article.calls.get(n, []))]
        if found and body_fns and article.in_body(found[0][0]):
            line, _ = found[0]
            offset = _raw_offset(article.lines[line - 1], part)
            covering = article.covering(line, offset)
            if covering is not None and covering not in loc.footnotes:
                problems.append(
                    f"the quoted text {part[:40]!r} at l. {line} is covered by fn. {covering}, not fn. "
                    + "/".join(map(str, loc.footnotes))
                )
    return problems


def _raw_offset(line: str, folded_part: str) -> int:
    """Offset in the raw line where a folded substring starts."""
    pattern = r"\s+".join(re.escape(w) for w in folded_part.split(" "))
    m = re.search(pattern, line.replace("’", "'").replace("“", '"').replace("”", '"'), re.I)
    return m.start() if m else 0


# ---- 1. every located row of every table --------------------------------------------------


def _located_rows():
    for name in TABLES:
        df = dc.load_dataset(name)
        for row in df.to_dict("records"):
            yield name, row


def _str(v) -> str | None:
    return v if isinstance(v, str) and v.strip() else None


def row_problems(article: Article, name: str, row: dict, sources: dict) -> list[str]:
    locator = _str(row.get("locator"))
    if not locator or "l." not in locator:
        return []
    loc = parse_locator(locator, n_lines=len(article))
    quote = _str(row.get("seed_text"))
    problems = check_locator(article, loc, quote=quote)
    source_id = _str(row.get("source_id")) or ""
    # a row's source footnote equals its locator's footnote
    own = row["id"] if name == "sources" and row["id"].startswith("FN-") else None
    fn_id = own or (source_id if source_id.startswith("FN-") else None)
    if fn_id:
        n = int(fn_id.split("-")[1])
        if n not in loc.footnotes:
            problems.append(f"source {fn_id} but the locator cites fn. {'/'.join(map(str, loc.footnotes)) or 'none'}")
    elif re.fullmatch(r"SRC-\d+", source_id) and loc.footnotes:
        for n in loc.footnotes:
            fn = sources.get(f"FN-{n:02d}", {})
            if source_id not in (_str(fn.get("same_as")), _str(fn.get("also_same_as"))):
                problems.append(f"source {source_id} but fn. {n} cites {_str(fn.get('same_as')) or 'another work'}")
    # a footnote row's call line is where [n] is called
    if own and row.get("cited_at_line") == row.get("cited_at_line"):  # not NaN
        n = int(own.split("-")[1])
        calls = [l for l, _ in article.calls.get(n, [])]
        if calls and int(row["cited_at_line"]) != calls[0]:
            problems.append(f"cited_at_line {row['cited_at_line']} but [{n}] is called at l. {calls[0]}")
    return problems


def test_every_located_row_matches_the_article(article):
    sources = {r["id"]: r for r in dc.load_dataset("sources").to_dict("records")}
    bad, checked = [], 0
    for name, row in _located_rows():
        problems = row_problems(article, name, row, sources)
        checked += "l." in (_str(row.get("locator")) or "")
        bad += [f"{name} {row['id']} ({row['locator']}): {p}" for p in problems]
    assert checked > 250  # every table was read
    assert not bad, "\n".join(bad)


def test_every_footnote_is_called_once_and_has_a_text(article):
    assert sorted(article.fn_text) == list(range(1, 42))
    assert all(len(article.calls.get(n, [])) == 1 for n in range(1, 42)), {n: c for n, c in article.calls.items() if len(c) != 1}


# ---- the checker catches each class of error (on known-bad rows from the review) ----------


@pytest.mark.parametrize(
    ("locator", "quote", "expected"),
    [
        ("p. 194, fn. 3, l. 59", None, "fn. 3 is not called on l. 59"),  # GL-05 before 0.2
        ("p. 193, fn. 2, l. 55", None, "fn. 2 is not called on l. 55"),  # GL-02 before 0.2
        ("p. 196, fn. 19, l. 191", None, "fn. 19 is not called on l. 191"),  # GL-18 before 0.2
        ("pp. 199–202, fn. 3, l. 402", None, "page 'pp. 199–202' but l. 402 is on 'p. 194'"),  # EV-01 before
        ("p. 194, fn. 4, l. 61", "to raise the topic of digital customs", "covered by fn. 5"),  # notebook 01
        ("p. 195, l. 171", "strategy, legal basis", "not on l. 171"),
        ("p. 194, l. 65", None, None),
        ("p. 196, fn. 36, l. 191", "the use of drones", None),  # "the use of" stands earlier on the line
        ("p. 196, fn. 34, l. 191", "the use of drones", "covered by fn. 36"),
        ("p. 194, fn. 6, l. 65", "Human Resource Capabilities and Skills", None),  # the last call before
        ("pp. 197–198, l. 325–333", None, None),
        ("pp. 199–202, fn. 41, l. 491", None, None),
    ],
)
def test_checker_catches_each_class(article, locator, quote, expected):
    problems = check_locator(article, parse_locator(locator, n_lines=len(article)), quote=quote)
    if expected is None:
        assert problems == []
    else:
        assert any(expected in p for p in problems), problems


def test_checker_catches_a_source_mismatch(article):
    sources = {r["id"]: r for r in dc.load_dataset("sources").to_dict("records")}
    ipl06 = {"id": "IPL-06", "source_id": "FN-35", "locator": "p. 195, fn. 17, l. 179 (instrument); link editorial"}
    assert any("source FN-35 but the locator cites fn. 17" in p for p in row_problems(article, "x", ipl06, sources))
    gl21 = {"id": "GL-21", "source_id": "FN-18", "locator": "p. 194, l. 67"}
    assert any("source FN-18" in p for p in row_problems(article, "glossary", gl21, sources))


# ---- 2. quotations and locators in notebooks, quiz banks and exercise banks ---------------

QUOTE = re.compile(r"“([^”]{8,}?)”")
PAREN = re.compile(r"\(([^()]*?\b(?:l|fn)\.\s?\d[^()]*?)\)")


def text_problems(article: Article, text: str) -> list[str]:
    """Check every parenthetical locator in a text, and the quotation right before it."""
    problems = []
    for m in PAREN.finditer(text):
        loc = parse_locator(m.group(1), n_lines=len(article))
        before = text[: m.start()]
        q = None
        qm = re.search(r"“([^“”]{4,})”[\s.,;:!?]*$", before)
        if qm:
            q = qm.group(1)
        if not loc.lines and q and loc.footnotes:  # "(fn. 11)": find the quotation in the body
            hits = [i for i in range(1, article.body_end) if fold(q).strip(" .,;:") in fold(article.lines[i - 1])]
            if not hits:
                problems.append(f"({m.group(1)}): the quoted text {q[:50]!r} is not in the article")
                continue
            loc.lines = [(hits[0], hits[0])]
        for p in check_locator(article, loc, quote=q, require_page=False):
            problems.append(f"({m.group(1)}): {p}")
    return problems


def _notebooks():
    return sorted(p for p in (REPO / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def _markdown_cells():
    for path in _notebooks():
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb.get("cells", [])):
            if cell.get("cell_type") == "markdown":
                yield f"{path.relative_to(REPO)} cell {i}", "".join(cell.get("source", []))


def _bank_files():
    return sorted((REPO / "exercises" / "banks").glob("*.json")) + sorted((REPO / "dcteach" / "quiz" / "banks").glob("*.json"))


def _strings(obj, path=""):
    """(json path, English string) of every string of a bank, skipping Russian translations."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k != "ru":
                yield from _strings(v, f"{path}.{k}" if path else k)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _strings(v, f"{path}[{i}]")
    elif isinstance(obj, str):
        yield path, obj


def test_notebook_quotations_match_their_locators(article):
    bad = [f"{where}: {p}" for where, text in _markdown_cells() for p in text_problems(article, text)]
    assert not bad, "\n".join(bad)


def test_bank_locators_match_the_article(article):
    """Exercise banks' ``basis`` ('article l.63-65, footnote 6'), quiz banks' ``source`` and every
    parenthetical locator in a bank's English text."""
    bad = []
    for path in _bank_files():
        bank = json.loads(path.read_text(encoding="utf-8"))
        for where, text in _strings(bank):
            key = where.rsplit(".", 1)[-1]
            if re.search(r"(^|\.)basis\[\d+\]$", where) or key == "source":
                if key == "source" or text.startswith("article"):
                    loc = parse_locator(text, n_lines=len(article))
                    for p in check_locator(article, loc, require_page=False):
                        bad.append(f"{path.relative_to(REPO)} {where} {text!r}: {p}")
                m = re.match(r"dataset (\w+) \(([A-Z][A-Z0-9]*-[A-Za-z0-9-]+)\)", text)
                if m and m.group(1) in TABLES and m.group(2) not in set(dc.load_dataset(m.group(1))["id"]):
                    bad.append(f"{path.relative_to(REPO)} {where}: no row {m.group(2)} in {m.group(1)}")
            else:
                bad += [f"{path.relative_to(REPO)} {where}: {p}" for p in text_problems(article, text)]
    assert not bad, "\n".join(bad)


def test_text_checker_is_real(article):
    good = "the Committee “as an emerging contentious issue related directly to capacity building” (p. 194, fn. 5, l. 61)"
    assert text_problems(article, good) == []
    wrong_fn = good.replace("fn. 5", "fn. 4")
    assert any("covered by fn. 5" in p for p in text_problems(article, wrong_fn))
    wrong_line = good.replace("l. 61", "l. 63")
    assert any("not on l. 63" in p for p in text_problems(article, wrong_line))
    assert any("is not in the article" in p for p in text_problems(article, "“no such words anywhere” (fn. 11)"))
    basis = parse_locator("article l.17, footnotes 3, 4, 7", n_lines=len(article))
    assert basis.footnotes == [3, 4, 7] and basis.lines == [(17, 17)]
    assert any("fn. 3 is not called on l. 17" in p for p in check_locator(article, basis, require_page=False))


# ---- 3. editorial content is never "the article's" ----------------------------------------


@functools.lru_cache
def editorial_markers() -> re.Pattern:
    """Ids and names of content that is our analysis, not the article's."""
    ids = list(dc.load_dataset("instrument_priority_links")["id"])
    glossary = dc.load_dataset("glossary")
    ids += list(glossary.loc[glossary["basis"] == "editorial", "id"])
    names = ["instrument_priority_links", "editorial", "our mapping", "our map", "mapping of instruments"]
    return re.compile("|".join([*(rf"\b{re.escape(i)}\b" for i in ids), *map(re.escape, names)]), re.I)


ARTICLES = re.compile(r"\b(?:the )?article['’]s\b|\bin the article\b(?! (?:does|is) not)", re.I)
NEGATION = re.compile(r"\b(?:not|nor|never|rather than|instead of)\b[^.;:]{0,25}$", re.I)


def clauses(text: str):
    """Sentences, cut again at semicolons and colons: the unit in which a claim is made."""
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+|[;:]\s", text) if s.strip()]


def calls_editorial_the_articles(text: str, *, context_is_editorial: bool = False) -> list[str]:
    """Sentences that credit editorial content to the article (a negated mention is fine)."""
    out = []
    for s in clauses(text):
        if not (context_is_editorial or editorial_markers().search(s)):
            continue
        for m in ARTICLES.finditer(s):
            if not NEGATION.search(s[: m.start()]):
                out.append(s.strip())
                break
    return out


def _editorial_question(q: dict) -> bool:
    basis = " ".join(q.get("basis", [])) if isinstance(q.get("basis"), list) else str(q.get("basis", ""))
    checker = q.get("checker", {}) if isinstance(q.get("checker"), dict) else {}
    return "editorial" in basis or checker.get("dataset") == "instrument_priority_links" or bool(
        editorial_markers().search(" ".join(t for _, t in _strings({k: q.get(k) for k in ("prompt", "question")})))
    )


def test_no_teaching_text_calls_editorial_content_the_articles():
    bad = []
    for where, text in _markdown_cells():
        bad += [f"{where}: {s}" for s in calls_editorial_the_articles(text)]
    for path in _bank_files():
        bank = json.loads(path.read_text(encoding="utf-8"))
        for i, q in enumerate(bank.get("questions", [])):
            editorial = _editorial_question(q)
            for where, text in _strings({k: q[k] for k in ("feedback", "answers", "hints", "default_feedback") if k in q}):
                bad += [
                    f"{path.relative_to(REPO)} questions[{i}] ({q.get('id')}).{where}: {s}"
                    for s in calls_editorial_the_articles(text, context_is_editorial=editorial)
                ]
    assert not bad, "\n".join(bad)


def test_editorial_check_is_real():
    assert calls_editorial_the_articles("IPL-03 is the article's link between them.")
    assert calls_editorial_the_articles("no instrument in the article's lists", context_is_editorial=True)
    # a clause about the article next to one about our map is fine
    assert not calls_editorial_the_articles("18 tables hold the article's content; one more holds our editorial map.")
    assert not calls_editorial_the_articles("the links are our editorial mapping, not the article's.")
    assert not calls_editorial_the_articles("no instrument in our editorial mapping", context_is_editorial=True)
    assert not calls_editorial_the_articles("The article's footnote 7 cites a report.")
