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
