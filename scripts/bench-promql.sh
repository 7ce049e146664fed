#!/usr/bin/env bash
# PromQL latency, Lookout vs Prometheus 2.42, on the differential test's data and query set.
# Prints per-query ratios Lookout/Prometheus (highest first), the median and the max.
# Targets (reported, not asserted): median <= 0.5, none above 2.
#
#   scripts/bench-promql.sh                    # debug build (.build/debug/lookout)
#   LOOKOUT_BIN=$(swift build -c release --show-bin-path)/lookout scripts/bench-promql.sh --repeat 7
#
# Extra arguments go to tests/differential/bench.py (--repeat N, --filter S, --top N, --all, --sort wall|engine).
set -euo pipefail
cd "$(dirname "$0")/.."
export LOOKOUT_BIN=${LOOKOUT_BIN:-$PWD/.build/debug/lookout}
echo "# $(date -u +%F) on $(nproc) cores, $(uname -m); $(prometheus --version 2>&1 | head -1)"
exec python3 tests/differential/bench.py "$@"
