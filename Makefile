# Two commands work on a fresh machine with Python 3.11+: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-core lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/python -m b24provision.demo

test: install
	$(BIN)/python -m pytest

# The same suite against the emulator's strictest reading of the core (emulator.settings.Quirks).
test-core: install
	$(BIN)/python -m pytest --quirks core

lint: install
	$(BIN)/ruff check b24provision tests benchmarks
	$(BIN)/ruff format --check b24provision tests benchmarks
	$(BIN)/mypy

bench: install
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) .b24provision .pytest_cache .mypy_cache .ruff_cache
