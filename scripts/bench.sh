#!/usr/bin/env bash
# Prints the figures README's "Performance" table reports. Run with `make bench` (release build).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(swift build -c release --show-bin-path)/lookout-bench
testdata=${LOOKOUT_TESTDATA:-../shared/testdata}
echo "# $(date -u +%F) on $(nproc) cores, $(uname -m)"
"$bin" parse "$testdata/exposition/node_exporter.prom"
"$bin" parse "$testdata/exposition/python_client.openmetrics.txt"
"$bin" append
"$bin" disk "$testdata/exposition/node_exporter.prom"
"$bin" memory
