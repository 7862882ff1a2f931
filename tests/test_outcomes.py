"""Learning outcomes ↔ assessment (``notebooks/outcomes/*.json``, ``dcteach/_outcomes.py``).

- every outcome is assessed, and every item it names exists (quiz question, *Your turn* task,
  exercise question, rubric criterion);
- at least half of the outcomes, and at least 40% of the automatically assessed points, are at
  apply level or above (over whatever outcome files exist);
- each notebook 01–08 has an analyse or evaluate outcome that an item or a rubric criterion assesses;
- no exercise item repeats a quiz item (same expected answer, or a near-identical prompt);
- the map in ``notebooks/README.md`` is the one the data generate;
- notebooks 00–04 follow the Carpentries structure and have their *Your turn* cells;
- hints are graded and never hold the solution; essays have distinct hints and four-level rubrics.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import pytest

from dcteach import _outcomes as oc

REPO = Path(__file__).resolve().parent.parent
OUTCOMES = REPO / "notebooks" / "outcomes"
BANKS = REPO / "exercises" / "banks"
FIRST_HALF = ["00", "01", "02", "03", "04"]
SECOND_HALF = ["05", "06", "07", "08", "09"]


@pytest.fixture(scope="module")
def docs():
    return oc.load_outcomes(OUTCOMES)


@pytest.fixture(scope="module")
def index():
    return oc.item_index(REPO)


def _outcomes(docs):
    return [o for doc in docs for o in doc["outcomes"]]


def test_the_first_half_has_outcome_files_and_the_second_half_all_or_none():
    present = {p.stem for p in OUTCOMES.glob("[0-9][0-9].json")}
    assert set(FIRST_HALF) <= present
    second = present & set(SECOND_HALF)
    if second:  # once notebooks 05–09 get outcomes, every one of them must have its file
        course = {p.name[:2] for p in (REPO / "notebooks").glob("0[5-9]_*.ipynb")}
        assert course <= present, f"notebooks without outcomes: {sorted(course - present)}"


def test_every_outcome_names_only_items_that_exist(docs, index):
    missing = [(o["id"], ref) for o in _outcomes(docs) for ref in o["assessed_by"] if ref not in index]
    assert not missing, f"outcomes refer to items that do not exist: {missing}"


def test_no_outcome_is_unassessed(docs, index):
    unassessed = [o["id"] for o in _outcomes(docs) if not any(ref in index for ref in o["assessed_by"])]
    assert not unassessed


def test_outcome_ids_are_unique(docs):
    ids = [o["id"] for o in _outcomes(docs)]
    assert len(ids) == len(set(ids))


def test_at_least_half_of_the_outcomes_are_apply_or_above(docs, index):
    s = oc.summary(docs, index)
    assert s["higher_order_outcomes"] * 2 >= s["outcomes"], s["by_level"]


def test_at_least_40_percent_of_the_automatic_points_are_apply_or_above(docs, index):
    s = oc.summary(docs, index)
    assert s["auto_points_total"] > 0
    assert s["auto_points_higher_order"] >= 0.4 * s["auto_points_total"], s["auto_points"]


def test_each_notebook_01_to_08_has_a_really_assessed_analyse_or_evaluate_outcome(docs, index):
    for doc in docs:
        if not "01" <= doc["notebook"] <= "08":
            continue
        high = [o for o in doc["outcomes"] if o["bloom"] in ("analyse", "evaluate")
                and any(ref in index and index[ref].kind in ("quiz", "practice", "exercise", "rubric")
                        for ref in o["assessed_by"])]
        assert high, f"notebook {doc['notebook']}: no analyse/evaluate outcome assessed by an item"


def test_an_item_counts_at_the_lowest_level_that_references_it():
    fake = [{"notebook": "01", "outcomes": [
        {"id": "LO01.1", "bloom": "evaluate", "text": "t", "assessed_by": ["quiz:nb01:q", "practice:p01:q1"]},
        {"id": "LO01.2", "bloom": "remember", "text": "t", "assessed_by": ["quiz:nb01:q"]}]}]
    index = {"quiz:nb01:q": oc.Item("quiz:nb01:q", "quiz", 1.0, True),
             "practice:p01:q1": oc.Item("practice:p01:q1", "practice", 1.0, True)}
    s = oc.summary(fake, index)
    assert s["auto_points"]["remember"] == 1.0 and s["auto_points"]["evaluate"] == 1.0
    assert s["auto_points_higher_order"] == 1.0


# --- duplicates between exercises and quizzes ---------------------------------------------------

def _norm_prompt(text: str) -> str:
    return re.sub(r"[`*_'\"“”‘’()]", "", text).lower().strip()


def _nn(ref: str) -> str:
    return re.search(r":(?:nb|ex|p)(\d{2}):", ref)[1]


def duplicates(index: dict, notebooks: set[str] | None = None) -> list[tuple[str, str, str]]:
    """Pairs (exercise item, quiz item, why) that ask the same thing.

    Duplicate means: the same expected answer as a quiz question of the same notebook (a count,
    a number, an accepted text, the right option), or a prompt at least 75% alike to any quiz
    question. Only exercises of ``notebooks`` are examined (None: all).
    """
    quiz = [i for i in index.values() if i.kind == "quiz"]
    found = []
    for ex in (i for i in index.values() if i.kind == "exercise" and i.auto):
        if notebooks is not None and _nn(ex.ref) not in notebooks:
            continue
        for q in quiz:
            if (ex.answer is not None and q.answer is not None and type(ex.answer) is type(q.answer)
                    and _nn(ex.ref) == _nn(q.ref)):
                same = ex.answer == q.answer if isinstance(ex.answer, float) else bool(ex.answer & q.answer)
                if same:
                    found.append((ex.ref, q.ref, f"same answer {ex.answer!r}"))
                    continue
            ratio = difflib.SequenceMatcher(None, _norm_prompt(ex.prompt), _norm_prompt(q.prompt)).ratio()
            if ratio >= 0.75:
                found.append((ex.ref, q.ref, f"prompts {ratio:.0%} alike"))
    return found


def test_no_exercise_item_duplicates_a_quiz_item(docs, index):
    # the exercises of every notebook that has an outcomes file (the map's scope)
    assert not duplicates(index, {doc["notebook"] for doc in docs})


def test_the_duplicate_rule_catches_a_repeated_answer_and_a_reworded_prompt():
    index = {
        "quiz:nb02:n": oc.Item("quiz:nb02:n", "quiz", 1, True, "How many priority areas does the article list?", 7.0),
        "exercise:ex02:q2": oc.Item("exercise:ex02:q2", "exercise", 1, True, "Count the rows of priority_areas.", 7.0),
        "quiz:nb03:k": oc.Item("quiz:nb03:k", "quiz", 1, True, "What does the scientific community know about competencies?",
                               {"nothing"}),
        "exercise:ex03:q3": oc.Item("exercise:ex03:q3", "exercise", 1, True,
                                    "What does the scientific community know today about the competencies?", {"b-text"}),
        "exercise:ex03:q9": oc.Item("exercise:ex03:q9", "exercise", 1, True, "Something else entirely, computed.", 64.0),
        "exercise:ex04:q1": oc.Item("exercise:ex04:q1", "exercise", 1, True, "How many action-plan areas?", 7.0),
    }
    pairs = {(a, b) for a, b, _ in duplicates(index)}
    assert pairs == {("exercise:ex02:q2", "quiz:nb02:n"), ("exercise:ex03:q3", "quiz:nb03:k")}


# --- the generated map ---------------------------------------------------------------------------

def test_the_readme_map_is_up_to_date(docs, index):
    readme = (REPO / "notebooks" / "README.md").read_text(encoding="utf-8")
    assert oc.render_map(docs, index) in readme, "run: python -m dcteach._maintain --outcomes"


def test_write_readme_replaces_only_the_block_between_the_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"before\n{oc.BEGIN}\nold\n{oc.END}\nafter\n", encoding="utf-8")
    assert oc.write_readme(readme, f"{oc.BEGIN}\nnew\n{oc.END}") is True
    assert readme.read_text(encoding="utf-8") == f"before\n{oc.BEGIN}\nnew\n{oc.END}\nafter\n"
    assert oc.write_readme(readme, f"{oc.BEGIN}\nnew\n{oc.END}") is False


def test_a_readme_without_markers_gets_a_located_error(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(oc.OutcomesError, match=r"README\.md: the outcomes map markers are missing"):
        oc.write_readme(readme, "x")


def test_a_bad_outcomes_file_gets_a_located_error(tmp_path):
    (tmp_path / "outcomes.schema.json").write_text((OUTCOMES / "outcomes.schema.json").read_text("utf-8"), "utf-8")
    (tmp_path / "02.json").write_text(json.dumps({"notebook": "02", "outcomes": [
        {"id": "LO02.1", "bloom": "knowing", "text": "t", "assessed_by": ["quiz:nb02:x"]}]}), "utf-8")
    with pytest.raises(oc.OutcomesError, match=r"02\.json: outcomes/0/bloom: .knowing. is not one of"):
        oc.load_outcomes(tmp_path)
    (tmp_path / "02.json").write_text(json.dumps({"notebook": "03", "outcomes": [
        {"id": "LO02.1", "bloom": "apply", "text": "t", "assessed_by": ["quiz:nb02:x"]}]}), "utf-8")
    with pytest.raises(oc.OutcomesError, match="must match"):
        oc.load_outcomes(tmp_path)


# --- notebooks 00–04: Carpentries structure and Your-turn cells ---------------------------------

def _notebook(nn: str) -> tuple[str, list[str]]:
    path = next((REPO / "notebooks").glob(f"{nn}_*.ipynb"))
    nb = json.loads(path.read_text(encoding="utf-8"))
    md = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    return md, code


@pytest.mark.parametrize("nn", FIRST_HALF + SECOND_HALF)
def test_carpentries_structure(nn):
    md, _ = _notebook(nn)
    for part in ("**Questions**", "**Learning objectives**", "**Prerequisites.**", "## Key points"):
        assert part in md, f"notebook {nn} lacks {part}"
    time = re.search(r"\*\*Estimated time:\*\* (\d+) minutes — teaching (\d+), exercises (\d+)", md)
    assert time and int(time[1]) == int(time[2]) + int(time[3]), "time split must add up"
    assert md.index("## Key points") > md.index("For discussion"), "key points close the notebook"


@pytest.mark.parametrize("nn", FIRST_HALF)
def test_your_turn_cells_check_themselves_against_the_practice_bank(nn):
    md, code = _notebook(nn)
    bank = json.loads((BANKS / f"p{nn}.json").read_text(encoding="utf-8"))
    assert any(f'dx.load("p{nn}", lang=LANG)' in c for c in code)
    checked = [m for c in code for m in re.findall(r"p\.(q\d+)\.check\(\w+, lang=LANG\)", c)]
    assert len(checked) >= 2 and len(checked) == len(set(checked))
    assert set(checked) == {q["id"] for q in bank["questions"]}, "each practice task has its cell"
    assert md.count("**Your turn") >= 2


@pytest.mark.parametrize("nn", FIRST_HALF[1:])
def test_the_practice_goes_from_a_filter_to_a_function(nn):
    bank = json.loads((BANKS / f"p{nn}.json").read_text(encoding="utf-8"))
    questions = bank["questions"]
    assert "call" not in questions[0]["checker"], "the first task is a plain filter"
    assert "call" in questions[-1]["checker"] or nn == "04" and any("call" in q["checker"] for q in questions)


# --- hints and rubrics ---------------------------------------------------------------------------

def _banks(prefix: str):
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(BANKS.glob(f"{prefix}[0-9][0-9].json"))]


def _code_lines(code: str) -> list[str]:
    return [re.sub(r"\s+", "", line) for line in code.splitlines() if len(line.strip()) >= 12]


@pytest.mark.parametrize("nn", FIRST_HALF)
def test_practice_hints_are_graded_and_never_give_the_code(nn):
    bank = json.loads((BANKS / f"p{nn}.json").read_text(encoding="utf-8"))
    for q in bank["questions"]:
        assert len(q["hints"]) >= 2, f"{q['id']}: a nudge, then the method"
        assert q.get("solution"), f"{q['id']}: the code lives in the lecturer-only solution field"
        for hint in q["hints"]:
            for lang in ("en", "ru"):
                flat = re.sub(r"\s+", "", hint[lang])
                leaked = [line for line in _code_lines(q["solution"]) if line in flat]
                assert not leaked, f"p{nn} {q['id']}: a hint holds solution code {leaked}"


@pytest.mark.parametrize("nn", FIRST_HALF[1:])
def test_exercise_hints_never_give_the_code(nn):
    source = next((REPO / "exercises" / "source").glob(f"ex{nn}_*.ipynb"))
    nb = json.loads(source.read_text(encoding="utf-8"))
    solutions = "\n".join(
        "".join(c["source"]).split("### BEGIN SOLUTION")[-1].split("### END SOLUTION")[0]
        for c in nb["cells"] if "### BEGIN SOLUTION" in "".join(c["source"]))
    lines = [line for line in _code_lines(solutions) if not line.startswith(("essay_", "\"\"\""))]
    bank = json.loads((BANKS / f"ex{nn}.json").read_text(encoding="utf-8"))
    for q in bank["questions"]:
        for hint in q["hints"]:
            flat = re.sub(r"\s+", "", hint["en"])
            assert not [line for line in lines if line in flat], f"ex{nn} {q['id']}: a hint holds solution code"


def test_every_essay_has_its_own_hints_and_a_four_level_rubric():
    """Every essay of every exercise (ex01–ex09): distinct first hints, a second hint, a model
    answer, marking notes, and criteria c1, c2… with four rising levels that end at full points."""
    first_hints = []
    for bank in _banks("ex"):
        for q in (q for q in bank["questions"] if q["kind"] == "open"):
            first_hints.append(q["hints"][0]["en"])
            assert len(q["hints"]) >= 2, f"{bank['id']} {q['id']}: one hint only"
            assert q.get("model_answer") and q.get("marking_notes"), f"{bank['id']} {q['id']}"
            rubric = q["checker"]["rubric"]
            assert [c["id"] for c in rubric] == [f"c{i}" for i in range(1, len(rubric) + 1)]
            assert sum(c["points"] for c in rubric) == q["points"]
            for c in rubric:
                points = [lv["points"] for lv in c["levels"]]
                assert len(points) == 4 and points == sorted(points) and len(set(points)) == 4
                assert points[0] == 0 and points[-1] == c["points"]
            words = len(re.findall(r"\w+", q["model_answer"]["en"]))
            assert words >= q["checker"]["min_words"], f"{bank['id']} {q['id']}: model answer too short"
    assert len(first_hints) == len(set(first_hints)) >= 4, "essays share a first hint"


# --- the instructor's guide ----------------------------------------------------------------------

GUIDE = REPO / "docs" / "instructor"


@pytest.mark.parametrize("nn", FIRST_HALF)
def test_the_guide_answers_every_discussion_question(nn):
    md, _ = _notebook(nn)
    discussion = md.split("## For discussion", 1)[1].split("##", 1)[0]
    numbers = re.findall(r"^(\d+)\. ", discussion, flags=re.M)
    guide = (GUIDE / f"{nn}.md").read_text(encoding="utf-8")
    assert numbers, f"notebook {nn} has no discussion questions"
    missing = [n for n in numbers if f"**{n}. " not in guide]
    assert not missing, f"docs/instructor/{nn}.md lacks model answers for questions {missing}"
    assert "## Common misconceptions" in guide


@pytest.mark.parametrize("nn", FIRST_HALF[1:])
def test_the_guide_quotes_the_banks_rubrics_and_model_answers(nn):
    guide = (GUIDE / f"{nn}.md").read_text(encoding="utf-8")
    bank = json.loads((BANKS / f"ex{nn}.json").read_text(encoding="utf-8"))
    for q in (q for q in bank["questions"] if q["kind"] == "open"):
        assert q["model_answer"]["en"] in guide and q["marking_notes"]["en"] in guide
        for c in q["checker"]["rubric"]:
            for level in c["levels"]:
                assert level["descriptor"]["en"] in guide, f"{nn}: rubric {c['id']} differs from the bank"


def test_the_guide_indexes_every_notebook_and_stays_out_of_the_student_release():
    index = (GUIDE / "README.md").read_text(encoding="utf-8")
    for nn in FIRST_HALF + SECOND_HALF:
        assert f"]({nn}.md)" in index
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    shipped = re.findall(r'^"([^"]+)" = "dcteach/', pyproject, flags=re.M)
    assert shipped and not any(p.startswith("docs") for p in shipped)
    student = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "exercises" / "student").glob("*.ipynb"))
    for nn in FIRST_HALF[1:]:
        bank = json.loads((BANKS / f"ex{nn}.json").read_text(encoding="utf-8"))
        for q in (q for q in bank["questions"] if q.get("model_answer")):
            assert q["model_answer"]["en"][:80] not in student
