# The two commands of the quick start:
#   make run    set up and run the bot (SQLite in ./chibo.db unless CHIBO_DATABASE_URL says
#               otherwise); with no CHIBO_BOT_TOKEN, the sandbox at http://127.0.0.1:8080
#   make test   set up and run the quality gates (ruff, import-linter's layers, mypy) and the
#               whole test suite, the browser tests and every bench's quick mode included
#               (on SQLite; set CHIBO_TEST_DATABASE_URL to run it on PostgreSQL)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run sandbox test lint browser office clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

# The real bot with a token (environment or .env), the sandbox without one
# (RUN_ARGS="--port 8090" gives the sandbox another port).
run: $(VENV)/.installed
	$(BIN)/python -m sandbox.auto $(RUN_ARGS)

sandbox: $(VENV)/.installed
	$(BIN)/chibo sandbox

browser:
	tools/install-browser

# LibreOffice and poppler, with which a test renders the report document to check its layout.
office:
	tools/install-office

# The quality gates: style, the layers of DESIGN.md principle 13 (import-linter's contracts
# in pyproject.toml), and the types.
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

test: lint browser office
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
