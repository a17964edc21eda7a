# Two commands on a fresh machine:  make serve  (the app)  and  make test  (every test).
PORT ?= 8000
VENV ?= .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CHROMIUM := /usr/bin/chromium

.PHONY: serve site wheels test lint deps chromium fixtures bench clean

## Serve the site (vendored PyScript + Pyodide, NumPy's wheels, presets) on http://127.0.0.1:$(PORT)
serve: wheels
	@echo "Serving http://127.0.0.1:$(PORT)/  (Ctrl-C stops)"
	python3 -m http.server --bind 127.0.0.1 $(PORT)

## Vendor the runtime from npm into assets/vendor (git-ignored) and list the site for sw.js
site: node_modules/.stamp
	@python3 tools/vendor.py

node_modules/.stamp: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## NumPy's wheels from Pyodide's CDN, checked against pyodide-lock.json (once: kept while valid);
## unreachable, one line says what is missing and the site is served without them
wheels: site
	@python3 tools/fetch_pyodide_wheels.py --if-reachable
	@python3 tools/vendor.py --precache-only

## Install what the tests need, then run ruff and every test (CPython and real Chromium)
test: deps chromium site
	$(PY) -m ruff check .
	$(PY) -m pytest

lint: deps
	$(PY) -m ruff check .

deps: $(VENV)/.stamp

$(VENV)/.stamp: requirements-test.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	@touch $@

chromium:
	@command -v $(CHROMIUM) >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

## Regenerate the torch reference fixtures (needs: pip install torch==2.13.0)
fixtures:
	python3 tools/make_fixtures.py

## Print benchmark figures (torch optional: ratios need it)
bench:
	python3 bench/trace.py
	python3 bench/frame.py
	python3 bench/train.py
	python3 bench/inside.py

clean:
	rm -rf $(VENV) node_modules assets/vendor tests/output .pytest_cache .ruff_cache
