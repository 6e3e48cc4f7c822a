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

# Stock Debian and Ubuntu ship Python without venv's pip (ensurepip): say which package
# to install, rather than leave a half-made .venv behind.
$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "policybot needs Python 3.11 or newer as $(PYTHON) (set PYTHON=... to use another)"; \
	  exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { \
	  echo "$(PYTHON) cannot make a virtualenv: install the venv module, e.g. on Debian or" \
	       "Ubuntu: sudo apt install python3-venv (or python3.11-venv)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Ding's German-English dictionary (Debian's trans-de-en, GPL-2+, read by
# knowledge/text/lexicon.py): German questions about English sources find far more with it.
# Used from the system where installed; else apt fetches the package (no root needed) and
# its one file goes into the virtualenv. Tried once (the stamp): without apt or a network
# the bot runs without it; `rm $(DICTIONARY_STAMP)` to try again.
DICTIONARY := $(VENV)/share/trans/de-en
DICTIONARY_STAMP := $(VENV)/.dictionary-stamp
$(DICTIONARY_STAMP): | $(VENV)/bin/python
	@if [ -f /usr/share/trans/de-en ]; then \
	  echo "dictionary: /usr/share/trans/de-en"; \
	elif command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null; then \
	  tmp=$$(mktemp -d) && (cd "$$tmp" && timeout 120 apt-get download -qq trans-de-en 2>/dev/null) \
	  && dpkg-deb -x "$$tmp"/trans-de-en_*.deb "$$tmp/x" && mkdir -p $(dir $(DICTIONARY)) \
	  && cp "$$tmp/x/usr/share/trans/de-en" $(DICTIONARY) \
	  || echo "dictionary: trans-de-en could not be fetched; German questions go without it"; \
	  rm -rf "$$tmp"; \
	else \
	  echo "dictionary: no apt-get; install Ding's de-en file or set POLICYBOT_DICTIONARY"; \
	fi
	@touch $(DICTIONARY_STAMP)

# `make run` needs the runtime only; the dev extras (Synapse, pytest, ...) come with tests.
$(RUNTIME): pyproject.toml | $(VENV)/bin/python $(DICTIONARY_STAMP)
	$(BIN)/pip install --quiet .
	touch $(RUNTIME)

$(STAMP): pyproject.toml | $(VENV)/bin/python $(DICTIONARY_STAMP)
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
	$(BIN)/python -m bench.realcorpus --baselines --without-dictionary  # ~15 min: the grid, the tutorial and BM25
	$(BIN)/python -m bench.retrieval_quality
	$(BIN)/python -m bench.ask_latency
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.refresh_and_memory
	$(BIN)/python -m bench.chain_overhead
	$(BIN)/python -m bench.slack_latency
	$(BIN)/python -m bench.fair_queue
	$(BIN)/python -m bench.matrix_latency
	$(BIN)/python -m bench.store_modes  # ~30 min: fills 100k passages twice

clean:
	rm -rf $(VENV) .data .mypy_cache .ruff_cache .pytest_cache
