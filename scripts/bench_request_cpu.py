#!/usr/bin/env python3
"""CPU the server spends per HTTP request: starts `lookout serve` (no scrape targets), sends each
request N times over one keep-alive connection, and divides the server's CPU time (utime + stime
from /proc/<pid>/stat) by N. Runs each path in alternating rounds so drift on the machine lands
on every path alike, and prints the median of the rounds.

    LOOKOUT_BIN=.build/release/lookout python3 scripts/bench_request_cpu.py [--requests 20000] [--rounds 5]
"""
import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from httpsupport import free_port, http_get  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
PATHS = ["/api/v1/query?query=1", "/api/v1/query?query=up", "/-/healthy"]


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    binary = os.environ.get("LOOKOUT_BIN", str(REPO / ".build/release/lookout"))
    work = Path(tempfile.mkdtemp(prefix="lookout-bench-request-"))
    port = free_port()
    (work / "lookout.yaml").write_text(f"server: {{listen: 127.0.0.1:{port}}}\nstorage: {{path: {work / 'data'}}}\n")
    log = open(work / "lookout.log", "wb")
    server = subprocess.Popen([binary, "serve", "--config", str(work / "lookout.yaml")], stdout=log, stderr=log)
    try:
        deadline = time.time() + 60
        while True:
            try:
                if http_get(f"http://127.0.0.1:{port}/-/ready", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline or server.poll() is not None:
                raise RuntimeError("lookout did not become ready")
            time.sleep(0.2)
        connection = http.client.HTTPConnection("127.0.0.1", port)
        results = {path: [] for path in PATHS}
        for _ in range(args.rounds):
            for path in PATHS:
                for _ in range(200):  # warm: the query is known to be cheap from then on
                    connection.request("GET", path)
                    connection.getresponse().read()
                before = cpu_seconds(server.pid)
                for _ in range(args.requests):
                    connection.request("GET", path)
                    response = connection.getresponse()
                    response.read()
                    assert response.status == 200, (path, response.status)
                results[path].append((cpu_seconds(server.pid) - before) / args.requests * 1e6)
        print(f"# {args.requests} requests x {args.rounds} rounds per path, one keep-alive connection")
        for path, figures in results.items():
            print(f"{path:28s} {statistics.median(figures):6.1f} µs of server CPU per request "
                  f"(rounds: {', '.join(f'{f:.1f}' for f in figures)})")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
