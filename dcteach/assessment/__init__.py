"""Self-assessment, competency classification and agreement between coders: data, files, statistics (pure functions).

Agreement between coders (Cohen's κ, Fleiss' κ, Krippendorff's α and the list
of disagreements) is computed from a long codings table, as an extension's
``codings`` table holds it (see :mod:`dcteach.coding`).

The competency classification (13 capabilities and 7 action-plan areas into
strategic / core / key / leading) has no answer key: the article leaves it open.


The 0–4 scale (``scale.json``) is editorial: our scale, inspired by common
maturity models, not from the article. The items are the article's 7 enablers
and 13 capabilities. An assessment is ``(name, {item id: level})``; it is saved
as JSON (checked against ``assessment.schema.json``) or CSV (``id,score,name``).
Writes are atomic; reading a corrupt or foreign file raises
:class:`AssessmentFileError` naming the file, the row or key, the column, what
is wrong and how to fix it.

Examples
--------
>>> [lvl["name"]["en"] for lvl in load_scale()["levels"]][:2]
['Absent', 'Initial']
>>> items = assessment_items("en")
>>> len(items), items["id"].iloc[0], items["id"].iloc[-1]
(20, 'EN-01', 'CAP-13')
>>> scores = dict.fromkeys(items["id"], 2)
>>> name, back = assessment_from_json(assessment_to_json("Demo", scores), "demo.json")
>>> name, back == scores
('Demo', True)
"""

from __future__ import annotations

from dcteach.assessment._agreement import (
    Agreement,
    coder_agreement,
    coding_counts,
    coding_matrix,
    cohen_kappa,
    disagreements,
    fleiss_kappa,
    krippendorff_alpha,
)
from dcteach.assessment._classify import (
    ClassificationFileError,
    agreement,
    classification_from_json,
    classification_items,
    classification_to_json,
    competency_types,
    load_class_folder,
    load_classification,
    save_classification,
    type_distribution,
)
from dcteach.assessment._files import (
    AssessmentFileError,
    assessment_from_csv,
    assessment_from_json,
    assessment_items,
    assessment_to_csv,
    assessment_to_json,
    load_assessment,
    load_scale,
    save_assessment,
)

__all__ = [
    "Agreement",
    "AssessmentFileError",
    "coder_agreement",
    "coding_counts",
    "coding_matrix",
    "cohen_kappa",
    "disagreements",
    "krippendorff_alpha",
    "ClassificationFileError",
    "agreement",
    "classification_from_json",
    "classification_items",
    "classification_to_json",
    "competency_types",
    "fleiss_kappa",
    "load_class_folder",
    "load_classification",
    "save_classification",
    "type_distribution",
    "assessment_from_csv",
    "assessment_from_json",
    "assessment_items",
    "assessment_to_csv",
    "assessment_to_json",
    "load_assessment",
    "load_scale",
    "save_assessment",
]
