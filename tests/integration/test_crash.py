"""SIGKILL while scraping loses nothing that reached the WAL."""
import signal
import time

from conftest import wait_for

CONFIG = """
global: {scrape_interval: 200ms, scrape_timeout: 150ms}
storage: {fsync: batch}
scrape_configs:
  - job_name: app
    static_configs: [{targets: ["127.0.0.1:%(app)d"]}]
"""


def raw_samples(lookout, expr):
    data = lookout.query(expr)
    return {tuple(sorted(r["metric"].items())): [tuple(v) for v in r["values"]] for r in data["result"]}


def test_sigkill_then_restart_keeps_every_sample(lookout_factory, python_exporter):
    app_port, _ = python_exporter
    lookout = lookout_factory(CONFIG % {"app": app_port}).start()
    wait_for(lambda: len(lookout.query("it_requests_total[1h]")["result"]) == 1
             and len(lookout.query("it_requests_total[1h]")["result"][0]["values"]) >= 10, what="ten scrapes")

    before = {}
    for expr in ("it_requests_total[1h]", "up[1h]", "it_latency_seconds_bucket[1h]"):
        before[expr] = raw_samples(lookout, expr)
    lookout.stop(sig=signal.SIGKILL)

    lookout.start()
    for expr, series in before.items():
        after = raw_samples(lookout, expr)
        for key, samples in series.items():
            assert key in after, f"{expr}: series {key} lost"
            missing = set(samples) - set(after[key])
            assert not missing, f"{expr}: {len(missing)} samples lost, e.g. {sorted(missing)[:3]}"
    assert lookout.stop() == 0


def test_restart_after_clean_stop_keeps_everything(lookout_factory, python_exporter):
    app_port, _ = python_exporter
    lookout = lookout_factory(CONFIG % {"app": app_port}).start()
    wait_for(lambda: len(lookout.query("up[1h]")["result"][0]["values"]) >= 5, what="five scrapes")
    assert lookout.stop() == 0
    # Restart without scrape configs so the comparison is exact.
    lookout.config.write_text("scrape_configs: []\n")
    lookout.start()
    first = raw_samples(lookout, "up[1h]")
    lookout.stop()
    lookout.start()
    assert raw_samples(lookout, "up[1h]") == first
    assert lookout.stop() == 0
