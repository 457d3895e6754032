# seedwire: `make demo` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench screenshots clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) -m digest.demo

test: $(STAMP)
	command -v redis-server >/dev/null || (apt-get update && apt-get install -y redis-server)
	$(PY) -m pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Each benchmark prints its tables and writes its own section of bench/RESULTS.md.
bench: $(STAMP)
	if [ -f bench/extraction.py ]; then $(PY) bench/extraction.py; fi
	$(PY) bench/dedupe.py
	$(PY) bench/digest.py
	$(PY) bench/crawl.py
	$(PY) bench/scale.py

screenshots: $(STAMP)
	$(PY) tools/screenshot.py

clean:
	rm -rf out data/demo
