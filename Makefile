# Two commands for everything (see README): `make course` and `make test`.
# Both create .venv with the system's python3 (3.11+) the first time, and
# reinstall only when pyproject.toml changes. `make course` installs what the
# course needs (dcteach and its core dependencies); `make test` adds the test
# tools (the `test` extra: pytest, nbval, Playwright, axe-core, Voilà...).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
COURSE_STAMP := $(VENV)/.installed-course
TEST_STAMP   := $(VENV)/.installed-test
# pip with its progress bars, without the noise of its per-file notices
PIP := $(BIN)/python -m pip install --progress-bar on --disable-pip-version-check

.PHONY: course test setup hub benchmarks notebooks locales translate clean
# an interrupted install leaves no stamp behind: the next run installs again
.DELETE_ON_ERROR:

$(BIN)/python:
	@echo "make: creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip

$(COURSE_STAMP): pyproject.toml | $(BIN)/python
	@echo "make: installing the course (dcteach, JupyterLab, pandas, matplotlib, ipywidgets); about a minute the first time"
	$(PIP) -e .
	@touch $@

$(TEST_STAMP): pyproject.toml deploy/jupyterhub/package-lock.json $(COURSE_STAMP)
	@echo "make: adding the test tools (pytest, nbval, Playwright, axe-core, Voilà, frictionless, JupyterHub)"
	$(PIP) -e ".[test]"
	@echo "make: installing the hub's proxy (configurable-http-proxy, from npm, pinned by deploy/jupyterhub/package-lock.json)"
	deploy/jupyterhub/install-proxy
	@touch $@

setup: $(TEST_STAMP)

# Ctrl+C stops JupyterLab and its kernels; dcteach then exits 0, so make ends quietly.
course: $(COURSE_STAMP)
	@$(BIN)/dcteach course $(ARGS)

# One worker per core (pytest-xdist): each notebook in one worker and kernel, the other tests
# together in one worker, in order (conftest.py); ARGS="-n 0" runs everything in one process.
test: $(TEST_STAMP)
	$(BIN)/python -m pytest -n auto --dist loadfile --nbval --nbval-current-env --nbval-sanitize-with=tests/nbval_sanitize.cfg $(ARGS)

# A local JupyterHub with demo students (see docs/lecturers.md): make hub ARGS="--students 3"
hub: $(TEST_STAMP)
	@$(BIN)/dcteach hub $(ARGS)

# Maintainers: re-execute the course notebooks after a change (nbval compares their outputs).
notebooks: $(TEST_STAMP)
	cd notebooks && MPLBACKEND=module://matplotlib_inline.backend_inline ../$(BIN)/python -m dcteach._maintain --notebooks *.ipynb

# Translators: UI catalogues (.pot -> .po -> .mo), then the notebooks' PO files and notebooks/ru.
locales: $(TEST_STAMP)
	$(BIN)/python -m dcteach._maintain --locales

translate: $(TEST_STAMP)
	$(BIN)/python -m dcteach._maintain --translate update
	MPLBACKEND=module://matplotlib_inline.backend_inline $(BIN)/python -m dcteach._maintain --translate build
	$(BIN)/python -m dcteach._maintain --translate check

benchmarks: $(TEST_STAMP)
	$(PIP) -e ".[test,bench]"
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build dist
