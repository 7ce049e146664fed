#!/usr/bin/env python3
"""Deterministic OpenMetrics generator for the PromQL differential test.

Writes a backfill file (every sample carries a timestamp in seconds) that both
`promtool tsdb create-blocks-from openmetrics` and `lookout import` accept.

The data covers DURATION seconds from BASE (2023-11-14T00:00:00Z) at a 15 s
scrape interval and deliberately contains the awkward cases PromQL has to get
right: counter resets (process restarts), missing scrapes (single ones and a gap
longer than the 5 m lookback), series that appear late and vanish early, gauges
that go negative, NaN samples and very large values, classic histograms and
summaries.

Layout: families are contiguous; inside a family every series is written whole
(all its samples, in increasing time) before the next one starts.

Usage: generate.py OUT.txt [--seed N]
"""
import argparse
import math
import random

BASE = 1699920000          # 2023-11-14T00:00:00Z, aligned to Prometheus's 2 h blocks
INTERVAL = 15
DURATION = 2 * 3600 + 30 * 60   # 2 h 30 m
STEPS = DURATION // INTERVAL + 1
END = BASE + (STEPS - 1) * INTERVAL

SERVICES = {
    "api": ["api-0:8080", "api-1:8080", "api-2:8080"],
    "web": ["web-0:8080", "web-1:8080"],
    "worker": ["worker-0:9090", "worker-1:9090"],
}

# Per-instance restart offsets (seconds after BASE): counters drop to 0 there.
RESTARTS = {
    "api-1:8080": [50 * 60],
    "web-1:8080": [35 * 60 + 7, 95 * 60],
    "worker-0:9090": [70 * 60],
}
# Per-instance missing windows [start, end) in seconds after BASE (no sample at all).
GAPS = {
    "worker-1:9090": [(40 * 60, 48 * 60)],          # longer than the 5 m lookback: stale
    "api-2:8080": [(20 * 60, 21 * 60)],             # short gap: lookback bridges it
}
# Instances that vanish early (last sample at this offset) or appear late (first sample).
VANISH = {"worker-1:9090": 100 * 60}
APPEAR = {"web-1:8080": 10 * 60}

BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]


def fmt(v):
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "+Inf" if v > 0 else "-Inf"
        return repr(v)
    return str(v)


def fmt_ts(t):
    return str(t)


def labelstr(labels):
    return "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}" if labels else ""


class Scrapes:
    """Which offsets an instance is scraped at, with random single misses."""

    def __init__(self, rng):
        self.rng = rng
        self.cache = {}

    def offsets(self, instance):
        if instance in self.cache:
            return self.cache[instance]
        out = []
        for i in range(STEPS):
            off = i * INTERVAL
            if instance in APPEAR and off < APPEAR[instance]:
                continue
            if instance in VANISH and off > VANISH[instance]:
                continue
            if any(a <= off < b for a, b in GAPS.get(instance, [])):
                continue
            if i not in (0, STEPS - 1) and self.rng.random() < 0.02:
                continue  # a missed scrape
            out.append(off)
        self.cache[instance] = out
        return out


def epoch(instance, off):
    """Index of the process lifetime an offset falls into (for counter resets)."""
    return sum(1 for r in RESTARTS.get(instance, []) if off >= r)


def counter_series(rng, instance, offsets, rate_per_s, jitter=0.3, integer=True):
    """A counter sampled at offsets; restarts reset it to 0 (plus a little)."""
    values = []
    total = rng.random() * 1000 if integer else rng.random() * 10
    last_epoch = 0
    prev = 0
    for off in offsets:
        e = epoch(instance, off)
        dt = off - prev if values else 0
        prev = off
        if e != last_epoch:
            last_epoch = e
            total = 0.0
            dt = rng.randint(0, INTERVAL)
        inc = rate_per_s * dt * (1 + jitter * (rng.random() * 2 - 1))
        total += round(inc) if integer else inc
        values.append(float(total) if not integer else int(total))
    return values


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=20231114)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    scrapes = Scrapes(rng)
    lines = []
    w = lines.append

    def family(name, typ, help_):
        w(f"# HELP {name} {help_}")
        w(f"# TYPE {name} {typ}")

    def series(name, labels, offsets, values):
        ls = labelstr(labels)
        for off, v in zip(offsets, values):
            w(f"{name}{ls} {fmt(v)} {fmt_ts(BASE + off)}")

    # ---- counters: http_requests_total -------------------------------------
    family("http_requests", "counter", "HTTP requests served.")
    routes = [("GET", "/", "200", 5.0), ("GET", "/users", "200", 2.0), ("GET", "/users", "500", 0.05),
              ("POST", "/users", "201", 0.5), ("POST", "/users", "404", 0.1), ("GET", "/", "500", 0.02)]
    for job in ("api", "web"):
        for inst in SERVICES[job]:
            offs = scrapes.offsets(inst)
            for method, path, code, r in routes:
                if job == "web" and path == "/users" and method == "POST":
                    continue
                vals = counter_series(rng, inst, offs, r)
                series("http_requests_total", {"job": job, "instance": inst, "method": method,
                                               "path": path, "code": code}, offs, vals)
    # A route that only appears after 1 h on api-0 and a route that vanishes at 1 h 20 m on api-1.
    offs = [o for o in scrapes.offsets("api-0:8080") if o >= 3600]
    series("http_requests_total", {"job": "api", "instance": "api-0:8080", "method": "GET", "path": "/new",
                                   "code": "200"}, offs, counter_series(rng, "api-0:8080", offs, 1.0))
    offs = [o for o in scrapes.offsets("api-1:8080") if o <= 80 * 60]
    series("http_requests_total", {"job": "api", "instance": "api-1:8080", "method": "DELETE", "path": "/old",
                                   "code": "200"}, offs, counter_series(rng, "api-1:8080", offs, 0.3))

    # ---- counter: jobs processed (float increments) ------------------------
    family("worker_jobs_processed", "counter", "Jobs processed by workers.")
    for inst in SERVICES["worker"]:
        offs = scrapes.offsets(inst)
        for queue in ("default", "mail"):
            vals = counter_series(rng, inst, offs, 3.0 if queue == "default" else 0.7, integer=False)
            series("worker_jobs_processed_total", {"job": "worker", "instance": inst, "queue": queue}, offs, vals)

    # ---- gauges --------------------------------------------------------------
    family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.")
    for job, insts in SERVICES.items():
        for k, inst in enumerate(insts):
            offs = scrapes.offsets(inst)
            base = (200 + 100 * k) * 1024 * 1024
            vals = []
            for off in offs:
                e = epoch(inst, off)
                since = off - max([0] + [r for r in RESTARTS.get(inst, []) if r <= off])
                vals.append(float(int(base + since * 4096 * (1 + e) + rng.randint(0, 1 << 20))))
            series("process_resident_memory_bytes", {"job": job, "instance": inst}, offs, vals)

    family("queue_depth", "gauge", "Jobs waiting in the queue.")
    for inst in SERVICES["worker"]:
        offs = scrapes.offsets(inst)
        for queue in ("default", "mail"):
            d = rng.randint(0, 20)
            vals = []
            for off in offs:
                d = max(0, d + rng.randint(-3, 3))
                vals.append(d)
            series("queue_depth", {"job": "worker", "instance": inst, "queue": queue}, offs, vals)

    family("temperature_celsius", "gauge", "Sensor temperature; goes below zero.")
    for sensor, (mean, amp) in {"outdoor": (2.0, 8.0), "freezer": (-18.0, 1.5), "cpu": (55.0, 10.0)}.items():
        offs = scrapes.offsets("sensor-" + sensor)
        vals = [round(mean + amp * math.sin(2 * math.pi * off / 5400.0) + rng.gauss(0, 0.3), 3) for off in offs]
        series("temperature_celsius", {"job": "sensors", "instance": "sensors:9100", "sensor": sensor}, offs, vals)
    # A faulty sensor reporting NaN now and then.
    offs = scrapes.offsets("sensor-faulty")
    vals = [float("nan") if (i % 37 == 5 or 3000 <= off < 3300) else round(20 + rng.gauss(0, 2), 2)
            for i, off in enumerate(offs)]
    series("temperature_celsius", {"job": "sensors", "instance": "sensors:9100", "sensor": "faulty"}, offs, vals)

    family("bytes_stored", "gauge", "Very large values.")
    offs = scrapes.offsets("store-0")
    v = 1.5e15
    vals = []
    for off in offs:
        v += rng.uniform(-1e12, 5e12)
        vals.append(v)
    series("bytes_stored", {"job": "store", "instance": "store-0:7000"}, offs, vals)
    vals = [1e300 * (1 + 0.01 * math.sin(off / 600.0)) for off in offs]
    series("bytes_stored", {"job": "store", "instance": "store-huge:7000"}, offs, vals)

    # ---- histogram -----------------------------------------------------------
    family("http_request_duration_seconds", "histogram", "HTTP request latency.")
    for job in ("api", "web"):
        for k, inst in enumerate(SERVICES[job]):
            offs = scrapes.offsets(inst)
            for method in ("GET", "POST"):
                scale = (0.05 if job == "api" else 0.12) * (1 + 0.5 * k) * (1 if method == "GET" else 2.5)
                counts = [0] * (len(BUCKETS) + 1)
                total = 0.0
                last_e = 0
                rows = []  # per offset: cumulative bucket counts, count, sum
                prev = offs[0] if offs else 0
                for off in offs:
                    e = epoch(inst, off)
                    if e != last_e:
                        last_e = e
                        counts = [0] * (len(BUCKETS) + 1)
                        total = 0.0
                    n = rng.randint(0, int((off - prev) * (3 if method == "GET" else 1)) + 1)
                    prev = off
                    # slow period on api between 60 and 75 minutes
                    slow = 4.0 if (job == "api" and 3600 <= off < 4500) else 1.0
                    for _ in range(n):
                        d = rng.expovariate(1.0 / (scale * slow))
                        idx = next((i for i, b in enumerate(BUCKETS) if d <= b), len(BUCKETS))
                        counts[idx] += 1
                        total += d
                    cum = []
                    c = 0
                    for x in counts:
                        c += x
                        cum.append(c)
                    rows.append((cum, c, total))
                lbl = {"job": job, "instance": inst, "method": method}
                for i, b in enumerate(BUCKETS + [float("inf")]):
                    le = "+Inf" if math.isinf(b) else repr(b)
                    series("http_request_duration_seconds_bucket", {**lbl, "le": le}, offs,
                           [r[0][i] for r in rows])
                series("http_request_duration_seconds_count", lbl, offs, [r[1] for r in rows])
                series("http_request_duration_seconds_sum", lbl, offs, [round(r[2], 6) for r in rows])

    # ---- summary -------------------------------------------------------------
    family("rpc_duration_seconds", "summary", "RPC latency.")
    for inst in SERVICES["worker"]:
        offs = scrapes.offsets(inst)
        lbl = {"job": "worker", "instance": inst}
        for q, base in (("0.5", 0.02), ("0.9", 0.08), ("0.99", 0.3)):
            vals = [round(base * (1 + 0.3 * math.sin(off / 900.0)) + rng.random() * base * 0.1, 6) for off in offs]
            series("rpc_duration_seconds", {**lbl, "quantile": q}, offs, vals)
        cnt = counter_series(rng, inst, offs, 4.0)
        series("rpc_duration_seconds_count", lbl, offs, cnt)
        series("rpc_duration_seconds_sum", lbl, offs, [round(c * 0.035, 4) for c in cnt])

    # ---- irregular data: jittered millisecond timestamps, sparse and single samples --
    rng2 = random.Random(args.seed + 1)
    family("jittered_requests", "counter", "Counter scraped at irregular, millisecond-jittered times.")
    for inst, start, first in (("jit-0:80", 0, 500.0), ("jit-1:80", 37 * 60 + 3, 1.0), ("jit-2:80", 61 * 60, 0.0)):
        t = BASE + start + 0.0
        v = first
        ts, vals = [], []
        while t <= END:
            ts.append(round(t, 3))
            vals.append(v)
            t += rng2.choice([10, 15, 15, 15, 20, 25]) + rng2.randint(-1500, 1500) / 1000.0
            v += rng2.randint(0, 40)
            if inst == "jit-0:80" and len(ts) == 200:
                v = 3.0  # a reset to a non-zero value
        ls = labelstr({"job": "jit", "instance": inst})
        for tt, vv in zip(ts, vals):
            w(f"jittered_requests_total{ls} {fmt(float(vv))} {tt:.3f}")
    family("batch_last_success_timestamp_seconds", "gauge", "Sparse gauge: every 5 minutes, plus one single sample.")
    ls = labelstr({"job": "batch", "instance": "batch:9000"})
    for off in range(0, DURATION + 1, 300):
        w(f"batch_last_success_timestamp_seconds{ls} {BASE + off - 42} {BASE + off}")
    ls = labelstr({"job": "batch", "instance": "oneshot:9000"})
    w(f"batch_last_success_timestamp_seconds{ls} {BASE + 4000} {BASE + 4000}")
    family("sparse_events", "counter", "Counter scraped every minute that rarely moves.")
    ls = labelstr({"job": "batch", "instance": "batch:9000"})
    v = 0
    for off in range(0, DURATION + 1, 60):
        if rng2.random() < 0.1:
            v += 1
        w(f"sparse_events_total{ls} {v} {BASE + off}")

    w("# EOF")
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
