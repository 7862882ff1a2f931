"""Stands in for rfc3987-syntax in students' servers and kernels: importing it fails at once.

jsonschema imports ``rfc3987_syntax`` (if installed) when it is itself imported, to
check the ``iri`` formats; that import builds three Earley parsers and cost 3.3 CPU
seconds here, in every Jupyter server (jupyter-events imports jsonschema) and every
kernel that loads a dcteach widget. jsonschema treats a failed import as "not
installed" and skips those two formats, which no schema of the course or of Jupyter
uses. :mod:`dcteach.hub.singleuser` puts this folder first on ``PYTHONPATH``.
"""

raise ImportError("rfc3987_syntax is left out of students' servers (dcteach.hub.singleuser)")
