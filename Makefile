# Civicloop: everyday commands. `make run` and `make test` do all the set-up themselves.
.DEFAULT_GOAL := help
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PYTEST := $(PY) -m pytest -p no:cacheprovider

.PHONY: help setup proto proto-check lint test test-unit test-integration test-containers run up down demo bench eval-dupes k8s-check

help:
	@echo "make run          set up, start RabbitMQ/PostgreSQL/Redis if stopped, start every service,"
	@echo "                  walk a demo petition through the loop, keep serving until Ctrl-C"
	@echo "make test         set up, check generated code and lint, run unit and integration tests"
	@echo "make up / down    the same stack in the background (pids and logs under var/run)"
	@echo "make demo         the walk-through against a running stack"
	@echo "make proto        regenerate civicloop.v1 from proto/"
	@echo "make lint         buf lint + breaking, ruff, mypy"
	@echo "make bench        throughput, latency and memory, as ratios against the raw servers"
	@echo "make eval-dupes   统单 duplicate finding on the held-out (blind) corpus, and ProposeClusters' p99"

setup:
	@scripts/setup.sh

proto: setup
	@scripts/gen_proto.sh

proto-check: setup
	@scripts/check_proto.sh

lint: setup proto-check
	@$(BIN)/ruff check services scripts tests
	@$(BIN)/mypy
	@echo "lint: ruff and mypy clean"

test-unit: setup
	@$(PYTEST) -q services

test-integration: setup
	@[ "$${CIVICLOOP_TEST_INFRA:-servers}" != servers ] || $(PY) scripts/stack.py infra
	@scripts/browser.sh
	@scripts/node_vc.sh
	@$(PYTEST) -q tests/integration

# The integration suite against containers instead of the machine's servers.
test-containers: setup
	@scripts/browser.sh
	@scripts/node_vc.sh
	@scripts/test_in_containers.sh

# Generated code must be current and lint clean before the tests count; the integration
# tests use the real servers (CIVICLOOP_TEST_INFRA=servers) unless told to use containers,
# and the rating page's test drives Debian's chromium (scripts/browser.sh installs it).
test: lint
	@[ "$${CIVICLOOP_TEST_INFRA:-servers}" != servers ] || $(PY) scripts/stack.py infra
	@scripts/browser.sh
	@scripts/node_vc.sh
	@$(PYTEST) -q services tests/integration

run: setup
	@$(PY) scripts/stack.py run

up: setup
	@$(PY) scripts/stack.py up

down:
	@$(PY) scripts/stack.py down

demo: setup
	@$(PY) scripts/demo.py

bench: setup
	@$(PY) -m scripts.bench

# 统单: the shipping scorer on the held-out (blind) split of the corpus (services/intake/tests/eval),
# then ProposeClusters' p99 with 10,000 petitions (its own database dupes_eval_*, free ports).
eval-dupes: setup
	@$(PY) -m scripts.eval_dupes

k8s-check: setup
	@scripts/k8s_check.sh
