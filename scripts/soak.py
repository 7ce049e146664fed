#!/usr/bin/env python3
"""Soak: Lookout scrapes 50 targets plus two hostile ones while a loop of hostile and normal
queries runs, for 10 minutes by default; reports RSS over time, the slowest `/-/healthy` answer
and every failed health check.

Targets serve `Tests/Fixtures/exposition/node_exporter.prom` every second; the two hostile
targets serve one sample with 80,000 labels (1.3 MB, cut at `label_limit: 100`). The query loop
asks, in turn: `up`, a `rate` over every CPU series, a 10-minute range query, a backtracking
regex, a 1-year window over every series (refused at `max_samples`), and a 15 MB form body
without a token (refused on its head). Not part of CI.

    LOOKOUT_BIN=.build/release/lookout python3 scripts/soak.py [--seconds 600] [--targets 50]
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "scripts"))
from bench_scrape import distinct_ports, rss_mib, serve_targets, wait_ready  # noqa: E402
from httpsupport import http_get, http_post  # noqa: E402

TOKEN = "soak-query-token"


def hostile_body():
    labels = ",".join(f'l{i:06d}="v"' for i in range(80_000, 0, -1))
    return f"wide{{{labels}}} 1\n".encode()


def query_loop(url, stop, log):
    now = lambda: str(time.time())  # noqa: E731
    auth = {"Authorization": f"Bearer {TOKEN}"}
    asks = [
        ("up", {"query": "up"}),
        ("rate", {"query": "sum by (mode) (rate(node_cpu_seconds_total[1m]))"}),
        ("range", {"query": "sum(rate(node_network_receive_bytes_total[1m]))", "range": True}),
        ("regex", {"query": 'count({__name__=~"(.*.*)*Y"})'}),
        ("1y window", {"query": 'count(count_over_time({__name__=~".+"}[1y]))'}),
    ]
    while not stop.is_set():
        for name, ask in asks:
            if stop.is_set():
                return
            params = {"query": ask["query"]}
            path = "/api/v1/query"
            if ask.get("range"):
                path = "/api/v1/query_range"
                params.update(start=str(time.time() - 600), end=now(), step="15")
            started = time.time()
            try:
                status, _ = http_get(url + path + "?" + urllib.parse.urlencode(params), headers=auth, timeout=30)
            except OSError as error:
                status = f"error {error}"
            log.append((name, status, time.time() - started))
        # A large unauthenticated form body: refused on its head, never buffered.
        started = time.time()
        try:
            status, _ = http_post(url + "/api/v1/query", b"query=" + b"x" * (15 << 20),
                                  headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
        except OSError as error:
            status = f"error {error}"
        log.append(("unauthenticated 15 MB body", status, time.time() - started))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--targets", type=int, default=50)
    args = parser.parse_args()
    lookout_bin = os.environ.get("LOOKOUT_BIN", str(REPO / ".build/release/lookout"))
    body = (REPO / "Tests/Fixtures/exposition/node_exporter.prom").read_bytes()
    *ports, hostile_a, hostile_b, lookout_port = distinct_ports(args.targets + 3)
    serve_targets(body, ports)
    serve_targets(hostile_body(), [hostile_a, hostile_b])
    work = Path(tempfile.mkdtemp(prefix="lookout-soak-"))
    url = f"http://127.0.0.1:{lookout_port}"
    (work / "token").write_text(TOKEN + "\n")
    (work / "lookout.yaml").write_text(f"""
server: {{listen: 127.0.0.1:{lookout_port}, auth: {{tokens: [{{token_file: {work / 'token'}, role: query}}]}}}}
storage: {{path: {work / 'data'}}}
query: {{timeout: 2s, max_samples: 1000000}}
global: {{scrape_interval: 1s, scrape_timeout: 1s}}
scrape_configs:
  - job_name: node
    static_configs: [{{targets: {json.dumps([f"127.0.0.1:{p}" for p in ports])}}}]
  - job_name: hostile
    label_limit: 100
    static_configs: [{{targets: ["127.0.0.1:{hostile_a}", "127.0.0.1:{hostile_b}"]}}]
""")
    log_file = open(work / "lookout.log", "wb")
    process = subprocess.Popen([lookout_bin, "serve", "--config", str(work / "lookout.yaml")],
                               stdout=log_file, stderr=log_file)
    try:
        wait_ready(url, process)
        print(f"# soak: {args.targets} node targets + 2 hostile, every 1 s, queries in a loop, "
              f"{args.seconds:g} s; {os.cpu_count()} cores", flush=True)
        stop = threading.Event()
        queries = []
        threading.Thread(target=query_loop, args=(url, stop, queries), daemon=True).start()
        started = time.time()
        failures, slowest, checks = [], 0.0, 0
        next_rss = started
        rss = []
        while time.time() - started < args.seconds:
            t0 = time.time()
            try:
                status, _ = http_get(url + "/-/healthy", timeout=5)
            except OSError as error:
                status = f"error {error}"
            took = time.time() - t0
            checks += 1
            slowest = max(slowest, took)
            if status != 200 or took >= 1.0:
                failures.append((round(t0 - started, 1), status, round(took, 3)))
            if time.time() >= next_rss:
                rss.append((round(time.time() - started), rss_mib(process.pid)))
                print(f"t={rss[-1][0]:5d} s  rss {rss[-1][1]:7.1f} MiB  queries {len(queries)}", flush=True)
                next_rss += 60
            time.sleep(0.5)
        stop.set()
        rss.append((round(time.time() - started), rss_mib(process.pid)))
        by_name = {}
        for name, status, seconds in queries:
            entry = by_name.setdefault(name, {"count": 0, "max_s": 0.0, "statuses": {}})
            entry["count"] += 1
            entry["max_s"] = max(entry["max_s"], seconds)
            entry["statuses"][str(status)] = entry["statuses"].get(str(status), 0) + 1
        _, targets = http_get(url + "/api/v1/targets", headers={"Authorization": f"Bearer {TOKEN}"})
        active = json.loads(targets)["data"]["activeTargets"]
        up = sum(1 for t in active if t["health"] == "up")
        print(f"rss MiB over time: {rss}")
        print(f"health checks: {checks}, slowest {slowest:.3f} s, failed (non-200 or >= 1 s): {len(failures)} {failures[:10]}")
        for name, entry in by_name.items():
            print(f"query {name:28s} n={entry['count']:5d} slowest {entry['max_s']:6.3f} s statuses {entry['statuses']}")
        print(f"targets up at the end: {up} of {len(active)} (the 2 hostile ones are down by design)")
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
