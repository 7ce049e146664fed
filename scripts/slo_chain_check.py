#!/usr/bin/env python3
"""Checks the chained 30-day SLI that `lookout slo generate` records (the ratio of sums of recorded
5-minute error and total rates) against the direct 30-day expression over the raw counters, on
30 days of steady and of bursty traffic, with Debian's `promtool test rules` (and `lookout test
rules` when LOOKOUT_BIN is set). Prints the relative difference for each; fails above 1%.

    python3 scripts/slo_chain_check.py
"""
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "tests" / "integration" / "slos" / "checkout.rules.yaml"
STEPS = 30 * 24 * 12 + 2  # 5-minute steps

CHAINED = 'scalar(slo:sli_error:ratio_rate30d{sloth_slo="requests-availability"})'
DIRECT = ('scalar(sum(increase(http_requests_total{job="checkout",code=~"5.."}[30d]))'
          ' / sum(increase(http_requests_total{job="checkout"}[30d])))')


def traffic(kind):
    """Requests per 5 minutes (errors, successes)."""
    for step in range(STEPS):
        if kind == "steady":
            yield 15, 29985
        else:
            # Every 6 hours a 30-minute burst at 10x the traffic and 5% errors; 0.05% otherwise.
            if step % 72 < 6:
                yield 15000, 285000
            else:
                yield 15, 29985


def series(kind):
    errors = successes = 0
    error_values, success_values = [], []
    for e, s in traffic(kind):
        error_values.append(str(errors))
        success_values.append(str(successes))
        errors += e
        successes += s
    return " ".join(error_values), " ".join(success_values)


def test_file(kind, folder):
    errors, successes = series(kind)
    path = Path(folder) / f"{kind}_test.yaml"
    path.write_text(f"""rule_files: [{RULES}]
evaluation_interval: 5m
tests:
  - interval: 5m
    input_series:
      - series: 'http_requests_total{{job="checkout",code="500"}}'
        values: '{errors}'
      - series: 'http_requests_total{{job="checkout",code="200"}}'
        values: '{successes}'
    promql_expr_test:
      - expr: 'abs(vector({CHAINED} / {DIRECT} - 1))'
        eval_time: 30d
        exp_samples: [{{value: -1}}]
""")
    return path


def measured(tool, path):
    result = subprocess.run([*tool, "test", "rules", str(path)], capture_output=True, text=True)
    output = result.stdout + result.stderr
    # The expectation (-1) cannot hold; the answer is in the "got" line.
    match = re.search(r"got:\s*\[?\s*(?:\{\}\s*(?:=>\s*)?)?([-+0-9.eE]+)", output)
    if not match:
        sys.exit(f"{' '.join(tool)}: no figure in its output:\n{output[-2000:]}")
    return float(match.group(1))


def main():
    tools = [["promtool"]] + ([[os.environ["LOOKOUT_BIN"]]] if os.environ.get("LOOKOUT_BIN") else [])
    worst = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for kind in ("steady", "bursty"):
            path = test_file(kind, folder)
            for tool in tools:
                difference = measured(tool, path)
                worst = max(worst, difference)
                print(f"{kind:7} {Path(tool[0]).name:9} chained vs direct 30-day SLI: {difference * 100:.4f}% relative ({difference:.2e})")
    if worst > 0.01:
        sys.exit(f"over 1%: {worst * 100:.4f}%")


if __name__ == "__main__":
    main()
