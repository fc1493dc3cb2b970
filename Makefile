# rnnlearn: two commands for everything (see README.md).
#   make book   build the HTML book into _build/html (executes every chapter)
#   make test   ruff + unit tests + nbval on exercises/solutions + the book with warnings as errors

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PATH := $(abspath $(BIN)):$(PATH)
# No stray bytecode in the tree. (Kernels keep Matplotlib's inline backend: nbval
# compares the figure outputs a notebook stores.)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup book test lint unit notebooks book-strict exercises lab bench clean

help:
	@echo "make book       build the book into _build/html"
	@echo "make test       run every test (unit, nbval, strict book build)"
	@echo "make exercises  regenerate exercises/ from solutions/ and execute both"
	@echo "make lab        JupyterLab on the notebooks"
	@echo "make bench      speed ratios against torch.nn"

# The environment is rebuilt when requirements.txt or pyproject.toml change.
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (rnnlearn)" >/dev/null
	touch $(STAMP)

setup: $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . --keep-going
	@echo "The book is at file://$(abspath _build/html/index.html)"

lint: $(STAMP)
	$(BIN)/ruff check .

unit: $(STAMP)
	$(BIN)/python -m pytest tests

notebooks: $(STAMP)
	$(BIN)/python -m pytest --nbval exercises solutions \
		--nbval-sanitize-with .ci/nbval_sanitize.cfg --nbval-cell-timeout 300 -p no:cacheprovider

book-strict: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going

test: lint unit notebooks book-strict

exercises: $(STAMP)
	$(BIN)/rnnlearn exercises build

lab: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check jupyterlab==4.6.6
	$(BIN)/jupyter lab

bench: $(STAMP)
	for f in benchmarks/*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf _build .jupyter_cache
