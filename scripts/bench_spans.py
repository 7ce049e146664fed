#!/usr/bin/env python3
"""OTLP span ingest end to end: starts `lookout serve` (release build, `fsync: batch`), prepares
protobuf `ExportTraceServiceRequest` bodies of 1,000 SDK-like spans each (8-span traces, the
Python SDK's 7 resource attributes, HTTP and DB attributes, random ids), posts them from several
keep-alive connections for a while, and divides the spans acknowledged (each 200 is sent only once
its spans are durable in the WAL) by the server's CPU time (utime + stime from /proc/<pid>/stat).
It then stops the server (sealing the head into blocks) and reports the bytes stored per span.

    LOOKOUT_BIN=.build/release/lookout python3 scripts/bench_spans.py [--seconds 20] [--connections 4]
"""
import argparse
import http.client
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from httpsupport import free_port, http_get  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def kv(key, value):
    v = AnyValue(int_value=value) if isinstance(value, int) else AnyValue(string_value=value)
    return KeyValue(key=key, value=v)


def body(rng, services, now_ns):
    request = ExportTraceServiceRequest()
    by_service = {}
    for _ in range(125):  # 125 traces × 8 spans
        trace_id = rng.randbytes(16)
        ids = [rng.randbytes(8) for _ in range(8)]
        root, hop1, hop2 = rng.randrange(20), rng.randrange(20), rng.randrange(20)
        route = f"/api/v1/resource{rng.randrange(25)}/{{id}}"
        start = now_ns + rng.randrange(10**9)
        total = int(rng.expovariate(1 / 40e6)) + 1_000_000
        status = 500 if rng.random() < 0.02 else 200
        http = [kv("http.request.method", "GET"), kv("http.route", route), kv("http.response.status_code", status)]
        spans = [
            (root, 0, None, f"GET {route}", 2, 0, total, http + [kv("url.path", f"/api/v1/x/{rng.randrange(10000)}")]),
            (root, 1, 0, "auth", 1, 100_000, 300_000, []),
            (root, 2, 0, "GET hop1", 3, 1_000_000, total // 3, [kv("peer.service", "hop1")]),
            (hop1, 3, 2, "GET /hop1", 2, 1_200_000, total // 4, http),
            (hop1, 4, 3, "SELECT orders", 3, 1_300_000, 2_000_000, [kv("db.system", "postgresql"),
                                                                   kv("db.statement", "SELECT * FROM orders WHERE id = $1")]),
            (root, 5, 0, "GET hop2", 3, total // 2, total // 3, [kv("peer.service", "hop2")]),
            (hop2, 6, 5, "GET /hop2", 2, total // 2 + 200_000, total // 4, http),
            (hop2, 7, 6, "render", 1, total // 2 + 300_000, 500_000, []),
        ]
        for service, i, parent, name, kind, offset, duration, attributes in spans:
            span = Span(trace_id=trace_id, span_id=ids[i], parent_span_id=ids[parent] if parent is not None else b"",
                        name=name, kind=kind, start_time_unix_nano=start + offset, end_time_unix_nano=start + offset + duration,
                        attributes=attributes)
            if status == 500 and i == 0:
                span.status.CopyFrom(Status(code=2))
            by_service.setdefault(service, []).append(span)
    for service, spans in by_service.items():
        rs = request.resource_spans.add()
        rs.resource.attributes.extend([kv("telemetry.sdk.language", "python"), kv("telemetry.sdk.name", "opentelemetry"),
                                       kv("telemetry.sdk.version", "1.45.2"), kv("service.instance.id", f"pod-{service}-7f9c"),
                                       kv("service.name", services[service]), kv("service.version", f"1.{service}.0"),
                                       kv("deployment.environment", "prod")])
        ss = rs.scope_spans.add()
        ss.scope.name, ss.scope.version = "opentelemetry.instrumentation.flask", "0.48b0"
        ss.spans.extend(spans)
    return request.SerializeToString()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--bodies", type=int, default=400)
    parser.add_argument("--dump", help="write one body to this file (for `lookout-bench otlp FILE`) and stop")
    args = parser.parse_args()
    if args.dump:
        Path(args.dump).write_bytes(body(random.Random(7), [f"service-{i}" for i in range(20)], time.time_ns()))
        return
    binary = os.environ.get("LOOKOUT_BIN", str(REPO / ".build/release/lookout"))
    rng = random.Random(7)
    services = [f"service-{i}" for i in range(20)]
    now = time.time_ns()
    bodies = [body(rng, services, now + i * 10**9) for i in range(args.bodies)]
    print(f"# {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores: {len(bodies)} bodies of 1,000 spans, "
          f"{sum(map(len, bodies)) / len(bodies) / 1000:.0f} kB each (protobuf), {args.connections} connections, {args.seconds:.0f} s")
    work = Path(tempfile.mkdtemp(prefix="lookout-bench-spans-"))
    port = free_port()
    (work / "lookout.yaml").write_text(
        f"server: {{listen: 127.0.0.1:{port}, max_body_bytes: 16MiB}}\nstorage: {{path: {work / 'data'}, fsync: batch}}\n")
    log = open(work / "lookout.log", "wb")
    server = subprocess.Popen([binary, "serve", "--config", str(work / "lookout.yaml")], stdout=log, stderr=log)
    acknowledged = [0] * args.connections
    failures = [0] * args.connections
    try:
        deadline = time.time() + 60
        while not (server.poll() is None and _ready(port)):
            if time.time() > deadline or server.poll() is not None:
                raise RuntimeError("lookout did not become ready")
            time.sleep(0.2)
        stop = time.time() + args.seconds
        before = cpu_seconds(server.pid)

        def post(n):
            connection = http.client.HTTPConnection("127.0.0.1", port)
            i = n
            while time.time() < stop:
                connection.request("POST", "/v1/traces", bodies[i % len(bodies)], {"Content-Type": "application/x-protobuf"})
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    acknowledged[n] += 1000
                else:
                    failures[n] += 1
                i += args.connections

        threads = [threading.Thread(target=post, args=(n,)) for n in range(args.connections)]
        started = time.time()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.time() - started
        cpu = cpu_seconds(server.pid) - before
        spans = sum(acknowledged)
        print(f"ingest: {spans} spans acknowledged in {wall:.1f} s = {spans / wall:,.0f} spans/s wall; "
              f"server CPU {cpu:.2f} s = {spans / cpu:,.0f} spans per CPU-second; {sum(failures)} requests refused")
    finally:
        server.terminate()
        server.wait(timeout=120)
    traces = sum(f.stat().st_size for f in (work / "data" / "traces").iterdir())
    index = sum((work / "data" / name).stat().st_size for name in ("index.sqlite", "index.sqlite-wal")
                if (work / "data" / name).exists())
    whole = sum(f.stat().st_size for f in (work / "data").rglob("*") if f.is_file())
    spans = sum(acknowledged)
    # The span tables alone: index.sqlite also holds the span metrics' series, a cost per series, not per span.
    db = sqlite3.connect(work / "data" / "index.sqlite")
    span_tables = db.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'span_%'").fetchone()[0] or 0
    db.close()
    print(f"stored: blocks {traces / spans:.1f} bytes/span + span tables {span_tables / spans:.1f} bytes/span = "
          f"{(traces + span_tables) / spans:.1f} bytes/span; index.sqlite {index / spans:.1f} bytes/span and the whole data dir "
          f"{whole / spans:.1f} bytes/span with the span metrics' series and the WAL checkpoint "
          f"(OTLP protobuf on the wire: {sum(map(len, bodies)) / len(bodies) / 1000:.0f} bytes/span)")


def _ready(port):
    try:
        return http_get(f"http://127.0.0.1:{port}/-/ready", timeout=2)[0] == 200
    except OSError:
        return False


if __name__ == "__main__":
    main()
