"""A tiny exercise (``ex90``) for the exercise engine's tests.

It needs only the ``instruments`` table (columns ``id``, ``group``,
``document_code``) and builds, in a temporary folder laid out like
``exercises/`` (``banks/`` + ``source/``), one bank and one lecturer source
using every marker form: a solution block, a one-line ``# SOLUTION``, a tests
cell with hidden tests, a cell holding only hidden tests, and an open task.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

I18N = lambda en, ru: {"en": en, "ru": ru}  # noqa: E731

BANK = {
    "id": "ex90",
    "notebook": "04",
    "title": I18N("Fixture exercise", "Тестовое упражнение"),
    "questions": [
        {
            "id": "q1", "number": "90.1", "kind": "auto", "points": 2,
            "title": I18N("Operational instruments citing a WCO document", "Операционные инструменты со ссылкой на документ ВТамО"),
            "prompt": I18N("Which instruments of the operational group cite a WCO document?",
                           "Какие инструменты операционной группы ссылаются на документ ВТамО?"),
            "hints": [I18N("Filter on `group` first.", "Сначала отфильтруйте по `group`."),
                      I18N("A cited document has a `document_source_id`.", "У документа есть `document_source_id`.")],
            "feedback": {"correct": I18N("they are the operational tools with a document code.",
                                         "это операционные инструменты с кодом документа."),
                         "incorrect": I18N("keep only group == 'operational' with a document code.",
                                           "оставьте group == 'operational' с кодом документа.")},
            "checker": {"type": "ids", "dataset": "instruments",
                        "where": {"group": "operational", "document_source_id": {"notnull": True}}},
            "basis": ["dataset instruments"],
        },
        {
            "id": "q2", "number": "90.2", "kind": "auto", "points": 1,
            "title": I18N("Number of capabilities", "Число возможностей"),
            "prompt": I18N("How many organisational capabilities does the article list?",
                           "Сколько организационных возможностей перечисляет статья?"),
            "hints": [I18N("Count the numbered list.", "Посчитайте нумерованный список.")],
            "feedback": {"correct": I18N("the article lists 13.", "в статье их 13."),
                         "incorrect": I18N("count again.", "посчитайте ещё раз.")},
            "checker": {"type": "number", "value": 13},
            "basis": ["article l.199-213"],
        },
        {
            "id": "q3", "number": "90.3", "kind": "open", "points": 3,
            "title": I18N("Essay", "Эссе"),
            "prompt": I18N("Explain the author's argument.", "Изложите аргумент автора."),
            "hints": [I18N("Definition, competencies, instruments.", "Определение, компетенции, инструменты.")],
            "feedback": {"correct": I18N("thank you.", "спасибо."), "incorrect": I18N("write more.", "напишите больше.")},
            "checker": {"type": "open", "min_words": 5,
                        "rubric": [{"points": 3, "criterion": I18N("names the three gaps", "называет три пробела")}]},
            "basis": ["article l.181"],
        },
    ],
}

SOLUTION_Q1 = (
    'ins = dcteach.load_dataset("instruments")\n'
    'answer_1 = set(ins.loc[(ins["group"] == "operational") & ins["document_source_id"].notna(), "id"])'
)


def source_notebook() -> nbformat.NotebookNode:
    """The lecturer source of ex90 (deterministic cell ids)."""
    cells = [
        new_markdown_cell("# Fixture exercise"),
        new_code_cell('import dcteach\nimport dcteach.exercises as dx\nex = dx.load("ex90")'),
        new_markdown_cell("**90.1** Which instruments of the operational group cite a WCO document?"),
        new_code_cell("answer_1 = ...\n### BEGIN SOLUTION\n" + SOLUTION_Q1 + "\n### END SOLUTION"),
        new_code_cell("ex.q1.check(answer_1)\n### BEGIN HIDDEN TESTS\nex.q1.grade(answer_1)\n### END HIDDEN TESTS"),
        new_code_cell("answer_2 = 13  # SOLUTION"),
        new_code_cell("ex.q2.check(answer_2)"),
        new_code_cell("### BEGIN HIDDEN TESTS\nex.q2.grade(answer_2)\n### END HIDDEN TESTS"),
        new_code_cell('essay_3 = ...\n### BEGIN SOLUTION\nessay_3 = """The author argues that digital customs lacks '
                      'a definition, competencies and instruments."""\n### END SOLUTION'),
        new_code_cell("### BEGIN HIDDEN TESTS\nex.q3.grade(essay_3)\n### END HIDDEN TESTS"),
    ]
    questions = [None, None, None, "q1", "q1", "q2", "q2", "q2", "q3", "q3"]
    for index, (cell, question) in enumerate(zip(cells, questions)):
        cell["id"] = f"ex90-c{index:02d}"
        if question:
            cell.metadata["dcteach"] = {"question": question}
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["dcteach"] = {"exercise": "ex90"}
    return nb


def make_tree(root: Path) -> Path:
    """Write ``banks/ex90.json`` and ``source/ex90_fixture.ipynb`` under ``root``."""
    (root / "banks").mkdir(parents=True, exist_ok=True)
    (root / "source").mkdir(parents=True, exist_ok=True)
    (root / "banks" / "ex90.json").write_text(json.dumps(BANK, ensure_ascii=False, indent=1), "utf-8")
    nbformat.write(source_notebook(), str(root / "source" / "ex90_fixture.ipynb"))
    return root
