"""The course covers the whole data package and the whole article.

- every table of ``datasets/datapackage.json`` is loaded in some notebook;
- every conclusion CON-01 … CON-13 of the article is taught in some notebook
  and listed in the syllabus (``notebooks/README.md``);
- every notebook 01–09 has the parts the syllabus promises (objectives, time,
  a widget activity, a quiz over its own bank, discussion, further reading);
- every quotation (“…”) in the notebooks' Markdown is the article's own words.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
COURSE = [
    "00_start_here",
    "01_wco_and_capacity_building",
    "02_enablers_and_priority_areas",
    "03_competencies",
    "04_instruments_and_tools",
    "05_ict_governance_and_capabilities",
    "06_technology_and_action_plan",
    "07_case_eeu_and_russia",
    "08_research_extending_datasets",
    "09_capstone",
]
CONCLUSIONS = [f"CON-{i:02d}" for i in range(1, 14)]


def _cells(name: str) -> list[dict]:
    nb = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    return [
        {"type": c["cell_type"], "source": "".join(c["source"]) if isinstance(c["source"], list) else c["source"]}
        for c in nb["cells"]
    ]


def _text(name: str, kind: str | None = None) -> str:
    return "\n".join(c["source"] for c in _cells(name) if kind is None or c["type"] == kind)


#: tables of the data package that are not course material, with why; each must still exist
#: (test_not_course_tables_exist), so an exemption cannot outlive its table
NOT_COURSE = {
    # translators' resource: preferred Russian terms, checked against the catalogues and the
    # Russian columns by tests/test_terminology.py; no lesson teaches it (docs/translators.md)
    "terminology": "translators' resource (tests/test_terminology.py)",
}


def _all_tables() -> list[str]:
    package = json.loads((REPO / "datasets" / "datapackage.json").read_text(encoding="utf-8"))
    return [r["name"] for r in package["resources"]]


def _tables() -> list[str]:
    """The course tables: every table of the package except the NOT_COURSE ones."""
    return [t for t in _all_tables() if t not in NOT_COURSE]


def test_the_course_notebooks_exist():
    missing = [n for n in COURSE if not (NOTEBOOKS / f"{n}.ipynb").is_file()]
    assert not missing


@pytest.mark.parametrize("table", _tables())
def test_every_table_is_loaded_in_some_notebook(table):
    code = {n: _text(n, "code") for n in COURSE}
    pattern = re.compile(r"""["']""" + re.escape(table) + r"""["']""")
    users = [n for n, src in code.items() if pattern.search(src)]
    assert users, f"no notebook loads the table {table!r} by name"


def test_not_course_tables_exist():
    assert set(NOT_COURSE) <= set(_all_tables())


def test_start_here_lists_the_tables():
    # an orientation, not a dump: 00 names every table; the notebooks load them by name
    code = _text("00_start_here", "code")
    assert "dc.list_datasets()" in code


@pytest.mark.parametrize("con", CONCLUSIONS)
def test_every_conclusion_is_taught(con):
    teaching = [n for n in COURSE[1:] if con in _text(n)]
    assert teaching, f"{con} appears in no notebook 01–08"


def test_syllabus_maps_every_conclusion():
    readme = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    missing = [c for c in CONCLUSIONS if c not in readme]
    assert not missing, f"notebooks/README.md does not map {missing}"
    assert "EXT-PICARD" in readme


@pytest.mark.parametrize("name", COURSE[1:])
def test_notebook_has_every_part(name):
    md = _text(name, "markdown")
    code = _text(name, "code")
    assert "Learning objectives" in md
    assert "Estimated time" in md
    assert "For discussion" in md
    assert "Further reading" in md
    assert "Our reading" in md, "claims beyond the sources must be marked"
    assert re.search(r"\(p+\. \d{3}", md), "the reading cites pages of the article"
    assert f'Quiz("nb{name[:2]}"' in code
    widgets = re.findall(r"from dcteach\.widgets import (\w+)", code)
    assert set(widgets) - {"Quiz"}, "at least one widget activity besides the quiz"
    assert 'load_dataset("sources"' in code, "further reading comes from the sources table"


@pytest.mark.parametrize("name", COURSE)
def test_widget_cells_ignore_output_and_nothing_is_skipped(name):
    for cell in _cells(name):
        if cell["type"] != "code":
            continue
        assert "NBVAL_SKIP" not in cell["source"]
        if "dcteach.widgets" in cell["source"]:
            assert cell["source"].startswith("# NBVAL_IGNORE_OUTPUT")


@pytest.mark.parametrize("name", COURSE)
def test_notebooks_are_committed_with_outputs(name):
    nb = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and all(c.get("execution_count") for c in code), "execute the notebook before committing"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2019", "'")).strip()


@pytest.mark.parametrize("name", COURSE)
def test_quotations_are_the_articles_words(name, seed_lines):
    article = _norm("\n".join(seed_lines))
    quotes = re.findall(r"\u201c([^\u201d]+)\u201d", _text(name, "markdown"))
    wrong = [q for q in quotes if _norm(q) not in article]
    assert not wrong, f"not found in the article: {wrong}"
