# `make` sets up .venv and builds every recipe into build/; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
APP    := $(VENV)/.stamp-app
DEV    := $(VENV)/.stamp-test

.PHONY: all build test bench check clean

all: build

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(APP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(APP)

build: $(APP)
	$(BIN)/quizgen check
	$(BIN)/quizgen build

check: $(APP)
	$(BIN)/quizgen check

test: $(DEV)
	$(BIN)/python -m pytest

bench: $(APP)
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/bench_grade.py
	$(BIN)/python bench/bench_bounds.py

clean:
	rm -rf build
