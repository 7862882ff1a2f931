"""The terminology table (datasets/terminology.csv) and the texts checked against it.

The UI catalogue, every notebook PO file and the Russian columns of the data
package must use the preferred Russian terms; a rejected variant (in its context)
fails with the place and the preferred term.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import dcteach as dc
from dcteach import _locales
from dcteach._terminology import _split, deviations

REPO = Path(__file__).resolve().parent.parent


def _strings(message) -> str:
    return " ".join(message.string) if isinstance(message.string, (list, tuple)) else message.string


def test_table_is_editorial_and_well_formed():
    df = dc.load_dataset("terminology")
    assert set(df["basis"].astype(str)) == {"editorial"}, "our translation choices are editorial"
    for row in df.itertuples():
        rejected = _split(row.rejected_ru)
        assert row.name_ru not in rejected, row.id
        assert not deviations(row.name_ru) or row.applies_when, f"{row.id}: the preferred term is rejected"


def test_checker_flags_mixed_terms_and_respects_context():
    assert [d.term_id for d in deviations("Приоритет 1: связанность.")] == ["TERM-04"]
    assert deviations("Приоритет 1: связность.") == []
    assert [d.term_id for d in deviations("таможенные администрации государств — членов ЕАЭС")] == ["TERM-03"]
    assert deviations("таможенные администрации стран — членов ВТамО") == []
    assert [d.term_id for d in deviations("создан НИД")] == ["TERM-12"]
    assert deviations("внедрение неинтрузивного досмотра") == []


def test_ui_catalogue_uses_the_preferred_terms():
    cat = _locales.read_catalog(_locales.po_path("ru"), locale="ru")
    found = [(m.context, d.found, d.preferred) for m in cat if m.id for d in deviations(_strings(m))]
    assert found == []


@pytest.mark.parametrize("po", sorted((REPO / "notebooks" / "locales" / "ru").glob("*.po")), ids=lambda p: p.stem)
def test_notebook_translations_use_the_preferred_terms(po):
    cat = _locales.read_catalog(po, locale="ru")
    found = [(m.locations[:1], d.found, d.preferred) for m in cat if m.id for d in deviations(_strings(m))]
    assert found == []


@pytest.mark.parametrize("name", [n for n in dc.list_datasets() if n != "terminology"])
def test_russian_columns_of_the_data_use_the_preferred_terms(name):
    """Flags rows of the data package (one row = one text) that use a rejected variant."""
    df = dc.load_dataset(name)
    cols = [c for c in df.columns if c.endswith("_ru")]
    found = [(row["id"], d.found, d.preferred) for _i, row in df.iterrows()
             for d in deviations(" ".join(str(row[c]) for c in cols if isinstance(row[c], str)))]
    assert found == []
