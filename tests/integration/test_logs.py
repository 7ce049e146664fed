"""Logs: Python's `logging` with `python-json-logger` writes JSON lines that a small shipper
posts to `/api/v1/logs`, found again through Loki's `query_range` with line filters, `| json` and
label filters; bad lines are refused by number while the good ones of the same body are kept;
and lines acknowledged before a SIGKILL are all there after restart."""
import io
import urllib.parse
import json
import logging
import re
import signal

try:
    from pythonjsonlogger import json as jsonlogger
except ImportError:  # python-json-logger before 3.1
    from pythonjsonlogger import jsonlogger

from conftest import http_get, http_post

CONFIG = "storage: {fsync: batch}\nlogs: {stream_labels: [service, level]}\n"
NDJSON = {"Content-Type": "application/x-ndjson"}


def head_lines(url):
    status, body = http_get(url + "/metrics")
    assert status == 200
    match = re.search(rb"^lookout_logs_head_lines (\S+)$", body, re.M)
    return float(match.group(1)) if match else None


def loki(url, path, **params):
    status, body = http_get(f"{url}/loki/api/v1/{path}?{urllib.parse.urlencode(params)}")
    return status, (json.loads(body) if status == 200 else body.decode())


def lines_of(answer):
    return [v[1] for stream in answer["data"]["result"] for v in stream["values"]]


def json_log_lines(count):
    """What a service's JSON logger writes: python-json-logger with the keys renamed as Lookout reads them."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(jsonlogger.JsonFormatter("%(asctime)s %(levelname)s %(message)s",
                                                  rename_fields={"levelname": "level", "asctime": "time"},
                                                  datefmt="%Y-%m-%dT%H:%M:%S%z"))
    logger = logging.getLogger("checkout-test")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    for i in range(count):
        logger.warning("payment retry %d", i, extra={"service": "checkout", "order": {"id": i}, "trace_id": "0af7651916cd43dd8448eb211c80319c"})
    return out.getvalue()


def test_json_logger_lines_are_stored_and_bad_ones_refused_by_number(lookout_factory):
    lookout = lookout_factory(CONFIG).start()
    text = json_log_lines(5)
    assert all(json.loads(line)["level"] == "WARNING" for line in text.splitlines())
    status, body = http_post(lookout.url + "/api/v1/logs", text.encode(), NDJSON)
    assert status == 200, body
    assert json.loads(body) == {"accepted": 5, "rejected": 0}

    mixed = b'{"msg":"ok one","service":"cart"}\nnot json\n{"msg":"ok two","service":"cart","ts":"soon"}\n{"msg":"ok three","service":"cart"}\n'
    status, body = http_post(lookout.url + "/api/v1/logs", mixed, NDJSON)
    assert status == 400
    answer = json.loads(body)
    assert answer["accepted"] == 2 and answer["rejected"] == 2
    assert [e["line"] for e in answer["errors"]] == [2, 3]
    assert "not a JSON object" in answer["errors"][0]["error"]

    status, body = http_post(lookout.url + "/api/v1/logs", b'[{"msg":"a","service":"cart"},{"msg":"b","service":"cart"}]',
                             {"Content-Type": "application/json"})
    assert status == 200 and json.loads(body)["accepted"] == 2
    status, _ = http_post(lookout.url + "/api/v1/logs", b"x", {"Content-Type": "text/csv"})
    assert status == 415
    assert head_lines(lookout.url) == 9

    status, answer = loki(lookout.url, "query_range", query='{service="checkout"} |= "retry 3"', start="0")
    assert status == 200 and answer["data"]["resultType"] == "streams", answer
    stream = answer["data"]["result"][0]["stream"]
    assert stream["service"] == "checkout" and stream["level"] == "warn", stream
    assert stream["order_id"] == "3" and stream["trace_id"] == "0af7651916cd43dd8448eb211c80319c", "structured fields travel as labels"
    assert lines_of(answer) == ["payment retry 3"]
    status, answer = loki(lookout.url, "query_range", query='{service=~"c.*"} != "ok" | order_id >= 3', start="0", limit="10")
    assert lines_of(answer) == ["payment retry 4", "payment retry 3"], answer
    status, answer = loki(lookout.url, "query_range", query='{service="cart"}', start="0", direction="forward")
    assert sorted(lines_of(answer)) == ["a", "b", "ok one", "ok three"]
    status, answer = loki(lookout.url, "labels", start="0")
    assert answer["data"] == ["level", "service"]
    status, answer = loki(lookout.url, "label/service/values", start="0")
    assert answer["data"] == ["cart", "checkout"]
    status, answer = loki(lookout.url, "series", **{"match[]": '{service="cart"}', "start": "0"})
    assert answer["data"] == [{"level": "unknown", "service": "cart"}], answer
    status, answer = loki(lookout.url, "index/stats", query='{service=~".+"}', start="0")
    assert answer["streams"] == 2 and answer["entries"] == 9 and answer["bytes"] > 0, answer
    status, answer = loki(lookout.url, "index/volume", query='{service=~".+"}', start="0")
    assert {r["metric"]["service"] for r in answer["data"]["result"]} == {"cart", "checkout"}, answer
    status, answer = loki(lookout.url, "detected_fields", query='{service="checkout"}', start="0")
    fields = {f["label"]: f for f in answer["fields"]}
    assert fields["order_id"]["type"] == "int" and fields["order_id"]["cardinality"] == 5, fields
    status, answer = loki(lookout.url, "detected_field/order_id/values", query='{service="checkout"}', start="0")
    assert answer["values"] == ["0", "1", "2", "3", "4"], answer
    status, text = loki(lookout.url, "query_range", query='{service="cart"} |= ', start="0")
    assert status == 400 and text.startswith("parse error at line 1, col 21:"), text

    # Grafana's categorize-labels: stream labels apart, fields and parsed keys with each line.
    status, body = http_get(lookout.url + "/loki/api/v1/query_range?" + urllib.parse.urlencode(
        {"query": '{service="checkout"} |= "retry 4" | json', "start": "0"}), {"X-Loki-Response-Encoding-Flags": "categorize-labels"})
    result = json.loads(body)["data"]["result"]
    assert result[0]["stream"] == {"service": "checkout", "level": "warn"}, result
    ts, line, meta = result[0]["values"][0]
    assert line == "payment retry 4" and meta["structuredMetadata"]["order_id"] == "4", meta
    assert meta["parsed"]["__error__"] == "JSONParserErr", "the line is the message, not JSON"
    assert lookout.stop() == 0


def test_metric_queries_and_grafanas_health_check(lookout_factory):
    lookout = lookout_factory(CONFIG).start()
    status, body = http_post(lookout.url + "/api/v1/logs", json_log_lines(5).encode(), NDJSON)
    assert status == 200, body
    lines = b"".join(b'{"msg":"GET /x took=%dms","service":"cart","level":"%s"}\n' % (ms, level)
                     for ms, level in [(10, b"info"), (250, b"info"), (900, b"error")])
    status, body = http_post(lookout.url + "/api/v1/logs", lines, NDJSON)
    assert status == 200, body

    # Grafana's Loki data source asks this instant query as its health check.
    status, answer = loki(lookout.url, "query", query="vector(1)+vector(1)")
    assert status == 200 and answer["data"]["resultType"] == "vector", answer
    assert answer["data"]["result"][0]["value"][1] == "2"

    status, answer = loki(lookout.url, "query", query='sum by (level) (count_over_time({service=~".+"}[1h]))')
    assert status == 200, answer
    counts = {r["metric"]["level"]: r["value"][1] for r in answer["data"]["result"]}
    assert counts == {"warn": "5", "info": "2", "error": "1"}, counts

    status, answer = loki(lookout.url, "query", query='sum(count_over_time({service="cart"} |= "took=2" [1h])) / sum(count_over_time({service="cart"}[1h]))')
    assert float(answer["data"]["result"][0]["value"][1]) == 1 / 3

    status, answer = loki(lookout.url, "query",
                          query='max_over_time({service="cart"} | regexp `took=(?P<took>\\S+)` | unwrap duration(took) [1h]) by (service)')
    assert status == 200, answer
    assert answer["data"]["result"] == [{"metric": {"service": "cart"}, "value": answer["data"]["result"][0]["value"]}]
    assert float(answer["data"]["result"][0]["value"][1]) == 0.9

    import time
    now = int(time.time())
    status, answer = loki(lookout.url, "query_range", query='sum(rate({service="checkout"}[5m]))',
                          start=str(now - 600), end=str(now), step="60")
    assert status == 200 and answer["data"]["resultType"] == "matrix", answer
    values = answer["data"]["result"][0]["values"]
    # The lines were written just now: only the last step's window (now - 5m, now] holds them.
    assert values == [[now, str(5 / 300)]], values
    assert "totalLinesProcessed" in answer["data"]["stats"]["summary"]

    # `lookout logs`: lines oldest first with time, level and labels; a metric query as a table.
    import subprocess
    from conftest import LOOKOUT_BIN
    out = subprocess.run([LOOKOUT_BIN, "logs", '{service="cart"} |= "took"', "--url", lookout.url, "--since", "1h"],
                         capture_output=True, text=True, timeout=30, env={"NO_COLOR": "1"})
    assert out.returncode == 0, out.stderr
    printed = out.stdout.splitlines()
    assert sorted(l.split(" ", 1)[1] for l in printed) == sorted(['INFO  {service="cart"} GET /x took=10ms', 'INFO  {service="cart"} GET /x took=250ms',
                                                     'ERROR {service="cart"} GET /x took=900ms']), printed
    out = subprocess.run([LOOKOUT_BIN, "logs", 'sum by (level) (count_over_time({service="cart"}[1h]))', "--url", lookout.url],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and "error" in out.stdout and "info" in out.stdout, out.stdout + out.stderr
    out = subprocess.run([LOOKOUT_BIN, "logs", '{service="cart"} |=', "--url", lookout.url], capture_output=True, text=True, timeout=30)
    assert out.returncode == 1 and "parse error at line 1" in out.stderr, out.stderr

    status, text = loki(lookout.url, "query", query='sum_over_time({service="cart"}[5m])')
    assert status == 400 and "invalid aggregation sum_over_time without unwrap" in text, text
    assert lookout.stop() == 0


def test_acknowledged_lines_survive_sigkill(lookout_factory):
    lookout = lookout_factory(CONFIG).start()
    for _ in range(10):
        status, _ = http_post(lookout.url + "/api/v1/logs", json_log_lines(30).encode(), NDJSON)
        assert status == 200
    lookout.stop(sig=signal.SIGKILL)
    lookout.start()
    assert head_lines(lookout.url) == 300
    status, answer = loki(lookout.url, "query_range", query='{service="checkout"}', start="0", limit="1000")
    assert len(lines_of(answer)) == 300
    assert lookout.stop() == 0
