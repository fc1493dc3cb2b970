# rnnlearn: two commands for everything (see README.md).
#   make book   build the HTML book into _build/html (executes every chapter)
#   make test   ruff + unit tests + nbval on exercises/solutions + the book with warnings as errors
#               + the browser suite on that build (headless Chromium, network blocked)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PATH := $(abspath $(BIN)):$(PATH)
# No stray bytecode in the tree. (Kernels keep Matplotlib's inline backend: nbval
# compares the figure outputs a notebook stores.)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup book book-learner test test-fast lint unit notebooks book-strict browser book-cached browser-share-0 browser-share-1 \
	exercises lab bench clean

help:
	@echo "make book       build the book into _build/html"
	@echo "make test       run every test (unit, nbval, strict book build, browser suite)"
	@echo "make test-fast  the same without the browser suite"
	@echo "make book-learner  the book without the Solutions part, into _build/learner"
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

# A learner-only book (for a graded class): the table of contents without its Solutions part.
book-learner: $(STAMP)
	mkdir -p _build
	$(BIN)/python -c "import yaml; toc = yaml.safe_load(open('_toc.yml')); \
	toc['parts'] = [p for p in toc['parts'] if p['caption'] != 'Solutions']; \
	yaml.safe_dump(toc, open('_build/_toc_learner.yml', 'w'), sort_keys=False)"
	$(BIN)/jupyter-book build . --toc _build/_toc_learner.yml --path-output _build/learner --keep-going
	@echo "The learner book is at file://$(abspath _build/learner/_build/html/index.html)"

UNIT      := $(BIN)/python -m pytest tests --ignore=tests/browser
NOTEBOOKS := $(BIN)/python -m pytest --nbval exercises solutions \
	--nbval-sanitize-with .ci/nbval_sanitize.cfg --nbval-cell-timeout 300 -p no:cacheprovider
BOOK      := $(BIN)/jupyter-book build . -W -n --keep-going
# The built site in headless Chromium (Debian's `chromium`; .ci/run installs it), network blocked.
BROWSER   := $(BIN)/python -m pytest tests/browser -p no:cacheprovider

unit: $(STAMP)
	$(UNIT)

notebooks: $(STAMP)
	$(NOTEBOOKS)

book-strict: $(STAMP)
	$(BOOK)

browser: $(STAMP)
	$(BROWSER)

# `make test` keeps both cores busy (make -j2): the chapters are executed into the book's
# cache two at a time (.ci/execute_chapter.py), beside the unit tests and nbval; the strict
# build then only renders, and the browser suite runs on it in two shares side by side.
# Each job's output is printed in one piece when it ends; the first failure fails the target.
CHAPTERS := $(shell sed -n 's|^ *- file: \(book/[0-9][0-9]_[A-Za-z0-9_]*\) *$$|\1.ipynb|p' _toc.yml)
EXECUTED := $(CHAPTERS:%=_build/executed/%)
JOBS     := --no-print-directory -j2 --output-sync=target

test: lint
	$(MAKE) $(JOBS) book-cached unit notebooks browser-share-0 browser-share-1

test-fast: lint
	$(MAKE) $(JOBS) book-cached unit notebooks

# (never written: each chapter is looked up in the cache on every run, and executed if missing)
$(EXECUTED): _build/executed/%: $(STAMP)
	$(BIN)/python .ci/execute_chapter.py $*

book-cached: $(EXECUTED)
	$(BOOK)

browser-share-0: book-cached
	$(BROWSER) --shard 0/2

browser-share-1: book-cached
	$(BROWSER) --shard 1/2

exercises: $(STAMP)
	$(BIN)/rnnlearn exercises build

lab: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check jupyterlab==4.6.6 jupyterlab-myst==2.7.0
	$(BIN)/jupyter lab

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf _build .jupyter_cache
