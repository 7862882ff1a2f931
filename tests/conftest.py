"""Shared pytest configuration."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")  # headless plots in widget and plot tests

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every matplotlib figure a test opened (only if matplotlib was imported)."""
    yield
    import sys

    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")


@pytest.fixture
def core_copy(tmp_path, monkeypatch):
    """A private copy of the core data package, read by ``dcteach.data`` instead of the real one.

    Tests may corrupt files in it freely; clear ``dcteach.data._descriptor``'s
    cache after editing ``datapackage.json``.
    """
    import shutil

    import dcteach.data as data

    copy = tmp_path / "datasets"
    shutil.copytree(data.core_dir(), copy)
    monkeypatch.setattr(data, "core_dir", lambda: copy)
    data._descriptor.cache_clear()
    yield copy
    data._descriptor.cache_clear()


@pytest.fixture(scope="session")
def seed_lines():
    """Lines of the article's English web copy (``$DCTEACH_SEED`` or the shared seed); skip if absent."""
    from pathlib import Path

    path = Path(os.environ.get("DCTEACH_SEED", "/work/shared/seed/000_b088eb67a9465a5d.txt"))
    if not path.is_file():
        pytest.skip(f"the article's text is not available at {path}")
    return path.read_text(encoding="utf-8").splitlines()
