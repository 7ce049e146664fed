#!/usr/bin/env bash
# Prints the figures README's "Performance" table reports. Run with `make bench` (release build).
# With promtool installed (Debian's prometheus), also loads the same 24 h of data into Prometheus
# blocks and prints their size for comparison. The span ingest figure over HTTP is
# `scripts/bench_spans.py` (it needs the release `lookout` and the OpenTelemetry packages).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(swift build -c release --show-bin-path)/lookout-bench
testdata=${LOOKOUT_TESTDATA:-Tests/Fixtures}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "# $(date -u +%F) on $(nproc) cores, $(uname -m)"
"$bin" parse "$testdata/exposition/node_exporter.prom"
"$bin" parse "$testdata/exposition/python_client.openmetrics.txt"
"$bin" append
# 0 ms: timestamps on the scrape grid, as Lookout's scraper stamps them; 3 ms: jittered, as imports may be.
for jitter in 0 3; do
  LOOKOUT_BENCH_OPENMETRICS="$work/node24h.om" "$bin" disk "$testdata/exposition/node_exporter.prom" $jitter
  if command -v promtool >/dev/null; then
    rm -rf "$work/prometheus"
    promtool tsdb create-blocks-from openmetrics "$work/node24h.om" "$work/prometheus" >/dev/null
    bytes=$(du -sb "$work/prometheus" | cut -f1)
    samples=$(grep -vc '^#' "$work/node24h.om")
    echo "disk (Prometheus $(promtool --version 2>&1 | head -1 | awk '{print $3}'), same samples, 2 h blocks): $bytes bytes = $(python3 -c "print(f'{$bytes/$samples:.3f}')") bytes/sample"
  fi
done
"$bin" memory
"$bin" memory 120
"$bin" memory 480
"$bin" traces "${LOOKOUT_BENCH_SPANS:-10000000}"
