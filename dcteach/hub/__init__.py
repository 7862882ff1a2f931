"""Running the course on JupyterHub: the student release, the single-user start, the local demo hub.

- :mod:`dcteach.hub.distribute` copies the student release (course notebooks
  and released exercise notebooks, never lecturer sources) into a student's
  course folder and merges updates without overwriting their edits;
- :mod:`dcteach.hub.singleuser` is the command the hub starts for each student:
  it refreshes the course folder, then runs ``jupyterhub-singleuser`` in it;
- :mod:`dcteach.hub.local` starts a hub on 127.0.0.1 for a lecturer's laptop
  and for the tests (``dcteach hub``).

The hub's configuration is ``deploy/jupyterhub/jupyterhub_config.py``.
"""
