"""Agreement between coders: published worked examples, missing codings, undefined values."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from dcteach.assessment import (
    Agreement,
    coder_agreement,
    coding_counts,
    coding_matrix,
    cohen_kappa,
    disagreements,
    fleiss_kappa,
    krippendorff_alpha,
)
from dcteach.assessment import _agreement
from dcteach.coding import load_coding
from dcteach.data import core_dir


def _long(pairs: dict[tuple[str, str], int]) -> pd.DataFrame:
    """Two coders' codes from a contingency table {(code A, code B): number of segments}."""
    rows, k = [], 0
    for (a, b), n in pairs.items():
        for _ in range(n):
            rows += [(k, "A", a), (k, "B", b)]
            k += 1
    return pd.DataFrame(rows, columns=["segment_id", "coder", "code"])


def test_cohen_kappa_matches_the_published_worked_example():
    # Wikipedia, "Cohen's kappa", worked example: 50 grant proposals read by two readers,
    # 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no; p_o = 0.7, p_e = 0.5, kappa = 0.4.
    k = cohen_kappa(_long({("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15}))
    assert k == pytest.approx(0.4)
    assert (k.observed, k.expected, k.units, k.coders) == (pytest.approx(0.7), pytest.approx(0.5), 50, 2)
    assert k.defined and k.note == ""


# Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories;
# P-bar = 0.378, P_e = 0.213, kappa = 0.210.
FLEISS = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
          [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]


def test_fleiss_kappa_matches_the_published_worked_example():
    k = fleiss_kappa(pd.DataFrame(FLEISS))
    assert round(k, 3) == 0.210
    assert round(k.observed, 3) == 0.378 and round(k.expected, 3) == 0.213
    assert (k.units, k.coders) == (10, 14)


def test_fleiss_kappa_from_a_long_table_is_the_same():
    rows = [(s, f"R{r}", f"c{j}") for s, counts in enumerate(FLEISS)
            for j, n in enumerate(counts) for r in range(sum(counts[:j]), sum(counts[:j]) + n)]
    long = pd.DataFrame(rows, columns=["segment_id", "coder", "code"])
    assert coding_counts(long).to_numpy().tolist() == FLEISS
    assert fleiss_kappa(coding_counts(long)) == pytest.approx(fleiss_kappa(pd.DataFrame(FLEISS)))


KRIPPENDORFF_2011 = {"A": "1 2 3 3 2 1 4 1 2 . . .", "B": "1 2 3 3 2 2 4 1 2 5 . 3",
                     "C": ". 3 3 3 2 3 4 2 2 5 1 .", "D": "1 2 3 3 2 4 4 1 2 5 1 ."}


def _krippendorff_long() -> pd.DataFrame:
    return pd.DataFrame([(f"U{u:02d}", c, v) for c, vals in KRIPPENDORFF_2011.items()
                         for u, v in enumerate(vals.split()) if v != "."], columns=["segment_id", "coder", "code"])


def test_krippendorff_alpha_handles_skipped_segments_as_in_the_published_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 coders, 12 units,
    # missing values; nominal alpha = 0.743. Unit 12 has one value only (not pairable).
    a = krippendorff_alpha(_krippendorff_long())
    assert round(a, 3) == 0.743
    assert (a.units, a.coders) == (11, 4)


def test_the_nominal_formula_for_large_tables_equals_the_krippendorff_package(monkeypatch):
    rng = np.random.default_rng(7)
    n = 400
    truth = rng.integers(0, 6, n)
    rows = []
    for coder in "ABC":
        given = np.where(rng.random(n) < 0.6, truth, rng.integers(0, 6, n))
        rows += [(i, coder, f"K{given[i]}") for i in range(n) if rng.random() > 0.1]
    long = pd.DataFrame(rows, columns=["segment_id", "coder", "code"])
    by_package = krippendorff_alpha(long)
    monkeypatch.setattr(_agreement, "_PACKAGE_CELLS", 0)
    by_formula = krippendorff_alpha(long)
    assert by_formula == pytest.approx(by_package, abs=1e-12)
    assert by_formula.units == by_package.units


def test_one_double_coded_passage_is_reported_not_a_silent_nan():
    agree = pd.DataFrame({"segment_id": ["P1", "P1", "P2"], "coder": ["A", "B", "A"],
                          "code": ["EN-01", "EN-01", "EN-02"]})
    for k in (fleiss_kappa(coding_counts(agree)), cohen_kappa(agree), krippendorff_alpha(agree)):
        assert not k.defined and np.isnan(k)
        assert k.note.startswith("undefined: every answer is the same code (EN-01)"), k.note
        assert "undefined" in repr(k)
    disagree = agree.assign(code=["EN-01", "EN-02", "EN-02"])
    k = fleiss_kappa(coding_counts(disagree))
    assert k.defined and k == pytest.approx(-1.0) and k.units == 1


def test_no_segment_coded_twice_is_undefined_with_its_reason():
    single = pd.DataFrame({"segment_id": ["P1", "P2"], "coder": ["A", "B"], "code": ["x", "y"]})
    assert "no segment has two or more codings" in fleiss_kappa(coding_counts(single)).note
    assert "no segment has two or more codings" in krippendorff_alpha(single).note
    assert "no segment in common" in cohen_kappa(single).note


def test_agreement_is_a_float_that_pickles():
    k = cohen_kappa(_long({("x", "x"): 3, ("x", "y"): 1, ("y", "y"): 2}))
    back = pickle.loads(pickle.dumps(k))
    assert back == float(k) and back.units == 6 and back.statistic == "cohen_kappa"
    assert f"{k:.2f}" == f"{float(k):.2f}" and isinstance(k, float)


def test_two_codes_for_one_segment_by_one_coder_are_refused_by_name():
    bad = pd.DataFrame({"segment_id": ["S1", "S1", "S1"], "coder": ["A", "A", "B"], "code": ["x", "y", "x"]})
    with pytest.raises(ValueError, match=r"coder 'A' gave segment 'S1' more than one code \(x, y\)"):
        krippendorff_alpha(bad)


def test_cohen_needs_two_coders_or_a_pair():
    long = _krippendorff_long()
    with pytest.raises(ValueError, match="compares two coders; the table has 4"):
        cohen_kappa(long)
    pair = cohen_kappa(long, ("A", "B"))
    assert pair.units == 9  # the segments both coded
    with pytest.raises(ValueError, match="no coder 'Z'"):
        cohen_kappa(long, ("A", "Z"))


def test_disagreements_list_each_coders_code_and_skips():
    table = disagreements(_krippendorff_long())
    assert table.columns.tolist() == ["segment_id", "A", "B", "C", "D"]
    assert table["segment_id"].tolist() == ["U01", "U05", "U07"]
    assert table.set_index("segment_id").loc["U05"].tolist() == ["1", "2", "3", "4"]
    m = coding_matrix(_krippendorff_long())
    assert pd.isna(m.loc["U00", "C"]) and m.loc["U09", "A"] != m.loc["U09", "A"]


def test_the_worked_example_of_the_course():
    project = load_coding(core_dir() / "examples" / "coding_mozer")
    table = coder_agreement(project.codings).set_index("statistic")
    # 8 passages, 5 coded alike by both coders (see datasets/examples/coding_mozer/codings.csv)
    assert table.loc["cohen_kappa", "observed"] == pytest.approx(5 / 8)
    assert table.loc["cohen_kappa", "coders"] == "Coder A, Coder B"
    assert table["units"].tolist() == [8, 8, 8]
    assert disagreements(project.codings)["segment_id"].tolist() == ["SEG-02", "SEG-05", "SEG-07"]


def test_alpha_reports_its_observed_and_expected_agreement():
    # Krippendorff (2011) section C: n = 40 pairable values; alpha = 1 - D_o / D_e.
    a = krippendorff_alpha(_krippendorff_long())
    assert 0 < a.expected < a.observed < 1
    assert float(a) == pytest.approx(1 - (1 - a.observed) / (1 - a.expected))
