# TalentDesk: `make run` and `make test` do all the set-up on a fresh machine.
# Every target is idempotent and quick when nothing changed.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
RASA_VENV := .venv-rasa
APP_PY := $(VENV)/bin/python
RASA := $(RASA_VENV)/bin/rasa
MODEL := models/talentdesk.tar.gz
RASA_DATA := $(shell find nlu -type f -name '*.yml' 2>/dev/null) $(wildcard talentdesk_nlu/*.py) domain.yml config.yml

# Offline at run time: nothing downloads models, Rasa does not phone home.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test setup model index articles eval bench loadtest lint lock doctor clean help browsers

help:
	@echo "make run      set up what is missing, then start the assistant on http://127.0.0.1:8000"
	@echo "make test     set up, then the whole test suite (what CI runs)"
	@echo "make eval     retrieval, language-ID and NLU evaluation reports"
	@echo "make bench    latency and memory benchmarks"
	@echo "make loadtest 100 users (API, websocket, Telegram), embedded and production mode with faults"
	@echo "make lint     ruff and mypy"
	@echo "make index    rebuild the knowledge search index if knowledge/ changed"

run: setup model articles
	$(APP_PY) -m bot run

test: setup model index lint browsers
	$(RASA) data validate --data nlu --domain domain.yml --config config.yml --fail-on-warnings
	$(RASA) test core --stories tests/stories --model $(MODEL) --fail-on-prediction-errors \
	  --out var/rasa-test --no-plot
	$(APP_PY) -m pytest

setup: $(VENV)/.installed $(RASA_VENV)/.installed

# The app environment: Python 3.11, every package pinned in requirements/app.lock (torch is the
# CPU build; elsewhere add --extra-index-url https://download.pytorch.org/whl/cpu).
$(VENV)/.installed: requirements/app.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
	  { echo "$(PYTHON) is not Python 3.11; run: make PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(APP_PY) || $(PYTHON) -m venv $(VENV)
	$(APP_PY) -m pip install --quiet --upgrade pip
	$(APP_PY) -m pip install --quiet -r requirements/app.lock
	$(APP_PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# Rasa's environment: Python 3.10 with rasa 3.6 (and jieba for its Chinese tokenizer) only.
$(RASA_VENV)/.installed: requirements/rasa.lock
	@py=""; \
	for candidate in python3.10 \
	    $$(command -v pyenv >/dev/null && ls -d "$$(pyenv root)"/versions/3.10*/bin/python3.10 2>/dev/null) \
	    $$(ls -d "$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/3.10*/bin/python3.10 2>/dev/null) \
	    $$(command -v uv >/dev/null && uv python find 3.10 2>/dev/null); do \
	  if "$$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then \
	    py="$$candidate"; break; fi; \
	done; \
	if [ -z "$$py" ]; then \
	  echo "Python 3.10 is needed for Rasa 3.6 and was not found: install it (pyenv install 3.10.13, or uv python install 3.10)"; \
	  exit 1; fi; \
	test -x $(RASA_VENV)/bin/python || "$$py" -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(RASA_VENV)/bin/python -m pip install --quiet -r requirements/rasa.lock
	touch $@

# Retrained only when the training data, domain or config changed.
model: $(MODEL)
$(MODEL): $(RASA_VENV)/.installed $(RASA_DATA)
	$(RASA) train --data nlu --domain domain.yml --config config.yml \
	  --out models --fixed-model-name talentdesk

# Headless Chromium for the browser tests (Playwright drives the Debian package; it cannot
# download its own browsers here), and the Noto fonts a kiosk needs: without them Chinese, Thai,
# Hindi, Bengali... and the emoji on the rating buttons render as empty boxes.
BROWSER_PACKAGES := chromium chromium-driver fonts-noto-cjk fonts-noto-core fonts-noto-color-emoji
browsers:
	@missing=""; for package in $(BROWSER_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' "$$package" 2>/dev/null | grep -q "ok installed" \
	    || missing="$$missing $$package"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "The kiosk and the browser tests need:$$missing; run as root: apt-get install -y$$missing"; \
	  exit 1; fi; \
	apt-get install -y $$missing || { apt-get update && apt-get install -y $$missing; }

# The knowledge search index (the action server also rebuilds it at start when stale).
index: setup articles
	$(APP_PY) -m actions.knowledge build

# The sample PDF and DOCX articles, built from our own text in knowledge/articles/_generate/.
articles: setup
	$(APP_PY) -m actions.knowledge.articles.samples knowledge/articles

# Evaluation reports (JSON under var/eval/).
eval: setup model
	$(APP_PY) -m tests.eval.retrieval_eval
	$(APP_PY) -m tests.eval.articles_eval
	$(APP_PY) -m tests.eval.nlu_eval
	$(APP_PY) -m tests.eval.language_id_eval

# Benchmarks (JSON under var/bench/). First the whole assistant: gateway beside bare Rasa at 1,
# 10 and 50 users, per-stage latency, memory, cold start (three sweeps, about 40 minutes;
# bench.json, .md, .png), holding the measurement lock so no other load test shares the CPUs.
# Then retrieval on a generated 10,000-entry base (about 10 minutes).
MEASURE_LOCK := /tmp/talentdesk-measure.lock
bench: setup model index
	flock $(MEASURE_LOCK) $(APP_PY) -m tests.bench.e2e_bench
	$(APP_PY) -m tests.bench.retrieval_bench

# 100 simulated users for 2 minutes over the JSON API, the websocket and Telegram (a fake Bot
# API), counted by message id: embedded mode, then production mode (two Rasa servers, two
# gateways, PostgreSQL, a private Redis) with faults injected; var/bench/loadtest.json.
loadtest: setup model index
	$(APP_PY) -m tests.load.loadtest --users 100 --seconds 120 --mode both

doctor: setup
	$(APP_PY) -m bot doctor

lint: setup
	$(VENV)/bin/ruff check bot actions tests
	$(VENV)/bin/mypy

# Re-pin the environments after changing pyproject.toml (run on a machine that has them).
lock:
	$(APP_PY) -m pip freeze --exclude-editable | grep -v '^talentdesk' \
	  | sed 's|^torch @ file.*|torch==2.13.0+cpu|' > requirements/app.lock
	$(RASA_VENV)/bin/python -m pip freeze > requirements/rasa.lock

clean:
	# Installed translation packages (models/argos) are kept: they may have been carried in by hand.
	rm -rf models/talentdesk.tar.gz var .pytest_cache test-artifacts
