"""The wheel ships the data package and the course, and loads the same tables.

Builds the wheel, installs it (without dependencies) into a fresh virtual
environment, and imports it there with this environment's dependencies on
PYTHONPATH (plain path entries: the editable install's .pth hook is not run),
from a folder outside the checkout.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

import dcteach as dc

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(REPO)],
        check=True, capture_output=True,
    )
    (whl,) = out.glob("dcteach-*.whl")
    return whl


def test_wheel_contents(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for r in json.loads((REPO / "datasets" / "datapackage.json").read_text(encoding="utf-8"))["resources"]:
        assert f"dcteach/datasets/{r['path']}" in names
    assert "dcteach/datasets/datapackage.json" in names
    assert any(n.startswith("dcteach/notebooks/") and n.endswith(".ipynb") for n in names) or not list(
        (REPO / "notebooks").glob("*.ipynb")
    )
    assert not any("__pycache__" in n for n in names)
    # the Russian course and the compiled message catalogues (docs/translators.md)
    for nb in (REPO / "notebooks" / "ru").glob("*.ipynb"):
        assert f"dcteach/notebooks/ru/{nb.name}" in names
    for lang in ("en", "ru"):
        assert f"dcteach/locales/{lang}/LC_MESSAGES/dcteach.mo" in names


def test_installed_wheel_loads_every_table(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run([py, "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True, capture_output=True)
    code = (
        "import json, dcteach as dc\n"
        "print(json.dumps({'file': dc.__file__, 'core': str(dc.data.core_dir()),"
        " 'rows': {n: len(dc.load_dataset(n)) for n in dc.list_datasets()},"
        " 'ru': str(dc.load_dataset('instruments', lang='ru')['group'].iloc[0]),"
        " 'bib': dc.cite(['SRC-ART']).splitlines()[0]}))\n"
    )
    deps = sysconfig.get_paths()["purelib"]
    proc = subprocess.run(
        [py, "-c", code], capture_output=True, text=True, cwd=tmp_path,
        env={"PYTHONPATH": deps, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["file"].startswith(str(env_dir)), "imported the checkout, not the wheel"
    assert got["core"].startswith(str(env_dir))
    assert got["rows"] == {n: len(dc.load_dataset(n)) for n in dc.list_datasets()}
    assert got["ru"] == "стратегические"
    assert got["bib"] == "@article{SRC-ART,"
