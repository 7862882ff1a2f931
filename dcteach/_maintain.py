"""Maintainer tool: refresh ``bytes`` and ``hash`` of the core data package.

After a deliberate correction of a core CSV (recorded in CHANGELOG.md), run::

    python -m dcteach._maintain datasets/

It rewrites ``datapackage.json`` atomically, changing nothing but the
``bytes`` and ``hash`` of resources whose files changed, and prints them.

After a change to the data or the package, re-execute the course notebooks
(their stored outputs are what nbval compares) with ``make notebooks``, i.e.::

    python -m dcteach._maintain --notebooks notebooks/*.ipynb

Saved widget state is dropped: it holds random ids and JupyterLab does not
re-render it anyway.

After editing ``notebooks/outcomes/*.json``, regenerate the outcomes map of
``notebooks/README.md`` with::

    python -m dcteach._maintain --outcomes

Translations (see ``docs/translators.md``)::

    python -m dcteach._maintain --locales            # UI: .pot -> .po (fuzzy on change) -> .mo
    python -m dcteach._maintain --locales --import-json en.json ru.json   # merge old JSON catalogues
    python -m dcteach._maintain --translate update   # notebooks: English -> notebooks/locales/ru/*.po
    python -m dcteach._maintain --translate build    # notebooks/ru/*.ipynb from source + PO, executed
    python -m dcteach._maintain --translate check    # fails on missing, fuzzy or out-of-step entries
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from dcteach._atomic import atomic_write_text

__all__ = ["execute_notebook", "rehash"]


def rehash(folder: str | Path) -> list[str]:
    """Update checksums in ``folder/datapackage.json``; return the changed resource names."""
    folder = Path(folder)
    path = folder / "datapackage.json"
    desc = json.loads(path.read_text(encoding="utf-8"))
    changed = []
    for res in desc["resources"]:
        data = (folder / res["path"]).read_bytes()
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        if res.get("hash") != digest or res.get("bytes") != len(data):
            res["hash"], res["bytes"] = digest, len(data)
            changed.append(res["name"])
    if changed:
        atomic_write_text(path, json.dumps(desc, ensure_ascii=False, indent=2) + "\n")
    return changed


def execute_notebook(path: str | Path, *, timeout: int = 300) -> None:
    """Run a notebook top to bottom in its folder and save it with its outputs."""
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    nb.metadata.pop("widgets", None)
    atomic_write_text(path, nbformat.writes(nb) + "\n")


if __name__ == "__main__":  # pragma: no cover
    if sys.argv[1:2] == ["--locales"]:
        from dcteach import _locales

        if sys.argv[2:3] == ["--import-json"]:
            print("added:", ", ".join(_locales.import_json(Path(sys.argv[3]), Path(sys.argv[4]))) or "nothing")
        for changed in _locales.update():
            print(f"updated {changed}")
    elif sys.argv[1:2] == ["--translate"]:
        from dcteach import _nbtranslate

        sys.exit(_nbtranslate.main(sys.argv[2:]))
    elif sys.argv[1:2] == ["--notebooks"]:
        for nb_path in sys.argv[2:]:
            print(f"executing {nb_path}", flush=True)
            execute_notebook(nb_path)
    elif sys.argv[1:2] == ["--outcomes"]:
        from dcteach._outcomes import main

        sys.exit(main())
    else:
        for name in rehash(sys.argv[1] if len(sys.argv) > 1 else "datasets"):
            print(f"updated checksum of {name}")
