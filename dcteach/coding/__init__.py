"""Qualitative coding of documents against the article's taxonomy, stored in an extension.

Codes are the article's enablers (``EN-…``), priority areas (``PA-…``),
competency types (``CT-…``) and capabilities (``CAP-…``), or a researcher's own
codes extending them. Documents, segments (passages with provenance), the
codebook and the codings are Frictionless tables of an extension, checked by
``dcteach validate``; :func:`export_qdpx` writes a REFI-QDA project that
ATLAS.ti, MAXQDA, NVivo or QualCoder can open. Agreement between coders is in
:mod:`dcteach.assessment` (``coder_agreement``); the coding widget is
:class:`dcteach.widgets.CodingWidget`.

>>> from dcteach.data import core_dir
>>> project = load_coding(core_dir() / "examples" / "coding_mozer")
>>> project.codings.groupby("coder").size().to_dict()
{'Coder A': 8, 'Coder B': 8}
"""

from __future__ import annotations

from dcteach.coding._model import TABLES, TAXONOMY, CodingProject, add_coding, coding_schema, load_coding, record_coding
from dcteach.coding._qdpx import export_qdpx, qde_xml

__all__ = [
    "TABLES",
    "TAXONOMY",
    "CodingProject",
    "add_coding",
    "coding_schema",
    "export_qdpx",
    "load_coding",
    "qde_xml",
    "record_coding",
]
