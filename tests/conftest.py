"""Shared pytest configuration and fixtures. Keep additions small and self-contained."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")  # headless plots in widget and plot tests

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
#: The source article: shared/ lies beside the checkout in development and in CI.
SEED = Path(
    os.environ.get("DCTEACH_SEED", REPO.parent / "shared" / "seed" / "000_b088eb67a9465a5d.txt")
)


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every matplotlib figure a test opened (only if matplotlib was imported)."""
    yield
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")


@pytest.fixture(scope="session")
def seed_lines():
    """Lines of the article's English web copy (split on newlines only, as the locators count)."""
    if not SEED.is_file():
        pytest.skip(f"the article's text is not available at {SEED} (set DCTEACH_SEED)")
    return SEED.read_text(encoding="utf-8").split("\n")


@pytest.fixture
def core_copy(tmp_path, monkeypatch):
    """A private copy of the core data package, read by ``dcteach.data`` instead of the real one.

    Tests may corrupt files in it freely; clear ``dcteach.data._descriptor``'s
    cache after editing ``datapackage.json``.
    """
    import dcteach.data as data

    copy = tmp_path / "datasets"
    shutil.copytree(data.core_dir(), copy)
    monkeypatch.setattr(data, "core_dir", lambda: copy)
    data._descriptor.cache_clear()
    yield copy
    data._descriptor.cache_clear()
