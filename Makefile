# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CORPUS ?= samples
DB ?= covenant.db

.PHONY: demo test test-fast lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## Ingest a folder of reports (default: the bundled samples) and print the library.
demo: $(STAMP)
	$(BIN)/covenant --db $(DB) ingest $(CORPUS)
	$(BIN)/covenant --db $(DB) reports

## Lint, type-check and run every test, the slow corpus-wide ones included (what CI runs).
test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest

## The quick loop: tests not marked slow.
test-fast: $(STAMP)
	$(BIN)/pytest -m "not slow" -x -q

lint: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

## Ingest throughput on the State Department pages, written to benchmarks/results/.
bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) *.egg-info src/*.egg-info .pytest_cache .ruff_cache .mypy_cache
