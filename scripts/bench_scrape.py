#!/usr/bin/env python3
"""Scrape cost side by side: Lookout and Prometheus 2.42 scrape the same targets at the same time.

N loopback targets (default 50) serve `Tests/Fixtures/exposition/node_exporter.prom`; Lookout and
Prometheus each scrape all of them every second. After a warm-up, the CPU seconds each server
uses over the measured window (utime + stime from /proc/<pid>/stat) are divided by the samples it
scraped in that window (`sum(sum_over_time(scrape_samples_scraped[window]))` from its own API), and
its RSS is read at the end. Prints one line per server and the Lookout/Prometheus ratios.

    LOOKOUT_BIN=.build/release/lookout python3 scripts/bench_scrape.py [--targets 50] [--warmup 10] [--window 40]
"""
import argparse
import asyncio
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
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from httpsupport import http_get  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def serve_targets(body, ports):
    """Serves `body` as text 0.0.4 on every port, from one asyncio loop on a daemon thread."""
    header = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: "
              + str(len(body)).encode() + b"\r\n\r\n")

    async def handle(reader, writer):
        try:
            while True:
                request = await reader.readuntil(b"\r\n\r\n")
                if not request:
                    break
                writer.write(header + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    async def main():
        servers = [await asyncio.start_server(handle, "127.0.0.1", p) for p in ports]
        await asyncio.gather(*(s.serve_forever() for s in servers))

    threading.Thread(target=lambda: asyncio.run(main()), daemon=True).start()


def distinct_ports(n):
    """`n` free loopback ports, all different (each is held until all are chosen)."""
    sockets = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def query(url, expr):
    status, body = http_get(url + "/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
    result = json.loads(body)["data"]["result"]
    return float(result[0]["value"][1]) if result else 0.0


def wait_ready(url, process, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: server exited with {process.returncode}")
        try:
            if http_get(url + "/-/ready", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready after {timeout}s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=50)
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--window", type=float, default=40)
    args = parser.parse_args()
    lookout_bin = os.environ.get("LOOKOUT_BIN", str(REPO / ".build/release/lookout"))
    prometheus_bin = os.environ.get("PROMETHEUS_BIN", shutil.which("prometheus") or "/usr/bin/prometheus")
    body = (REPO / "Tests/Fixtures/exposition/node_exporter.prom").read_bytes()
    *ports, lookout_port, prometheus_port = distinct_ports(args.targets + 2)
    serve_targets(body, ports)
    targets = json.dumps([f"127.0.0.1:{p}" for p in ports])
    work = Path(tempfile.mkdtemp(prefix="lookout-bench-scrape-"))
    processes = []
    try:
        scrape = (f"global: {{scrape_interval: 1s, scrape_timeout: 1s}}\n"
                  f"scrape_configs:\n  - job_name: node\n    static_configs: [{{targets: {targets}}}]\n")
        (work / "lookout.yaml").write_text(
            f"server: {{listen: 127.0.0.1:{lookout_port}}}\nstorage: {{path: {work / 'lookout-data'}}}\n" + scrape)
        (work / "prometheus.yml").write_text(scrape)
        servers = {
            "lookout": ([lookout_bin, "serve", "--config", str(work / "lookout.yaml")], lookout_port),
            "prometheus": ([prometheus_bin, f"--config.file={work / 'prometheus.yml'}",
                            f"--storage.tsdb.path={work / 'prometheus-data'}",
                            f"--web.listen-address=127.0.0.1:{prometheus_port}"], prometheus_port),
        }
        urls = {}
        for name, (argv, port) in servers.items():
            log = open(work / f"{name}.log", "wb")
            processes.append((name, subprocess.Popen(argv, stdout=log, stderr=log)))
            urls[name] = f"http://127.0.0.1:{port}"
        for name, process in processes:
            wait_ready(urls[name], process)
        print(f"# {args.targets} targets x {len(body)} bytes (node_exporter.prom), every 1 s; "
              f"warm-up {args.warmup:g} s, window {args.window:g} s; {os.cpu_count()} cores", flush=True)
        time.sleep(args.warmup)
        start = {name: cpu_seconds(p.pid) for name, p in processes}
        time.sleep(args.window)
        figures = {}
        for name, process in processes:
            cpu = cpu_seconds(process.pid) - start[name]
            samples = query(urls[name], f"sum(sum_over_time(scrape_samples_scraped[{int(args.window)}s]))")
            per_scrape = query(urls[name], "sum(scrape_samples_scraped)")
            if samples == 0:
                raise RuntimeError(f"{name} scraped nothing; its log ends:\n" + (work / f"{name}.log").read_text()[-2000:])
            figures[name] = (cpu, samples, rss_mib(process.pid))
            print(f"{name:10s} cpu {cpu:6.2f} s  samples {samples:12.0f}  "
                  f"cpu/sample {cpu / max(samples, 1) * 1e9:7.1f} ns  rss {figures[name][2]:6.1f} MiB  "
                  f"sum(scrape_samples_scraped) {per_scrape:.0f}", flush=True)
        (lc, ls, lr), (pc, ps, pr) = figures["lookout"], figures["prometheus"]
        print(f"ratio lookout/prometheus: cpu per sample {(lc / max(ls, 1)) / (pc / max(ps, 1)):.2f}, rss {lr / pr:.2f}")
    finally:
        for _, process in processes:
            process.terminate()
        for _, process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
