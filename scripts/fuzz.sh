#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ (-sanitize=fuzzer,address) and runs each for a chosen time,
# seeded from the repository's captures, case files and configs. Crashers are written to
# Fuzz/crashers/<target>/; commit them as regression tests.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     # default 600 s, every target
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzExposition FuzzPromQL FuzzConfig FuzzOTLP FuzzTraceQL FuzzJSONLines FuzzLogQL FuzzLokiPush FuzzRules)
work=${LOOKOUT_FUZZ_WORK:-.build-fuzz}
# One build per product: `swift build` given several `--product`s builds only the last.
for target in "${targets[@]}"; do
  (cd Fuzz && swift build -c release --scratch-path "../$work" -Xswiftc -sanitize=fuzzer,address --product "$target")
done
bin="$work/release"
for target in "${targets[@]}"; do
  corpus="$work/corpus/$target"
  mkdir -p "$corpus" "Fuzz/crashers/$target"
  case "$target" in
    FuzzExposition) cp Tests/Fixtures/exposition/* "$corpus/" ;;
    FuzzPromQL)
      # One seed per query of the case files.
      grep -hE '^eval(_fail|_ordered)? ' Tests/LookoutQueryTests/Cases/*.test \
        | sed -E 's/^eval(_fail|_ordered)? (instant at [^ ]+|range from [^ ]+ to [^ ]+ step [^ ]+) //' \
        | awk -v dir="$corpus" '{ print > (dir "/case" NR) }' ;;
    FuzzConfig) cp config/*.yaml "$corpus/" ;;
    FuzzOTLP) cp Tests/Fixtures/otlp/*traces* "$corpus/" ;;
    FuzzJSONLines) cp Tests/Fixtures/logs/*.jsonl "$corpus/" ;;
    FuzzLokiPush) printf '%s' '{"streams":[{"stream":{"a":"b"},"values":[["1","x",{"k":"v"}]]}]}' > "$corpus/push.json" ;;
    FuzzLogQL) awk -v dir="$corpus" '{ print > (dir "/query" NR) }' Tests/Fixtures/logql/queries.txt ;;
    FuzzRules)
      for f in tests/integration/rules/*.yaml tests/integration/slos/checkout.yaml; do { printf '\0'; cat "$f"; } > "$corpus/rules-$(basename "$f")"; done
      { printf '\1'; cat tests/integration/slos/checkout.yaml; } > "$corpus/slo"
      printf '\2{{ $labels.job }} {{ $value | humanizePercentage }} {{ if gt $value 0.1 }}hi{{ end }}' > "$corpus/template" ;;
    FuzzTraceQL) awk -v dir="$corpus" '{ print > (dir "/query" NR) }' Tests/Fixtures/traceql/queries.txt ;;
  esac
  echo "== $target for ${seconds}s"
  "$bin/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="Fuzz/crashers/$target/" "$corpus"
done
