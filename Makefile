# Two commands on a fresh machine (Python 3.11+, make):
#   make serve   set up, migrate the SQLite database, load demo data once, start on :5000
#   make test    set up, then lint, type-check, check migrations and run the whole suite (on every
#                core, one PostgreSQL database per worker) with coverage printed
#   make bench   the screening benchmark at 10k and 100k entities (BENCH_SIZES=1000000 for the targets' size)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
export FLASK_APP := wsgi
# The push targets file lives outside the repository (it holds shared secrets). Where the README
# puts it, `make serve` and `make sync` find it; REGISTRY_SYNC_TARGETS, when set, wins.
TARGETS_FILE := $(HOME)/.config/credit-registry/targets.toml
ifeq ($(origin REGISTRY_SYNC_TARGETS), undefined)
ifneq ($(wildcard $(TARGETS_FILE)),)
export REGISTRY_SYNC_TARGETS := $(TARGETS_FILE)
endif
endif

.PHONY: setup serve sync test lint bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP)

# The scheduler runs beside the server (anchoring, watches, and the push when a targets file is
# set); both stop together.
serve: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask registry seed-demo --if-empty
	trap 'trap - INT TERM EXIT; kill 0' INT TERM EXIT; $(BIN)/flask sync run 2>> instance/sync.log & $(BIN)/flask run --host 127.0.0.1 --port $${PORT:-5000}

sync: setup  # the scheduler alone, e.g. on another machine (`make serve` already runs one beside the server; docs/sync.md)
	$(BIN)/flask sync run

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	bash scripts/check-migrations
	bash scripts/install-browser
	$(BIN)/pytest -n auto --dist loadfile --durations=15 --cov --cov-report=
	@echo "Coverage (lines), the 15 files least covered, then the total:"
	@$(BIN)/coverage report --sort=cover > coverage.txt
	@head -n 17 coverage.txt
	@echo "Total coverage: $$($(BIN)/coverage report --format=total)%"

BENCH_SIZES ?= 10000,100000
BENCH_ARGS ?=
bench: setup
	$(BIN)/python -m benchmarks.screening --sizes $(BENCH_SIZES) $(BENCH_ARGS)
