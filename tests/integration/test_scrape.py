"""`lookout serve` scraping real exporters: Debian's node_exporter and PyPI's prometheus_client."""
import signal
import time

from conftest import http_get, wait_for

CONFIG = """
global: {scrape_interval: 1s, scrape_timeout: 900ms}
scrape_configs:
  - job_name: lookout
    static_configs: [{targets: ["127.0.0.1:$PORT"]}]
  - job_name: node
    static_configs: [{targets: ["127.0.0.1:%(node)d"], labels: {env: test}}]
  - job_name: app
    static_configs: [{targets: ["127.0.0.1:%(app)d"]}]
"""


def up_by_job(lookout):
    data = lookout.query("up")
    return {r["metric"]["job"]: r["value"][1] for r in data["result"]}


def test_scrapes_real_exporters_and_answers_through_the_api(lookout_factory, node_exporter, python_exporter):
    node_port, _ = node_exporter
    app_port, app_process = python_exporter
    lookout = lookout_factory(CONFIG % {"node": node_port, "app": app_port}).start()

    wait_for(lambda: up_by_job(lookout) == {"lookout": "1", "node": "1", "app": "1"}, what="all targets up")

    # Target labels and the group's own labels are attached.
    data = lookout.query('node_load1{job="node"}')
    assert len(data["result"]) == 1
    metric = data["result"][0]["metric"]
    assert metric["instance"] == f"127.0.0.1:{node_port}" and metric["env"] == "test"
    assert data["result"][0]["value"][1] not in ("", None)

    # Values match what the exporter serves, through every matcher kind.
    data = lookout.query('it_fixed_value{kind=~"ans.*", job!="node", kind!~"x|y"}')
    assert [r["value"][1] for r in data["result"]] == ["42.5"]
    data = lookout.query('it_fixed_value{kind="tricky"}')
    assert data["result"][0]["value"][1] == "-0.00125"

    # The counter grows by 3 per scrape; consecutive stored samples show it.
    wait_for(lambda: len(lookout.query("it_requests_total[10s]")["result"][0]["values"]) >= 3, what="three scrapes")
    values = [float(v) for _, v in lookout.query("it_requests_total[10s]")["result"][0]["values"]]
    steps = {b - a for a, b in zip(values, values[1:])}
    assert steps == {3.0}, values

    # Scrape report series.
    for name in ("scrape_duration_seconds", "scrape_samples_scraped", "scrape_series_added",
                 "scrape_samples_post_metric_relabeling"):
        result = lookout.query(f'{name}{{job="app"}}')["result"]
        assert len(result) == 1, name
    assert float(lookout.query('scrape_samples_scraped{job="node"}')["result"][0]["value"][1]) > 10

    # Series, labels and label values APIs.
    status, body = lookout.api("/api/v1/series", **{"match[]": 'it_fixed_value{job="app"}'})
    assert status == 200 and sorted(s["kind"] for s in body["data"]) == ["answer", "tricky"]
    status, body = lookout.api("/api/v1/labels")
    assert {"__name__", "job", "instance", "env", "kind"} <= set(body["data"])
    status, body = lookout.api("/api/v1/label/job/values")
    assert body["data"] == ["app", "lookout", "node"]
    status, body = lookout.api("/api/v1/label/kind/values", **{"match[]": "it_fixed_value"})
    assert body["data"] == ["answer", "tricky"]

    # Targets API in Prometheus's shape.
    status, body = lookout.api("/api/v1/targets")
    targets = {t["labels"]["job"]: t for t in body["data"]["activeTargets"]}
    assert set(targets) == {"lookout", "node", "app"}
    assert targets["node"]["health"] == "up" and targets["node"]["lastError"] == ""
    assert targets["app"]["scrapeUrl"] == f"http://127.0.0.1:{app_port}/metrics"

    # Metadata from HELP/TYPE.
    status, body = lookout.api("/api/v1/metadata", metric="it_fixed_value")
    assert body["data"]["it_fixed_value"][0]["type"] == "gauge"

    # OpenMetrics exemplars from prometheus_client are kept and answered.
    wait_for(lambda: lookout.api("/api/v1/query_exemplars", query='it_latency_seconds_bucket{job="app"}')[1]["data"],
             what="exemplars stored")
    status, body = lookout.api("/api/v1/query_exemplars", query='it_latency_seconds_bucket{job="app"}')
    series = body["data"][0]
    assert series["seriesLabels"]["le"] == "0.5" and series["seriesLabels"]["instance"] == f"127.0.0.1:{app_port}"
    assert series["exemplars"][0]["labels"] == {"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"}
    assert series["exemplars"][0]["value"] == "0.3"

    # Lookout's own metrics are scraped and queryable.
    assert float(lookout.query('lookout_samples_appended_total')["result"][0]["value"][1]) > 0

    # A target that goes down: up becomes 0 and its series go stale at once.
    app_process.send_signal(signal.SIGTERM)
    app_process.wait()
    wait_for(lambda: up_by_job(lookout).get("app") == "0", what="app down")
    assert lookout.query("it_fixed_value")["result"] == []
    status, body = lookout.api("/api/v1/targets")
    app = [t for t in body["data"]["activeTargets"] if t["labels"]["job"] == "app"][0]
    assert app["health"] == "down" and app["lastError"] != ""

    # SIGTERM: graceful stop, exit 0.
    assert lookout.stop() == 0


def test_file_sd_targets_come_and_go(tmp_path, lookout_factory, python_exporter):
    app_port, _ = python_exporter
    sd = tmp_path / "sd"
    sd.mkdir()
    config = f"""
global: {{scrape_interval: 500ms, scrape_timeout: 400ms}}
scrape_configs:
  - job_name: discovered
    file_sd_configs: [{{files: ["{sd}/*.json"]}}]
"""
    lookout = lookout_factory(config).start()
    assert lookout.query("up")["result"] == []
    (sd / "app.json").write_text(f'[{{"targets": ["127.0.0.1:{app_port}"], "labels": {{"team": "x"}}}}]')
    wait_for(lambda: [r["metric"].get("team") for r in lookout.query("up == 1")["result"]] == ["x"],
             timeout=30, what="file_sd target scraped")
    (sd / "app.json").write_text("[]")
    wait_for(lambda: lookout.query("it_fixed_value")["result"] == [], timeout=30, what="removed target's series go stale")
    assert lookout.stop() == 0
