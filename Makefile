# Lookout's two entry points for a newcomer:
#   make run   — build and start the collector on its embedded storage (config/lookout.yaml)
#   make test  — unit tests, then integration tests against real Prometheus components
SHELL := /bin/bash
SWIFT ?= swift
SYSTEM_PACKAGES := libsqlite3-dev zlib1g-dev libzstd-dev libsnappy-dev libre2-dev
PEER_PACKAGES := prometheus prometheus-node-exporter prometheus-alertmanager
PYTHON_PACKAGES := pytest prometheus-client opentelemetry-sdk opentelemetry-exporter-otlp-proto-http python-json-logger python-logging-loki python-snappy websocket-client

.PHONY: run test unit integration deps peers build release bench

# Installs what is missing; a no-op once everything is there.
deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing$$missing"; \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq $$missing; fi

peers: deps
	@missing=""; for p in $(PEER_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing$$missing"; \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq --no-install-recommends $$missing; fi
	@python3 -c "import pytest, prometheus_client, opentelemetry.sdk, pythonjsonlogger, logging_loki, snappy, websocket" 2>/dev/null || python3 -m pip install -q $(PYTHON_PACKAGES)

build: deps
	$(SWIFT) build

run: build
	$$($(SWIFT) build --show-bin-path)/lookout serve --config config/lookout.yaml

unit: deps
	$(SWIFT) test

integration: peers build
	LOOKOUT_BIN=$$($(SWIFT) build --show-bin-path)/lookout python3 -m pytest -q tests/integration tests/differential

test: unit integration

release: deps
	$(SWIFT) build -c release --product lookout
	$(SWIFT) build -c release --product lookout-bench

bench: release
	bash scripts/bench.sh
