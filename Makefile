# One command sets up, one runs the main job, one runs the tests (see README).
VENV ?= .venv
PY := $(VENV)/bin/python
YOGI := $(VENV)/bin/yogi
APT_PACKAGES := $(shell grep -v '^\s*\#' infra/apt-packages.txt | grep -v '^\s*$$')
SAMPLE := tests/data/sample/timetable.png

.PHONY: setup system venv sam register features demo test lint bench clean

setup: system venv sam register features

# Debian packages (Tesseract, fonts for the data engine); only installs what is missing.
system:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# pip + venv (torch==2.13.0 is a CPU build pip takes from local disk; uv would not see it).
venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

# The SAM CLI in a venv of its own: it pins boto3 and pydantic below this project's, and
# tests/infra runs `sam validate --lint` on infra/template.yaml with it.
SAM_VENV := .venv-sam
sam: $(SAM_VENV)/.installed
$(SAM_VENV)/.installed:
	test -x $(SAM_VENV)/bin/python || python3 -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install -q aws-sam-cli==1.170.0
	touch $@

# Released models (models/*) into the local MLflow registry under mlruns/: the pipeline resolves
# models:/yogi-ocr@champion, never a file path. A no-op (a few seconds) when already registered.
register: venv
	$(YOGI) models register

# The feature store (feature_repo/): `feast apply` for the settings in force (SQLite online store
# under the data dir unless YOGI_REDIS_URL names a Redis); idempotent, a second or two.
features: venv
	$(YOGI) features apply

demo: setup
	$(YOGI) extract $(SAMPLE) --format table

test: setup
	$(PY) -m pytest -q

lint: venv
	$(VENV)/bin/ruff check inference training serving tests

bench: venv
	$(YOGI) bench pipeline ../shared/dev/images/*.png --runs 3 --out bench/pipeline-rapid.json

clean:
	rm -rf $(VENV) $(SAM_VENV) .pytest_cache .ruff_cache .mypy_cache
