"""dcteach: digital customs and WCO capacity building, as data, widgets and a course.

The public API is small; everything else lives in private modules.

>>> import dcteach as dc
>>> "instruments" in dc.list_datasets()
True
>>> dc.load_dataset("enablers").shape[0]
7

Widgets and plots import matplotlib and ipywidgets only when first used, so
``import dcteach`` stays cheap.
"""

from __future__ import annotations

import importlib

from dcteach._errors import DatasetError, DcteachError
from dcteach.cite import cite  # eager: a lazy function would be shadowed by the submodule
from dcteach.data import describe, list_datasets, load_dataset
from dcteach import _extension  # noqa: E402,F401  registers load_dataset(extra=) and describe(extra=)

__version__ = "0.1.0"

__all__ = [
    "DatasetError",
    "DcteachError",
    "__version__",
    "cite",
    "describe",
    "exercises",
    "list_datasets",
    "load_dataset",
    "plots",
    "validate",
    "widgets",
]

# Submodules and functions loaded on first access (PEP 562) to keep import fast.
_LAZY = {
    "plots": ("dcteach.plots", None),
    "widgets": ("dcteach.widgets", None),
    "exercises": ("dcteach.exercises", None),
    "validate": ("dcteach.validate", None),
}


def __getattr__(name: str):
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'dcteach' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = getattr(module, attr) if attr else module
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
