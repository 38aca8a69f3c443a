# PowerRAG developer commands. CI runs `make test` unchanged (see .ci/run).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
PORT ?= 3000

.PHONY: run install test test-fast lint format messages mutation screenshots clean clean-data

# PowerRAG needs Python 3.11 or newer (pyproject.toml requires-python). A .venv made by an older
# Python (say a first `make run` with 3.10) is removed here, before any target uses it.
IS_311 := import sys; sys.exit(sys.version_info < (3, 11))
ifneq ($(wildcard $(BIN)/python),)
ifneq ($(shell $(BIN)/python -c '$(IS_311)' 2>/dev/null && echo ok),ok)
$(info $(VENV) was made by $(shell $(BIN)/python -V 2>&1 | head -1 || echo a missing Python): rebuilding it)
$(shell rm -rf $(VENV))
endif
endif

$(BIN)/uv:
	@$(PYTHON) -c '$(IS_311)' 2>/dev/null || { echo "PowerRAG needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) -V 2>&1 || echo missing): run make PYTHON=python3.11 (or newer)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q uv==$(UV_VERSION)

# Bytecode is compiled at install time (uv does not by default, and PYTHONDONTWRITEBYTECODE
# forbids writing it later): without it every start compiles SQLAlchemy and FastAPI anew.
$(VENV)/.run-ready: $(BIN)/uv requirements/run.lock pyproject.toml
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -r requirements/run.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m compileall -q src
	touch $@

$(VENV)/.dev-ready: $(BIN)/uv requirements/dev.lock pyproject.toml
	$(BIN)/uv pip sync -q --compile-bytecode --python $(BIN)/python requirements/dev.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m compileall -q src
	touch $(VENV)/.run-ready $@

install: $(VENV)/.run-ready

## run: install what PowerRAG needs and start it on the embedded SQLite database in
## ./powerrag-data, on port PORT (default 3000): `make run PORT=8080`
run: $(VENV)/.run-ready
	$(BIN)/powerrag serve --port $(PORT)

## test: everything CI runs: lint, types, layers, unit/API/storage/SDK/browser tests
test: $(VENV)/.dev-ready
	bash scripts/test-deps.sh
	$(MAKE) lint
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --dist loadfile --durations=15

test-fast: $(VENV)/.dev-ready
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not sdk and not browser"

lint: $(VENV)/.dev-ready
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(VENV)/.dev-ready
	$(BIN)/ruff check --fix src tests benchmarks scripts
	$(BIN)/ruff format src tests benchmarks scripts

## messages: bring the translations (web/locale/*/LC_MESSAGES/messages.po) in step with the
## English catalogue web/locale/messages.pot after labels were added or changed: new ones come
## in empty, changed ones marked fuzzy; tests/unit/test_labels_complete.py fails until each is
## translated (docs/ui.md, "Translating")
messages: $(VENV)/.dev-ready
	$(BIN)/pybabel update -i src/powerrag/web/locale/messages.pot -d src/powerrag/web/locale -D messages -w 100

## mutation: mutmut over domain, ingest, the store's writer and filters, web auth and rendering
## (pyproject.toml [tool.mutmut]); slow, so not part of `make test`. A second run tries only the
## mutants not yet tried; MUTANTS="powerrag.domain.*" (names or patterns) runs those again.
## `.venv/bin/mutmut results` lists the survivors, `mutmut show NAME` one's diff.
MUTANTS ?=
mutation: $(VENV)/.dev-ready
	$(BIN)/mutmut run $(MUTANTS)
	$(BIN)/python scripts/mutation_report.py

## screenshots: docs/*.png of the sessions list, a replay and a trace page, from demo data
screenshots: $(VENV)/.dev-ready
	bash scripts/test-deps.sh
	fc-list 2>/dev/null | grep -qi "noto sans cjk" || (apt-get update -qq && apt-get install -y -qq fonts-noto-cjk >/dev/null)
	$(BIN)/python scripts/screenshots.py --out docs

## clean: remove what `make` built (.venv, SDK environments, mutants); never the data
clean:
	rm -rf $(VENV) .sdk-envs mutants

## clean-data: DELETE the data of `make run` (./powerrag-data: the SQLite database)
clean-data:
	rm -rf powerrag-data
