#!/usr/bin/env python3
"""PromQL latency: Lookout vs Prometheus 2.42 on the differential test's data and queries.

Each query runs --repeat times on each server over one keep-alive HTTP connection per server,
as Grafana's data source does, with `stats=all`: after one warm-up pass, each pass runs every
query once on each server (which server goes first alternates by pass), so a moment of noise on
the machine lands in one run of many queries rather than in every run of one. Two
times are kept per run: the wall time of the whole request seen by this client, and the
server's own `execTotalTime` (queueing plus evaluation, without HTTP and JSON). The median of
each per query per server gives two ratios Lookout/Prometheus per query; the script prints the
highest, then the median and maximum of each kind. Targets (reported, not asserted): median
ratio <= 0.5, no query above 2. Queries that error on either server are left out. Set
LOOKOUT_BIN to time a release build.

It first prints each server's round-trip floor as this client sees it: the median wall time of
`/-/healthy` and of `query=1`, and that of a do-nothing server (null_server.c, when a C compiler
is at hand) — the least any request can cost on this machine.

Usage: bench.py [--repeat N] [--filter SUBSTRING] [--top N] [--all] [--sort wall|engine]
"""
import argparse
import http.client
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import describe, params_of  # noqa: E402
from queries import queries  # noqa: E402
from servers import LOOKOUT_BIN, Pair, free_port  # noqa: E402

MEDIAN_TARGET = 0.5
MAX_TARGET = 2.0


class Client:
    """One keep-alive connection to a server; reconnects if the server closed it."""

    def __init__(self, base_url):
        self.host = urllib.parse.urlsplit(base_url).netloc
        self.connection = http.client.HTTPConnection(self.host, timeout=120)

    def timed(self, q):
        """(wall seconds, server execTotalTime seconds or None, ok) for one query."""
        path, params = params_of(q)
        return self.get(path + "?" + urllib.parse.urlencode({**params, "stats": "all"}))

    def get(self, target):
        """(wall seconds, execTotalTime seconds or None, ok) for one GET of `target`."""
        for attempt in (1, 2):
            try:
                t0 = time.perf_counter()
                self.connection.request("GET", target)
                response = self.connection.getresponse()
                body = response.read()
                wall = time.perf_counter() - t0
                break
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.host, timeout=120)
                if attempt == 2:
                    return 0.0, None, False
        if response.status != 200:
            return wall, None, False
        if "stats=all" not in target:
            return wall, None, True
        stats = (json.loads(body)["data"].get("stats") or {}).get("timings", {})
        return wall, stats.get("execTotalTime"), True

    def floor(self, target, runs=300):
        """Median wall milliseconds of `runs` GETs of `target`, after a few to warm up."""
        for _ in range(10):
            self.get(target)
        return statistics.median(self.get(target)[0] for _ in range(runs)) * 1000


def null_server_floor():
    """Median wall ms of a request to null_server.c, or None without a C compiler."""
    compiler = shutil.which("cc") or shutil.which("clang") or shutil.which("gcc")
    if compiler is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        binary = Path(tmp) / "null_server"
        subprocess.run([compiler, "-O2", "-o", str(binary), str(Path(__file__).resolve().parent / "null_server.c")],
                       check=True)
        port = free_port()
        process = subprocess.Popen([str(binary), str(port)])
        try:
            for _ in range(100):
                try:
                    client = Client(f"http://127.0.0.1:{port}")
                    client.connection.connect()
                    break
                except OSError:
                    time.sleep(0.05)
            return client.floor("/api/v1/query?query=1")
        finally:
            process.kill()
            process.wait()


def summary(name, ratios):
    med, mx = statistics.median(ratios), max(ratios)
    above = sum(1 for r in ratios if r > MAX_TARGET)
    print(f"{name}: median ratio {med:.2f} (target <= {MEDIAN_TARGET}) {'OK' if med <= MEDIAN_TARGET else 'MISSED'}; "
          f"max {mx:.2f}, {above} queries above {MAX_TARGET} {'OK' if above == 0 else 'MISSED'}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--filter")
    ap.add_argument("--top", type=int, default=25, help="print the N highest ratios (default 25)")
    ap.add_argument("--all", action="store_true", help="print every query's ratios")
    ap.add_argument("--sort", choices=["wall", "engine"], default="wall", help="which ratio orders the listing")
    args = ap.parse_args()
    qs = queries()
    if args.filter:
        qs = [q for q in qs if args.filter in q["expr"]]
    print(f"# lookout binary: {LOOKOUT_BIN}")
    print(f"# {len(qs)} queries, {args.repeat} runs each per server, keep-alive HTTP, medians")
    rows, skipped = [], 0
    with Pair() as pair:
        prometheus, lookout = Client(pair.prometheus.url), Client(pair.lookout.url)
        floors = [f"{name} /-/healthy {client.floor('/-/healthy'):.3f} ms, query=1 {client.floor('/api/v1/query?query=1'):.3f} ms"
                  for name, client in (("prometheus", prometheus), ("lookout", lookout))]
        null = null_server_floor()
        if null is not None:
            floors.append(f"do-nothing server {null:.3f} ms")
        print("# round-trip floors (median wall, this client): " + "; ".join(floors))
        answered = []
        for q in qs:
            ok_p = prometheus.timed(q)[2]   # warm-up, also tells whether it succeeds
            ok_l = lookout.timed(q)[2]
            if ok_p and ok_l:
                answered.append(q)
            else:
                skipped += 1
        p_runs = {q["id"]: [] for q in answered}
        l_runs = {q["id"]: [] for q in answered}
        for n in range(args.repeat):
            for q in answered:
                if n % 2 == 0:
                    p_runs[q["id"]].append(prometheus.timed(q))
                    l_runs[q["id"]].append(lookout.timed(q))
                else:
                    l_runs[q["id"]].append(lookout.timed(q))
                    p_runs[q["id"]].append(prometheus.timed(q))
        for q in answered:
            ps, ls = p_runs[q["id"]], l_runs[q["id"]]
            wall_p = statistics.median(r[0] for r in ps)
            wall_l = statistics.median(r[0] for r in ls)
            exec_p = statistics.median(r[1] or 0.0 for r in ps)
            exec_l = statistics.median(r[1] or 0.0 for r in ls)
            engine = exec_l / exec_p if exec_p > 0 else float("inf")
            rows.append({"wall": wall_l / wall_p, "engine": engine, "wall_l": wall_l, "wall_p": wall_p,
                         "exec_l": exec_l, "exec_p": exec_p, "q": q})
    if not rows:
        print("no successful queries to compare")
        return 1
    shown = sorted(rows, key=lambda r: r[args.sort], reverse=True)
    if not args.all:
        shown = shown[:args.top]
        print(f"# the {len(shown)} highest {args.sort} ratios (--all for every query)")
    print(f"{'wall':>6} {'engine':>6} {'lookout ms':>10} {'prom ms':>8} {'l exec':>7} {'p exec':>7}  query")
    for r in shown:
        print(f"{r['wall']:6.2f} {r['engine']:6.2f} {r['wall_l'] * 1000:10.3f} {r['wall_p'] * 1000:8.3f} "
              f"{r['exec_l'] * 1000:7.3f} {r['exec_p'] * 1000:7.3f}  #{r['q']['id']} {describe(r['q'])}")
    print()
    print(f"queries timed: {len(rows)} (skipped {skipped} that error on either server)")
    print(f"total of medians, wall: lookout {sum(r['wall_l'] for r in rows):.2f}s, "
          f"prometheus {sum(r['wall_p'] for r in rows):.2f}s; "
          f"execTotalTime: lookout {sum(r['exec_l'] for r in rows):.2f}s, prometheus {sum(r['exec_p'] for r in rows):.2f}s")
    print(f"median query, wall: lookout {statistics.median(r['wall_l'] for r in rows) * 1000:.3f} ms, "
          f"prometheus {statistics.median(r['wall_p'] for r in rows) * 1000:.3f} ms")
    summary("wall time over HTTP", [r["wall"] for r in rows])
    summary("server execTotalTime", [r["engine"] for r in rows])
    return 0


if __name__ == "__main__":
    sys.exit(main())
