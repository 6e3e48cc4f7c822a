# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-stamp
STAMP := $(VENV)/.dev-stamp
# Run from the checkout (`python -m bot` puts it first on the path), so an edit needs no
# reinstall; the package itself is installed plainly (an editable install makes setuptools
# print warnings about the top-level bot folder).
POLICYBOT := $(BIN)/python -m bot

.PHONY: run test lint typecheck unit e2e bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# `make run` needs the runtime only; the dev extras (Synapse, pytest, ...) come with tests.
$(RUNTIME): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet .
	touch $(RUNTIME)

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet '.[dev]'
	touch $(RUNTIME) $(STAMP)

run: $(RUNTIME)
	$(POLICYBOT) refresh
	$(POLICYBOT) run

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -m "not e2e"

e2e: $(STAMP)
	$(BIN)/pytest -m e2e

test: lint typecheck $(STAMP)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m bench.realcorpus --baselines  # ~20 min: four pipelines' first refreshes
	$(BIN)/python -m bench.retrieval_quality
	$(BIN)/python -m bench.ask_latency
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.refresh_and_memory
	$(BIN)/python -m bench.chain_overhead
	$(BIN)/python -m bench.slack_latency
	$(BIN)/python -m bench.matrix_latency
	$(BIN)/python -m bench.store_modes  # ~30 min: fills 100k passages twice

clean:
	rm -rf $(VENV) .data .mypy_cache .ruff_cache .pytest_cache
