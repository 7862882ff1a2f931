"""Private engine of :mod:`dcteach.validate`: lossless CSV reading and vectorised checks.

Nothing here is public API; import from :mod:`dcteach.validate` instead.
"""

__all__: list[str] = []
