#!/usr/bin/env python3
"""PromQL latency: Lookout vs Prometheus 2.42 on the differential test's data and queries.

Each query runs --repeat times on each server (alternating, after one warm-up), the median
wall time per query per server is kept, and the ratio Lookout/Prometheus is printed per
query, with the median and the maximum ratio. Targets (reported, not asserted): median
ratio <= 0.5, no query above 2. Queries that error on either server are left out of the
ratios. Set LOOKOUT_BIN to time a release build.

Usage: bench.py [--repeat N] [--filter SUBSTRING] [--top N] [--all]
"""
import argparse
import os
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import describe, params_of  # noqa: E402
from queries import queries  # noqa: E402
from servers import LOOKOUT_BIN, Pair  # noqa: E402

MEDIAN_TARGET = 0.5
MAX_TARGET = 2.0


def timed(base_url, q):
    path, params = params_of(q)
    url = base_url + path + "?" + urllib.parse.urlencode(params)
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            r.read()
            ok = r.status == 200
    except urllib.error.HTTPError as e:
        e.read()
        ok = False
    except OSError:
        ok = False
    return time.perf_counter() - t0, ok


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--filter")
    ap.add_argument("--top", type=int, default=25, help="print the N slowest ratios (default 25)")
    ap.add_argument("--all", action="store_true", help="print every query's ratio")
    args = ap.parse_args()
    qs = queries()
    if args.filter:
        qs = [q for q in qs if args.filter in q["expr"]]
    print(f"# lookout binary: {LOOKOUT_BIN}")
    print(f"# {len(qs)} queries, {args.repeat} runs each per server, median wall time over HTTP")
    rows, skipped = [], 0
    with Pair() as pair:
        for q in qs:
            tp, ok_p = timed(pair.prometheus.url, q)   # warm-up, also tells whether it succeeds
            tl, ok_l = timed(pair.lookout.url, q)
            if not (ok_p and ok_l):
                skipped += 1
                continue
            ps, ls = [], []
            for _ in range(args.repeat):
                ps.append(timed(pair.prometheus.url, q)[0])
                ls.append(timed(pair.lookout.url, q)[0])
            mp, ml = statistics.median(ps), statistics.median(ls)
            rows.append((ml / mp, ml, mp, q))
    if not rows:
        print("no successful queries to compare")
        return 1
    shown = sorted(rows, key=lambda r: r[0], reverse=True)
    if not args.all:
        shown = shown[:args.top]
        print(f"# the {len(shown)} highest ratios (--all for every query)")
    print(f"{'ratio':>7} {'lookout ms':>10} {'prom ms':>8}  query")
    for ratio, ml, mp, q in shown:
        print(f"{ratio:7.2f} {ml * 1000:10.2f} {mp * 1000:8.2f}  #{q['id']} {describe(q)}")
    ratios = [r[0] for r in rows]
    med, mx = statistics.median(ratios), max(ratios)
    above = sum(1 for r in ratios if r > MAX_TARGET)
    total_l = sum(r[1] for r in rows)
    total_p = sum(r[2] for r in rows)
    print()
    print(f"queries timed: {len(rows)} (skipped {skipped} that error on either server)")
    print(f"total median time: lookout {total_l:.2f}s, prometheus {total_p:.2f}s")
    print(f"median ratio lookout/prometheus: {med:.2f} (target <= {MEDIAN_TARGET}) "
          f"{'OK' if med <= MEDIAN_TARGET else 'MISSED'}")
    print(f"max ratio: {mx:.2f} (target <= {MAX_TARGET}); {above} queries above {MAX_TARGET} "
          f"{'OK' if above == 0 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
