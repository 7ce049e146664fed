"""Shared helpers for Lookout's integration tests: free ports, a managed `lookout serve`,
real exporters, and small HTTP helpers. Every server binds to 127.0.0.1 and is stopped after."""
import json
import os
import signal
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO / "tests"))
from httpsupport import free_port, http_get, http_post, wait_for  # noqa: E402,F401 - re-exported to the tests
LOOKOUT_BIN = os.path.abspath(os.environ.get("LOOKOUT_BIN", str(REPO / ".build" / "debug" / "lookout")))


class Lookout:
    """One `lookout serve` process with its own config and data directory."""

    def __init__(self, tmp_path, config_text, port=None, extra_args=()):
        self.port = port or free_port()
        self.dir = Path(tmp_path)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.data = self.dir / "data"
        self.config = self.dir / "lookout.yaml"
        self.config.write_text(config_text.replace("$PORT", str(self.port)))
        self.extra_args = list(extra_args)
        self.log = self.dir / "lookout.log"
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait_ready=True):
        self.log_handle = open(self.log, "ab")
        self.process = subprocess.Popen(
            [LOOKOUT_BIN, "serve", "--config", str(self.config), "--listen", f"127.0.0.1:{self.port}",
             "--data", str(self.data), *self.extra_args],
            stdout=self.log_handle, stderr=self.log_handle)
        if wait_ready:
            wait_for(lambda: self.process.poll() is None and http_get(self.url + "/-/ready")[0] == 200,
                     what=f"lookout ready (log: {self.log.read_text()[-2000:] if self.log.exists() else ''})")
        return self

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError("lookout did not stop in time after " + str(sig))
        if getattr(self, "log_handle", None):
            self.log_handle.close()
        return self.process.returncode if self.process else None

    def api(self, path, **params):
        query = urllib.parse.urlencode(params, doseq=True)
        status, body = http_get(f"{self.url}{path}?{query}")
        return status, json.loads(body)

    def query(self, expr, **params):
        status, body = self.api("/api/v1/query", query=expr, **params)
        assert status == 200, body
        assert body["status"] == "success", body
        return body["data"]


@pytest.fixture
def lookout_factory(tmp_path):
    started = []

    def make(config_text, **kwargs):
        instance = Lookout(tmp_path / f"lookout{len(started)}", config_text, **kwargs)
        started.append(instance)
        return instance

    yield make
    for instance in started:
        if instance.process and instance.process.poll() is None:
            instance.process.kill()
            instance.process.wait()


@pytest.fixture
def python_exporter():
    """A prometheus_client exporter (PyPI) on loopback, serving tests/integration/exporter.py's registry."""
    port = free_port()
    process = subprocess.Popen([sys.executable, str(HERE / "exporter.py"), str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_for(lambda: http_get(f"http://127.0.0.1:{port}/metrics")[0] == 200, what="python exporter")
    yield port, process
    if process.poll() is None:
        process.terminate()
        process.wait()


@pytest.fixture
def node_exporter(tmp_path):
    """Debian's prometheus-node-exporter on loopback."""
    port = free_port()
    process = subprocess.Popen(
        ["prometheus-node-exporter", f"--web.listen-address=127.0.0.1:{port}",
         "--collector.disable-defaults", "--collector.cpu", "--collector.meminfo", "--collector.loadavg",
         "--collector.time", "--collector.filesystem"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: http_get(f"http://127.0.0.1:{port}/metrics")[0] == 200, what="node exporter")
    yield port, process
    if process.poll() is None:
        process.terminate()
        process.wait()
