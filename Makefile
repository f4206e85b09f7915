# Two commands for a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := chromium fonts-wqy-microhei fonts-noto-color-emoji obs-studio xvfb libegl-mesa0 libgl1-mesa-dri gcc libc6-dev nginx-light wrk
DEMO_PORT ?= 5000
CLUSTER_PORT ?= 8080
CLUSTER_PROCESSES ?= 2

.PHONY: setup system-deps demo cluster test lint bench clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

# Debian packages the tests drive: Chromium (browser tests), a CJK font, OBS + Xvfb (OBS tests), nginx (scale-out), wrk (page benchmark).
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	fi

demo: setup
	$(BIN)/studio demo --port $(DEMO_PORT)

# Scaled mode: nginx from Debian in front of CLUSTER_PROCESSES studios on the local PostgreSQL (database `studio`,
# created if missing) and Redis; the demo catalog and show are loaded. Ctrl-C stops everything.
cluster: setup system-deps
	$(BIN)/studio cluster --processes $(CLUSTER_PROCESSES) --port $(CLUSTER_PORT) --demo

# The linter first: a style slip fails in seconds, not after the whole suite.
test: setup system-deps
	$(BIN)/ruff check .
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check .

bench: setup
	@failed=""; for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || failed="$$failed $$b"; done; \
	  if [ -n "$$failed" ]; then echo "FAILED:$$failed"; exit 1; fi

clean:
	rm -rf $(VENV) node_modules var .pytest_cache
