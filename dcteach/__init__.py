"""dcteach: digital customs and WCO capacity building, as data, widgets and a course.

The public API is small; everything else lives in private modules.

>>> import dcteach as dc
>>> "instruments" in dc.list_datasets()
True
>>> dc.load_dataset("enablers").shape[0]
7
>>> [name for name in dir(dc) if not name.startswith("__")][:4]
['DatasetError', 'DcteachError', 'UnknownDatasetError', 'UsageError']

Widgets and plots import matplotlib and ipywidgets only when first used, so
``import dcteach`` stays cheap. Errors are :class:`DcteachError` subclasses and
name themselves ``dcteach.UsageError`` etc. (see ``dcteach/_errors.py``).

In a notebook, importing dcteach also gives every matplotlib figure shown
there a text alternative (an HTML ``<img alt>``; see :mod:`dcteach.plots`).
"""

from dcteach._errors import DatasetError, DcteachError, UnknownDatasetError, UsageError
from dcteach._tables import table
from dcteach.cite import cite  # eager: a lazy function would be shadowed by the submodule
from dcteach.data import describe, list_datasets, load_dataset
from dcteach import _extension  # noqa: E402,F401  registers load_dataset(extra=) and describe(extra=)
from dcteach import _display, data as _data  # noqa: E402

# load_dataset(lang="ru") shows Russian column headers in IPython (data.py may not import _display)
if _display.register not in _data._DISPLAY_HOOKS:
    _data._DISPLAY_HOOKS.append(_display.register)
del _data

__version__ = "0.1.0"

__all__ = [
    "DatasetError",
    "DcteachError",
    "UnknownDatasetError",
    "UsageError",
    "__version__",
    "cite",
    "describe",
    "exercises",
    "list_datasets",
    "load_dataset",
    "plots",
    "table",
    "validate",
    "widgets",
]

# Submodules loaded on first access (PEP 562) to keep import fast.
_LAZY = {"plots", "widgets", "exercises", "validate"}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'dcteach' has no attribute {name!r}")
    import importlib

    module = importlib.import_module(f"dcteach.{name}")
    globals()[name] = module
    return module


def __dir__():
    return sorted(__all__)


def _figure_bundle(fig):
    if not hasattr(fig, "savefig") or getattr(fig, "canvas", None) is None or fig is not fig.figure:
        return None  # a SubFigure: shown through its parent figure
    from dcteach.plots import figure_bundle

    return figure_bundle(fig)


def _register_figure_alt_text() -> None:
    """In IPython, show matplotlib figures as ``<img alt>``, drawn once (no matplotlib import here).

    A figure's display is :func:`dcteach.plots.figure_bundle`: one drawing at
    twice the resolution, as an ``<img>`` with a text alternative and as the
    same PNG. It is IPython's *mime-bundle* formatter for figures, used for every
    type that no per-type formatter claims; so the inline backend's own PNG
    formatter, which would draw the figure again, is turned off:
    ``InlineBackend.figure_formats`` is set empty, in the shell's configuration
    (read when the backend starts) and, if the backend has started, in the
    running one. ``set_matplotlib_formats("png")`` (from
    ``matplotlib_inline.backend_inline``) turns it back on.
    """
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    # registered for the base class: `%matplotlib inline` pops the formatters of Figure itself
    # (IPython's select_figure_formats), which would drop ours if run after `import dcteach`
    shell.display_formatter.mimebundle_formatter.for_type_by_name("matplotlib.figure", "FigureBase", _figure_bundle)
    shell.config.InlineBackend.figure_formats = set()
    inline = sys.modules.get("matplotlib_inline.config")
    if inline is not None and inline.InlineBackend.initialized():
        backend = inline.InlineBackend.instance()
        backend.figure_formats = set()
        if "matplotlib.figure" in sys.modules:
            from IPython.core.pylabtools import select_figure_formats

            select_figure_formats(shell, set())


_register_figure_alt_text()
