"""pytest plugin of dcteach's test suite, named in ``addopts`` (``-p dcteach._pytest_plugin``).

pytest imports the plugins named with ``-p`` before those it finds installed,
in the main process and in every pytest-xdist worker. This one trims two costs
of the notebook run (``benchmarks/bench_notebooks.py``) that are the tools',
not the course's; it defines no hooks.

* It imports jsonschema the way dcteach does
  (:func:`dcteach._jsondoc.import_jsonschema`) before nbval's plugin imports
  nbformat, which imports jsonschema: otherwise each pytest process spends
  about 2.5 CPU seconds building grammars for two string formats that no
  schema of the course or of Jupyter's notebook format uses.
* nbval 0.11 logs every kernel message at debug level with
  ``logger.debug("...", pformat(msg))``: the message is pretty-printed even
  when debug logging is off, about a CPU second for a notebook with widgets.
  :class:`LazyPformat` stands in for that ``pformat``: it formats the message
  only when a handler writes the record (``--log-level=DEBUG`` still shows it).
"""

from __future__ import annotations

import pprint

from dcteach._jsondoc import import_jsonschema


class LazyPformat:
    """``pprint.pformat(obj)``, computed when the log record is written.

    >>> str(LazyPformat({"b": 1, "a": [2]}))
    "{'a': [2], 'b': 1}"
    """

    __slots__ = ("obj",)

    def __init__(self, obj) -> None:
        self.obj = obj

    def __str__(self) -> str:
        return pprint.pformat(self.obj)


import_jsonschema()
try:
    import nbval.kernel
except ImportError:  # nbval is a test tool; without it there is nothing to trim
    pass
else:
    nbval.kernel.pformat = LazyPformat
