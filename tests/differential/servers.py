"""Start Prometheus 2.42 and Lookout over the same generated data, on free loopback ports.

Both are backfilled from one OpenMetrics file (tests/differential/generate.py) into temp
dirs: Prometheus via `promtool tsdb create-blocks-from openmetrics`, Lookout via
`lookout import`. Used by compare.py, bench.py and test_differential.py.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO / "tests"))
from httpsupport import free_port, http_get  # noqa: E402

LOOKOUT_BIN = os.environ.get("LOOKOUT_BIN", str(REPO / ".build" / "debug" / "lookout"))
PROMETHEUS_BIN = os.environ.get("PROMETHEUS_BIN", shutil.which("prometheus") or "/usr/bin/prometheus")
PROMTOOL_BIN = os.environ.get("PROMTOOL_BIN", shutil.which("promtool") or "/usr/bin/promtool")


def _status(url, timeout=5):
    """The HTTP status of GET `url`, or None when nothing answers."""
    try:
        return http_get(url, timeout=timeout)[0]
    except OSError:
        return None


class Server:
    def __init__(self, name, argv, port, log_path):
        self.name, self.argv, self.port, self.log_path = name, argv, port, log_path
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=60):
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(self.argv, stdout=self.log, stderr=self.log)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; log {self.log_path}:\n"
                                   + Path(self.log_path).read_text()[-3000:])
            if _status(self.url + "/-/ready") == 200:
                return self
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout}s; log {self.log_path}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "log", None):
            self.log.close()


class Pair:
    """Context manager: generate data, backfill both stores, start both servers."""

    def __init__(self, workdir=None, seed=None, keep=False):
        self.own_dir = workdir is None
        self.dir = Path(workdir or tempfile.mkdtemp(prefix="lookout-diff-"))
        self.seed = seed
        self.keep = keep
        self.prometheus = self.lookout = None

    def setup(self):
        d = self.dir
        data = d / "data.om"
        cmd = [sys.executable, str(HERE / "generate.py"), str(data)]
        if self.seed is not None:
            cmd += ["--seed", str(self.seed)]
        subprocess.run(cmd, check=True)
        cfg = d / "empty.yml"
        cfg.write_text("scrape_configs: []\n")
        pdata, ldata = d / "prometheus-data", d / "lookout-data"
        pdata.mkdir(parents=True, exist_ok=True)
        subprocess.run([PROMTOOL_BIN, "tsdb", "create-blocks-from", "openmetrics", str(data), str(pdata)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        subprocess.run([LOOKOUT_BIN, "import", str(data), "--data", str(ldata)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        pport, lport = free_port(), free_port()
        while lport == pport:
            lport = free_port()
        self.prometheus = Server("prometheus", [
            PROMETHEUS_BIN, f"--config.file={cfg}", f"--storage.tsdb.path={pdata}",
            f"--web.listen-address=127.0.0.1:{pport}", "--storage.tsdb.retention.time=100y",
            "--query.lookback-delta=5m", "--query.max-samples=50000000", "--log.level=warn",
        ], pport, d / "prometheus.log")
        self.lookout = Server("lookout", [
            LOOKOUT_BIN, "serve", "--config", str(cfg), "--listen", f"127.0.0.1:{lport}", "--data", str(ldata),
        ], lport, d / "lookout.log")
        self.prometheus.start()
        self.lookout.start()
        return self

    def teardown(self):
        for s in (self.lookout, self.prometheus):
            if s:
                s.stop()
        if self.own_dir and not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        try:
            return self.setup()
        except BaseException:
            self.teardown()
            raise

    def __exit__(self, *exc):
        self.teardown()
