# Two commands do everything on a fresh machine with Python 3.11+ (and npm for htmx):
#   make run    install, migrate, load the demo town, serve web + worker on http://127.0.0.1:$(PORT)
#   make test   install, lint, run the whole suite on SQLite and, at the same time, on PostgreSQL
#               if it answers
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= $(if $(REDIS_URL),$(REDIS_URL),redis://127.0.0.1:6379/15)
# the SQLite passes' tests of arq and rate limits against a real Redis use other database
# numbers: the passes' processes run at once and each flushes its own before every test (none
# is a benchmark's: a benchmark run meanwhile keeps its cache; 13 is bench/load.py's and
# bench/faults.py's)
SQLITE_TEST_REDIS_URL_1 ?= redis://127.0.0.1:6379/14
SQLITE_TEST_REDIS_URL_2 ?= redis://127.0.0.1:6379/9
BROWSER_TEST_REDIS_URL_1 ?= redis://127.0.0.1:6379/12
BROWSER_TEST_REDIS_URL_2 ?= redis://127.0.0.1:6379/11
POSTGRES_REDIS_URL_1 ?= $(TEST_REDIS_URL)
POSTGRES_REDIS_URL_2 ?= redis://127.0.0.1:6379/10
export PORT
# Compiled modules are written and reused: where the machine sets PYTHONDONTWRITEBYTECODE, every
# pass of the suite, live server and command it starts compiled the whole project again
unexport PYTHONDONTWRITEBYTECODE


.PHONY: run test install browser caddy assets messages migrate demo lint audit test-passes test-sqlite test-sqlite-1 test-sqlite-2 test-browser test-browser-1 test-browser-2 test-postgres test-postgres-1 test-postgres-2 package-check lock bench load wrk faults clean translations screenshots lighthouse

run: install
	$(BIN)/participation migrate
	$(BIN)/participation demo
	$(BIN)/participation run

test: install browser caddy test-passes

# Six jobs at once, each one's output printed in one piece when it ends, any failing fails the
# build: the HTTP and unit tests on SQLite, the same on PostgreSQL, the browser tests (on SQLite:
# they check what a browser shows, which the database does not change), the package check (35
# to 70 s, about 20 s of CPU), the lint and the dependency audit (mostly waiting on the
# advisory services: run alone first, they added a minute and a half to every run). On two
# cores the system shares them, so the suite ends when the whole work is done rather than when
# the longest of two unequal halves is.
test-passes: install
	@echo "== Lint, audit, tests on SQLite, on PostgreSQL, in the browser and of the package, at once: each one's output when it ends"
	@$(MAKE) --no-print-directory -j6 --output-sync=target lint audit test-sqlite test-postgres test-browser package-check

# The wheel, installed from requirements.lock in a fresh venv outside the repository, migrates,
# serves and answers a few pages (deploy/package_check.py; docs/operations.md, "Packaging").
package-check: install
	$(BIN)/python deploy/package_check.py

# requirements.lock: the runtime set of [project.dependencies] pinned with hashes, for every
# platform (uv's universal resolution, from PyPI); requirements-dev.lock: the same for the
# development set (the runtime, the dev extra and every feature's test-requirements.txt), which
# `make install` installs. Run after changing the dependencies or a test tool, or to take new
# releases; commit both (docs/operations.md, "Lock files").
lock: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
		--upgrade --custom-compile-command "make lock" --output-file requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev $(FEATURE_TEST_REQUIREMENTS) --universal \
		--python-version 3.11 --generate-hashes --upgrade --custom-compile-command "make lock" \
		--output-file requirements-dev.lock

install: $(VENV)/.installed assets messages

# A feature's own test tools sit in its folder (`<package>/test-requirements.txt`): a new feature
# needs no line here nor in pyproject (`make lock` reads them).
FEATURE_TEST_REQUIREMENTS := $(wildcard */test-requirements.txt)

# The development venv: exactly the pins of requirements-dev.lock, their hashes checked (the same
# test tools on every machine and in CI), then the project itself, editable, without resolving
# anything. tests/deploy/test_lock.py fails when a dev tool is not in the lock (run `make lock`).
$(VENV)/.installed: pyproject.toml requirements-dev.lock $(FEATURE_TEST_REQUIREMENTS)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.x)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# htmx and Leaflet (the maps' tiles, docs/maps.md; BSD-2-Clause, with its stylesheet) come
# from the npm registry and are served from static/vendor; without npm every page still works
# (both only enhance: the maps stay drawn by the server).
assets: static/vendor/htmx.min.js

static/vendor/htmx.min.js: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --silent && mkdir -p static/vendor && \
		cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css static/vendor/ && \
		cp node_modules/leaflet/LICENSE static/vendor/leaflet-LICENSE.txt && \
		cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js; \
	else echo "npm not found: htmx and Leaflet are not installed; pages work without JavaScript."; fi

# Browser tests drive Debian's Chromium (no browser download); installed here when missing.
# The tests run in Debian's chromium-headless-shell (Chromium's old headless mode, without the
# full browser behind it) when it is there: the same engine at half the CPU (the browser tests'
# Chromium took ~630 s of CPU a run in full Chromium, ~250 s in the shell; docs/performance.md,
# "The test suite's length, eighth round"); installed here too; without it they run in full
# Chromium.
# With Chromium, Debian's chromium-l10n: Chromium's own words (a file field's button, a date field's
# placeholder and order) in French in the screenshots (bench/screenshots.py sets LANGUAGE=fr);
# without it they stay in English. The tests do not depend on it.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Chromium from Debian's packages for the browser tests"; \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo -n"; \
		($$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium >/dev/null) \
		|| echo "Chromium could not be installed: the browser tests will be skipped."; }
	@if dpkg-query -W -f='$${Status}' chromium 2>/dev/null | grep -q 'ok installed' \
		&& ! dpkg-query -W -f='$${Status}' chromium-l10n 2>/dev/null | grep -q 'ok installed'; then \
		echo "Installing chromium-l10n from Debian's packages (Chromium's own words in French in the screenshots)"; \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo -n"; \
		($$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium-l10n >/dev/null) \
		|| echo "chromium-l10n could not be installed: Chromium's own words stay in English in the screenshots."; fi
	@command -v chromium-headless-shell >/dev/null 2>&1 || { \
		echo "Installing chromium-headless-shell from Debian's packages (the browser tests at half the CPU)"; \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo -n"; \
		($$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium-headless-shell >/dev/null) \
		|| echo "chromium-headless-shell could not be installed: the browser tests run in full Chromium."; }

# The reverse proxy's check (tests/deploy/test_kit.py: deploy/Caddyfile adapts, with HSTS and
# compression) runs Debian's caddy; installed here when missing, as Chromium is. Without it (no
# apt, no rights) the check is skipped and says so.
caddy:
	@command -v caddy >/dev/null 2>&1 || { \
		echo "Installing Caddy from Debian's packages for the reverse proxy's check"; \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo -n"; \
		($$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends caddy >/dev/null) \
		|| echo "Caddy could not be installed: the Caddyfile check will be skipped."; }

# Every catalog: the core's and each feature's that has one (`<package>/locale`: a new feature
# needs no line here)
LOCALES := $(wildcard */locale)
FEATURE_CATALOGS := $(patsubst %/locale,%,$(filter-out participation/locale,$(LOCALES)))

messages: $(VENV)/.installed
	@for locale in $(LOCALES); do \
		printf '%s: ' $$locale; \
		$(BIN)/pybabel compile --use-fuzzy -d $$locale -D messages --statistics 2>&1 | tail -1; \
	done

migrate: install
	$(BIN)/participation migrate

demo: migrate
	$(BIN)/participation demo

# Every package of the repository (the core and each feature: a new feature needs no line here);
# mypy checks them all but the tests and benchmarks.
PACKAGES := $(filter-out tests bench,$(patsubst %/__init__.py,%,$(wildcard */__init__.py)))

lint: $(VENV)/.installed
	$(BIN)/ruff check $(PACKAGES) tests bench deploy
	$(BIN)/mypy $(PACKAGES)

# Known vulnerabilities in the installed dependencies (pip-audit, PyPI's advisory data; osv.dev
# is not reachable from every machine that reaches PyPI). A vulnerability fails the build. When
# the service cannot be reached or does not know some packages (no network, a package mirror),
# the build goes on with a WARNING naming what was NOT audited: an offline machine can still
# test, and the output never says "audited" when it was not. AUDIT_STRICT=1 fails then too.
# In the same run (in parallel: no time added, 38 s against 40 s before): npm's runtime packages
# (`npm audit --omit=dev`, the same verdicts) and the runtime set's SBOM, CycloneDX JSON from
# requirements.lock, written to dist/sbom.cdx.json (git-ignored; docs/operations.md).
audit: $(VENV)/.installed
	$(BIN)/python -m tests.audit

# The SQLite pass in two processes at once, each taking the next test the other has not taken
# (tests/claims.py, TEST_CLAIMS), each with its own embedded Redis and its own database of the
# real Redis: in one process it was the run's longest job, alone on the machine at the end.
test-sqlite: install
	@claims=$$(mktemp -d) && trap 'rm -rf "$$claims"' EXIT && \
	$(MAKE) --no-print-directory -j2 --output-sync=target TEST_CLAIMS="$$claims" \
		test-sqlite-1 test-sqlite-2

test-sqlite-1 test-sqlite-2: test-sqlite-%:
	@echo "== Test suite on SQLite, embedded Redis (the browser tests run in test-browser)$(if $(TEST_CLAIMS),: process $* of 2)"
	env -u DATABASE_URL -u REDIS_URL TEST_CLAIMS="$(TEST_CLAIMS)" TEST_REDIS_URL="$(SQLITE_TEST_REDIS_URL_$*)" $(BIN)/python -m pytest -q -p no:cacheprovider -m "not browser"

# The browser tests in two processes at once, each taking the next test module the other has
# not taken (tests/claims.py, TEST_CLAIMS): most of their time is one chain
# (test, Chromium, server) that a single process could not spread over two cores.
test-browser: install browser
	@claims=$$(mktemp -d) && trap 'rm -rf "$$claims"' EXIT && \
	$(MAKE) --no-print-directory -j2 --output-sync=target TEST_CLAIMS="$$claims" \
		test-browser-1 test-browser-2

test-browser-1 test-browser-2: test-browser-%:
	@echo "== Browser tests (Chromium, axe), SQLite, embedded Redis: process $* of 2"
	env -u DATABASE_URL -u REDIS_URL TEST_CLAIMS="$(TEST_CLAIMS)" TEST_REDIS_URL="$(BROWSER_TEST_REDIS_URL_$*)" $(BIN)/python -m pytest -q -p no:cacheprovider -m browser

# The PostgreSQL pass in two processes at once when a second database can be had beside
# TEST_DATABASE_URL's (`<name>_2`, created when missing), each taking the next test the
# other has not taken (tests/claims.py, TEST_CLAIMS), each with its own Redis database; else in
# one process. It is the longest pass: alone in its last minutes, one process left a core idle.
test-postgres: install
	@if $(BIN)/python -m tests.services postgres "$(TEST_DATABASE_URL)"; then \
		if second=$$($(BIN)/python -m tests.services second-postgres "$(TEST_DATABASE_URL)"); then \
			claims=$$(mktemp -d) && trap 'rm -rf "$$claims"' EXIT && \
			$(MAKE) --no-print-directory -j2 --output-sync=target TEST_CLAIMS="$$claims" \
				POSTGRES_URL_1="$(TEST_DATABASE_URL)" POSTGRES_URL_2="$$second" \
				test-postgres-1 test-postgres-2; \
		else $(MAKE) --no-print-directory POSTGRES_URL_1="$(TEST_DATABASE_URL)" test-postgres-1; fi; \
	else echo "== PostgreSQL does not answer at $(TEST_DATABASE_URL): PostgreSQL pass skipped"; fi

test-postgres-1 test-postgres-2: test-postgres-%:
	@echo "== Test suite on PostgreSQL at $(POSTGRES_URL_$*), Redis at $(POSTGRES_REDIS_URL_$*) if it answers (the browser tests run in test-browser)$(if $(TEST_CLAIMS),: process $* of 2)"
	@if $(BIN)/python -m tests.services redis "$(POSTGRES_REDIS_URL_$*)"; then redis="$(POSTGRES_REDIS_URL_$*)"; else redis=""; fi; \
	DATABASE_URL="$(POSTGRES_URL_$*)" REDIS_URL="$$redis" TEST_REDIS_URL="$(POSTGRES_REDIS_URL_$*)" TEST_CLAIMS="$(TEST_CLAIMS)" $(BIN)/python -m pytest -q -p no:cacheprovider -m "not browser"

bench: install
	$(BIN)/python bench/tally.py

# Load test of `participation serve` on PostgreSQL (database bench_load, Redis db 13); not part of
# `make test`. Figures and how to read them: docs/performance.md, "Load".
load: install wrk
	$(BIN)/python bench/load.py $(LOAD_ARGS)

# Screenshot review: every page of the route list, French, 1280 and 390 px, with the demo town,
# into docs/screenshots/ and docs/screenshots.md (bench/screenshots.py). Not part of `make test`.
screenshots: install browser
	$(BIN)/python bench/screenshots.py

# Lighthouse (npm package, fetched by npx on first use, not by `make install`) on six pages of
# the demo town, mobile profile: the four scores and the page weight (bench/lighthouse.py;
# figures in docs/performance.md, "Lighthouse"). Not part of `make test`.
lighthouse: install browser
	$(BIN)/python bench/lighthouse.py $(LIGHTHOUSE_ARGS)

# wrk drives the load test; installed from Debian's packages when missing.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo="sudo -n"; \
		($$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq wrk >/dev/null) \
		|| { echo "wrk could not be installed (Debian package wrk)"; exit 1; }; }

clean:
	rm -rf $(VENV) node_modules static/vendor data

# Add new source strings to the French catalogs (then translate them in the .po files): a
# feature with its own catalog (`<package>/locale`) gets the strings of its package and of
# templates/<package>/; the core's gets those of every other package and template (babel.cfg;
# a new feature needs no line), not the tests' nor the benchmarks' (docs/i18n.md)
# New strings are appended, untranslated, at the end of the right catalog (a feature's own when
# it has one, else the core's); the catalogs' hand-made order is never rewritten (tests/catalogs.py).
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k N_ -o participation/locale/messages.pot --no-location \
		--ignore-dirs '.* ._ tests bench node_modules $(FEATURE_CATALOGS)' .
	@for package in $(FEATURE_CATALOGS); do \
		$(BIN)/pybabel extract -F babel.cfg -k N_ -o $$package/locale/messages.pot --no-location \
			$$package $$(test -d templates/$$package && echo templates/$$package) || exit 1; \
	done
	$(BIN)/python -m tests.catalogs participation $(FEATURE_CATALOGS)

# kill -9 the web during a burst of ballots and the worker mid-tally, on PostgreSQL
# (FAULTS_DATABASE_URL, default bench_faults; FAULTS_REDIS_URL, default db 13); prints findings
faults: install
	$(BIN)/python bench/faults.py
