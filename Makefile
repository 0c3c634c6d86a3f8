# Séjour: `make run` starts the service with demo data; `make test` runs lint and every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
MANAGE := $(BIN)/python manage.py

.PHONY: run serve test test-only lint format messages translations system-deps system-deps-test \
        bench clean check-deploy

## Environments -------------------------------------------------------------
$(VENV)/.runtime: requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11+ is needed"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is needed"; exit 1; }
	@$(PYTHON) -m venv --help >/dev/null 2>&1 && $(PYTHON) -c 'import ensurepip' 2>/dev/null \
	  || $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# gettext compiles the translations.
system-deps:
	@command -v msgfmt >/dev/null || { $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext; }

# Chromium runs the browser tests; clamd (ClamAV) scans uploads in the antivirus tests.
system-deps-test: system-deps
	@{ command -v chromium >/dev/null && command -v clamd >/dev/null; } || { \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium clamav-daemon; }

messages: system-deps $(VENV)/.runtime
	cd sejour && SEJOUR_ENV=$${SEJOUR_ENV:-local} ../$(BIN)/python ../manage.py compilemessages --verbosity 0

## Run -----------------------------------------------------------------------
run: export SEJOUR_ENV = local
run: messages
	mkdir -p var
	$(MANAGE) migrate --noinput --verbosity 0
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(MANAGE) load_catalog
	$(MANAGE) load_demo
	@echo "Séjour: http://127.0.0.1:8000 (Ctrl-C stops the web server, the worker and the scheduler)"
	exec $(BIN)/honcho start --procfile Procfile

## Quality -------------------------------------------------------------------
lint: export SEJOUR_ENV = test
lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy sejour config
	$(BIN)/lint-imports
	$(MANAGE) makemigrations --check --dry-run --verbosity 0
	$(MANAGE) catalog_strings --check
	$(BIN)/djlint sejour --lint --quiet
	SEJOUR_ENV=production DJANGO_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  DJANGO_ALLOWED_HOSTS=sejour.example.org SEJOUR_SITE_URL=https://sejour.example.org \
	  SEJOUR_TRUSTED_PROXY_HOPS=1 SEJOUR_CLAMAV_SOCKET=/run/clamav/clamd.ctl \
	  SEJOUR_AUDIT_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(48))') \
	  SEJOUR_AUDIT_CHECKPOINT_DIR=/var/lib/sejour/audit-checkpoints \
	  SEJOUR_SIGNING_KEY=$$($(BIN)/python -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())') \
	  $(MANAGE) check --deploy --fail-level WARNING

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: export SEJOUR_ENV = test
test: system-deps-test messages $(VENV)/.dev lint test-only

# Test files are shared between TEST_WORKERS processes (pytest-xdist), each with its own
# database, browser and clamd; TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= 2
test-only: export SEJOUR_ENV = test
test-only: $(VENV)/.dev
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile

# Refresh the translation catalogues from the code and templates (French, English, Arabic).
translations: export SEJOUR_ENV = test
translations: $(VENV)/.dev
	cd sejour && ../$(BIN)/python ../manage.py makemessages -l fr -l en -l ar --no-obsolete \
	  --ignore 'static/*' && ../$(BIN)/python ../manage.py makemessages -d djangojs -l fr -l en -l ar --no-obsolete

bench: export SEJOUR_ENV = test
bench: messages $(VENV)/.dev
	@for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
