# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CORPUS ?= samples
DB ?= covenant.db
SERVE ?= 1
PORT ?= 8000

.PHONY: demo ingest-demo test test-fast lint bench clean browser readers

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## Ingest a folder of reports (default: the bundled samples), print the library and open the workbench on
## http://127.0.0.1:$(PORT)/ (Ctrl-C stops it). `make demo SERVE=0` (or `make ingest-demo`) only ingests.
demo: ingest-demo
ifneq ($(SERVE),0)
	$(BIN)/covenant --db $(DB) serve --port $(PORT)
endif

ingest-demo: $(STAMP)
	$(BIN)/covenant --db $(DB) ingest $(CORPUS)
	$(BIN)/covenant --db $(DB) reports

## Lint, type-check and run every test, the slow corpus-wide ones included (what CI runs).
test: $(STAMP) browser readers
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest

## Debian's Chromium for the workbench's browser tests (Playwright drives it; its own browser download is not used).
browser:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

## Debian's programs for scans and Word 97-2003 files: Tesseract with English, Russian, Kazakh, Spanish, Portuguese
## and French, and antiword. Without them such files are skipped (or read in English) with a reason naming what
## to install.
OCR_LANGUAGES := eng rus kaz spa por fra
readers:
	command -v tesseract >/dev/null && command -v antiword >/dev/null \
		&& (for lang in $(OCR_LANGUAGES); do tesseract --list-langs 2>/dev/null | grep -qx $$lang || exit 1; done) \
		|| (apt-get update -qq && apt-get install -y -qq --no-install-recommends \
			tesseract-ocr $(addprefix tesseract-ocr-,$(OCR_LANGUAGES)) antiword)

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
