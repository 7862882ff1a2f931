"""pytest plugin of dcteach's test suite, named in ``addopts`` (``-p dcteach._pytest_plugin``).

pytest imports the plugins named with ``-p`` before those it finds installed,
in the main process and in every pytest-xdist worker. This one imports
jsonschema the way dcteach does (:func:`dcteach._jsondoc.import_jsonschema`)
before nbval's plugin imports nbformat, which imports jsonschema: without it,
each pytest process spends about 2.5 CPU seconds building grammars for two
string formats that no schema of the course or of Jupyter's notebook format
uses. It defines no hooks.
"""

from dcteach._jsondoc import import_jsonschema

import_jsonschema()
