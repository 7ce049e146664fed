"""Hostile input on loopback: the server stays responsive, limits bite before the work, and a
corrupt WAL is repaired by `lookout repair`."""
import http.server
import json
import signal
import subprocess
import threading
import time
import urllib.parse

import pytest

from conftest import LOOKOUT_BIN, http_get, wait_for


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def assert_healthy_throughout(lookout, seconds):
    """Asks /-/healthy every 100 ms for `seconds`; each answer must take under one second."""
    deadline = time.time() + seconds
    slowest = 0.0
    while time.time() < deadline:
        started = time.time()
        status, _ = http_get(lookout.url + "/-/healthy", timeout=5)
        slowest = max(slowest, time.time() - started)
        assert status == 200
        time.sleep(0.1)
    assert slowest < 1.0, f"/-/healthy took {slowest:.2f} s"


@pytest.fixture
def wide_label_server():
    """Serves one sample with 80,000 labels in reverse order (about 1.3 MB), the body that made
    parsing quadratic."""
    labels = ",".join(f'l{i:06d}="v"' for i in range(80_000, 0, -1))
    body = f"wide{{{labels}}} 1\n".encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def test_a_hostile_scrape_stops_at_the_label_limit(lookout_factory, wide_label_server):
    target = f"127.0.0.1:{wide_label_server}"
    lookout = lookout_factory(f"""
scrape_configs:
  - job_name: wide-a
    scrape_interval: 1s
    label_limit: 100
    static_configs: [{{targets: ['{target}']}}]
  - job_name: wide-b
    scrape_interval: 1s
    label_limit: 100
    static_configs: [{{targets: ['{target}']}}]
""").start()
    assert_healthy_throughout(lookout, 4)
    _, body = lookout.api("/api/v1/targets")
    active = body["data"]["activeTargets"]
    assert len(active) == 2
    for t in active:
        assert t["health"] == "down"
        assert t["lastError"].startswith("label_limit exceeded: more than 100 labels (at 1:"), t["lastError"]
        assert len(t["lastError"]) <= 500
        assert t["lastScrapeDuration"] < 1.0
    assert lookout.stop() == 0


def test_a_backtracking_regex_ends_within_the_query_timeout(lookout_factory):
    lookout = lookout_factory("scrape_configs: []\nquery: {timeout: 1s}\n").start()
    results = {}

    def hostile():
        started = time.time()
        results["status"], _ = http_get(lookout.url + "/api/v1/query?" + urllib.parse.urlencode(
            {"query": 'count({__name__=~"(.*.*)*Y"})', "timeout": "1s"}), timeout=30)
        results["seconds"] = time.time() - started

    thread = threading.Thread(target=hostile)
    thread.start()
    assert_healthy_throughout(lookout, 1.5)
    thread.join(30)
    assert results["seconds"] < 2.0 and results["status"] in (200, 503)
    assert lookout.stop() == 0


def test_a_refused_query_costs_memory_in_proportion_to_its_limit(tmp_path, lookout_factory):
    # 300 series × 4,000 samples in written partitions: reading them all would take ~20 MB.
    source = tmp_path / "wide.om"
    with open(source, "w") as f:
        f.write("# TYPE m gauge\n")
        for t in range(4000):
            for s in range(300):
                f.write(f'm{{s="{s}"}} {t} {1_600_000_000 + t * 15}\n')
        f.write("# EOF\n")
    lookout = lookout_factory("scrape_configs: []\nquery: {max_samples: 1000, timeout: 10s}\n")
    result = subprocess.run([LOOKOUT_BIN, "import", str(source), "--data", str(lookout.data)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    lookout.start()
    before = rss_kib(lookout.process.pid)
    for _ in range(3):
        status, body = lookout.api("/api/v1/query", query='count(count_over_time({__name__=~".+"}[1y]))',
                                   time=str(1_600_000_000 + 4000 * 15))
        assert status == 422 and "too many samples" in body["error"], body
    growth = rss_kib(lookout.process.pid) - before
    assert growth < 8 * 1024, f"RSS grew {growth} KiB for a query refused at 1,000 samples"
    _, metrics = http_get(lookout.url + "/metrics")
    read = [line for line in metrics.decode().splitlines() if line.startswith("lookout_query_samples_read_total")]
    assert read and float(read[0].split()[1]) < 3 * 5000, read
    assert lookout.stop() == 0


def test_a_corrupt_wal_names_repair_which_opens_it_again(lookout_factory):
    lookout = lookout_factory("""
scrape_configs:
  - job_name: self
    scrape_interval: 200ms
    scrape_timeout: 200ms
    static_configs: [{targets: ['127.0.0.1:$PORT']}]
""").start()
    wait_for(lambda: len(lookout.query("up")["result"]) == 1, what="a first scrape")
    time.sleep(2)
    lookout.stop(sig=signal.SIGKILL)
    wal = lookout.data / "wal"
    segment = sorted(p for p in wal.iterdir() if p.name.isdigit())[-1]
    data = bytearray(segment.read_bytes())
    assert len(data) > 3000
    data[len(data) // 3] ^= 0x10
    segment.write_bytes(bytes(data))

    serve = subprocess.run([LOOKOUT_BIN, "serve", "--config", str(lookout.config), "--listen", "127.0.0.1:9",
                            "--data", str(lookout.data)], capture_output=True, text=True, timeout=60)
    assert serve.returncode != 0
    assert f"lookout repair --data {lookout.data}" in serve.stdout + serve.stderr

    repair = subprocess.run([LOOKOUT_BIN, "repair", "--data", str(lookout.data)], capture_output=True, text=True, timeout=60)
    assert repair.returncode == 0, repair.stderr
    assert "bad record at offset" in repair.stdout and "lost:" in repair.stdout and "originals kept in" in repair.stdout
    lookout.start()
    assert len(lookout.query("up")["result"]) == 1
    assert lookout.stop() == 0
