# Two commands for everything (see README): `make course` and `make test`.
# Both create .venv with the system's python3 (3.11+) the first time, and
# reinstall only when pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: course test setup benchmarks notebooks clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --upgrade pip
	$(BIN)/python -m pip install -qq -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

course: $(STAMP)
	$(BIN)/dcteach course $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest --nbval --nbval-current-env --nbval-sanitize-with=tests/nbval_sanitize.cfg $(ARGS)
	$(BIN)/dcteach exercises check exercises/source

# Maintainers: re-execute the course notebooks after a change (nbval compares their outputs).
notebooks: $(STAMP)
	cd notebooks && MPLBACKEND=module://matplotlib_inline.backend_inline ../$(BIN)/python -m dcteach._maintain --notebooks *.ipynb

benchmarks: $(STAMP)
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build dist
