# `make` sets up .venv from uv.lock and builds every recipe into build/; `make test` runs lint, types, docs and the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
UV_VERSION := 0.13.9
APP    := $(VENV)/.stamp-app
DEV    := $(VENV)/.stamp-test
LOWEST := .venv-lowest
GIFTJS := tests/js/node_modules/.package-lock.json
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: all build test lint docs test-lowest bench check clean lock

all: build

# uv itself, pinned, in a folder of its own: a clean machine needs only python3
$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet "uv==$(UV_VERSION)"

# every install comes from uv.lock (--locked: fail if pyproject.toml and the lock disagree; `make lock` updates it)
$(APP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --inexact --python $(PYTHON) --quiet
	@touch $@

$(DEV): pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --extra test --python $(PYTHON) --quiet
	@touch $@ $(APP)

lock: | $(UV)
	$(UV) lock

build: $(APP)
	$(BIN)/quizgen check
	$(BIN)/quizgen build

check: $(APP)
	$(BIN)/quizgen check

lint: $(DEV)
	$(BIN)/ruff check quizgen tests bench docs/hooks
	$(BIN)/mypy

docs: $(DEV)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir site

# the independent GIFT reader the export tests check against, pinned by tests/js/package-lock.json (needs node and npm)
$(GIFTJS): tests/js/package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/js --no-audit --no-fund --silent; \
	else echo "npm not found: the GIFT reader tests will be skipped (apt-get install nodejs npm)"; fi

test: lint docs $(GIFTJS)
	$(BIN)/python -m pytest -n 2

# the suite at the lowest versions pyproject.toml admits for every direct dependency: the lower bounds are honest
test-lowest: $(GIFTJS) | $(UV)
	$(UV) venv --quiet --clear --python $(PYTHON) $(LOWEST)
	$(UV) pip install --quiet --python $(LOWEST)/bin/python --resolution lowest-direct -e '.[test]'
	$(LOWEST)/bin/python -m pytest -n 2 -q -p no:cacheprovider

bench: $(APP)
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/bench_grade.py
	$(BIN)/python bench/bench_startup.py
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_bounds.py
	$(BIN)/python bench/bench_scan.py
	$(BIN)/python bench/bench_kills.py

clean:
	rm -rf build site
