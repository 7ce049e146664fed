"""Logs from real clients: the OpenTelemetry Python SDK's log exporter into `/v1/logs` (a line
inside a span leads to its trace through the Jaeger API), `python-logging-loki` and a snappy
protobuf push built from Loki's `push.proto` field numbers into `/loki/api/v1/push`, each found
again by LogQL; and a tenant's token labelling and rate-limiting its pushes."""
import json
import logging
import time
import urllib.parse

import logging_loki
import snappy
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

from conftest import http_get, http_post

CONFIG = "storage: {fsync: batch}\n"


def loki(url, path, headers=None, **params):
    status, body = http_get(f"{url}/loki/api/v1/{path}?{urllib.parse.urlencode(params)}", headers)
    return status, (json.loads(body) if status == 200 else body.decode())


def entries(answer):
    return [(stream["stream"], v[1]) for stream in answer["data"]["result"] for v in stream["values"]]


def test_otel_sdk_logs_lead_to_their_trace(lookout_factory):
    lookout = lookout_factory(CONFIG).start()
    resource = Resource.create({"service.name": "shop", "deployment.environment": "test"})
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=lookout.url + "/v1/traces", timeout=10)))
    logger_provider = LoggerProvider(resource=resource)
    logger_provider.add_log_record_processor(SimpleLogRecordProcessor(OTLPLogExporter(endpoint=lookout.url + "/v1/logs", timeout=10)))
    logger = logging.getLogger("shop-otel-test")
    logger.handlers[:] = [LoggingHandler(logger_provider=logger_provider)]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    tracer = tracer_provider.get_tracer("shop")
    with tracer.start_as_current_span("checkout") as span:
        trace_id = format(span.get_span_context().trace_id, "032x")
        logger.error("payment failed: card declined", extra={"order.id": "A-7"})
    logger.info("order accepted")
    tracer_provider.shutdown()
    logger_provider.shutdown()

    status, answer = loki(lookout.url, "query_range", query='{service="shop"} |= "card declined"', start="0")
    assert status == 200, answer
    (labels, line), = entries(answer)
    assert line == "payment failed: card declined"
    assert labels["level"] == "error" and labels["order_id"] == "A-7" and labels["deployment_environment"] == "test", labels
    assert labels["trace_id"] == trace_id
    status, body = http_get(f"{lookout.url}/jaeger/api/traces/{labels['trace_id']}")
    assert status == 200
    assert [s["operationName"] for s in json.loads(body)["data"][0]["spans"]] == ["checkout"]
    status, answer = loki(lookout.url, "query", query='sum by (level) (count_over_time({service="shop"}[1h]))')
    assert {r["metric"]["level"]: r["value"][1] for r in answer["data"]["result"]} == {"error": "1", "info": "1"}
    assert lookout.stop() == 0


def test_python_logging_loki_pushes_are_found(lookout_factory):
    lookout = lookout_factory(CONFIG).start()
    handler = logging_loki.LokiHandler(url=lookout.url + "/loki/api/v1/push", tags={"service": "billing"}, version="1")
    logger = logging.getLogger("billing-loki-test")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.error("invoice 42 failed")
    logger.warning("invoice 43 slow")
    status, answer = loki(lookout.url, "query_range", query='{service="billing", severity="error"}', start="0")
    assert status == 200, answer
    (labels, line), = entries(answer)
    assert line == "invoice 42 failed" and labels["logger"] == "billing-loki-test", labels
    status, answer = loki(lookout.url, "label/severity/values", start="0")
    assert answer["data"] == ["error", "warning"]
    assert lookout.stop() == 0


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number, payload):
    """A length-delimited protobuf field."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def push_request(labels, lines, seconds):
    """`logproto.PushRequest` by Loki's field numbers: streams=1 {labels=1, entries=2 {timestamp=1 {seconds=1, nanos=2}, line=2, structuredMetadata=3}}."""
    entries_bytes = b""
    for i, line in enumerate(lines):
        timestamp = varint(1 << 3) + varint(seconds + i) + varint(2 << 3) + varint(250)
        metadata = field(1, b"user") + field(2, b"ada")
        entries_bytes += field(2, field(1, timestamp) + field(2, line.encode()) + field(3, metadata))
    return field(1, field(1, labels.encode()) + entries_bytes)


def test_snappy_protobuf_push_and_bad_pushes(lookout_factory):
    lookout = lookout_factory(CONFIG).start()
    now = int(time.time())
    body = snappy.compress(push_request('{service="edge", region="eu"}', ["GET / 200", "GET /x 404"], now - 5))
    status, text = http_post(lookout.url + "/loki/api/v1/push", body, {"Content-Type": "application/x-protobuf"})
    assert status == 204, text
    status, answer = loki(lookout.url, "query_range", query='{service="edge"} |= "404"', start="0")
    (labels, line), = entries(answer)
    assert line == "GET /x 404" and labels == {"service": "edge", "region": "eu", "user": "ada"}, labels
    assert answer["data"]["result"][0]["values"][0][0] == str((now - 4) * 1_000_000_000 + 250)

    status, text = http_post(lookout.url + "/loki/api/v1/push", b"\xff\xfe not snappy", {"Content-Type": "application/x-protobuf"})
    assert status == 400 and b"snappy" in text, text
    status, text = http_post(lookout.url + "/loki/api/v1/push", snappy.compress(push_request("service=edge", ["x"], now)),
                             {"Content-Type": "application/x-protobuf"})
    assert status == 400 and b"error parsing labels" in text, text
    mixed = json.dumps({"streams": [{"stream": {"service": "edge"}, "values": [[str(now * 10**9), "kept"], ["soon", "bad time"],
                                                                              [str(now * 10**9), "x" * (300 * 1024)]]}]})
    status, text = http_post(lookout.url + "/loki/api/v1/push", mixed.encode(), {"Content-Type": "application/json"})
    assert status == 400 and b"line too long" in text and b"Unix nanoseconds" in text, text
    status, answer = loki(lookout.url, "query_range", query='{service="edge"} |= "kept"', start="0")
    assert [line for _, line in entries(answer)] == ["kept"], "good entries of a refused push are kept"
    status, body = http_get(lookout.url + "/metrics")
    assert b'lookout_logs_refused_total{reason="invalid_line"} 2' in body
    assert lookout.stop() == 0


def test_a_tenants_token_labels_and_rate_limits_its_pushes(tmp_path, lookout_factory):
    (tmp_path / "team.token").write_text("team-secret\n")
    (tmp_path / "admin.token").write_text("admin-secret\n")
    config = f"""
storage: {{fsync: batch}}
server:
  auth:
    tokens:
      - {{token_file: {tmp_path}/team.token, role: ingest, tenant: team-a}}
      - {{token_file: {tmp_path}/admin.token, role: admin}}
limits: {{ingestion_rate_mb: 0.001, ingestion_burst_mb: 0.002}}
"""
    lookout = lookout_factory(config).start()
    team = {"Authorization": "Bearer team-secret", "Content-Type": "application/x-ndjson"}
    big = b'{"msg":"first","service":"api"}\n' + b"".join(b'{"msg":"%s","service":"api"}\n' % (b"y" * 500) for _ in range(5))
    status, body = http_post(lookout.url + "/api/v1/logs", big, team)
    assert status == 200, "a push larger than the burst passes on a full bucket, leaving it in debt"
    status, body = http_post(lookout.url + "/api/v1/logs", b'{"msg":"over","service":"api"}\n', team)
    assert status == 429, body
    assert b"ingestion rate limit exceeded for tenant team-a" in body
    status, answer = loki(lookout.url, "query_range", {"Authorization": "Bearer admin-secret"}, query='{tenant="team-a"} |= "first"', start="0")
    assert status == 200, answer
    assert entries(answer)[0][0] == {"service": "api", "level": "unknown", "tenant": "team-a"}
    status, body = http_get(lookout.url + "/metrics")
    assert b'lookout_logs_refused_total{reason="rate_limited"} 1' in body
    assert lookout.stop() == 0


def test_live_tail_over_websocket(tmp_path, lookout_factory):
    import websocket
    lookout = lookout_factory(CONFIG).start()
    ndjson = {"Content-Type": "application/x-ndjson"}
    status, _ = http_post(lookout.url + "/api/v1/logs", b'{"msg":"before","service":"tailme"}\n', ndjson)
    assert status == 200
    query = urllib.parse.urlencode({"query": '{service="tailme"} != "skip"', "start": str(time.time_ns() - 60 * 10**9)})
    ws = websocket.create_connection(f"ws://127.0.0.1:{lookout.port}/loki/api/v1/tail?{query}", timeout=10)
    first = json.loads(ws.recv())
    assert [v[1] for s in first["streams"] for v in s["values"]] == ["before"], first
    assert "dropped_entries" in first
    for line in [b"after one", b"skip me", b"after two"]:
        status, _ = http_post(lookout.url + "/api/v1/logs", b'{"msg":"%s","service":"tailme"}\n' % line, ndjson)
        assert status == 200
    got = []
    deadline = time.time() + 10
    while len(got) < 2 and time.time() < deadline:
        message = json.loads(ws.recv())
        got += [v[1] for s in message["streams"] for v in s["values"]]
        assert all(s["stream"]["service"] == "tailme" for s in message["streams"])
    assert got == ["after one", "after two"], got
    ws.close()
    # Without an upgrade, or with a bad query, the path answers 400 saying why.
    status, text = loki(lookout.url, "tail", query='{service="tailme"}')
    assert status == 400 and "WebSocket" in text, text
    # A bad query is answered with a close frame (1008) that says why.
    bad = websocket.create_connection(f"ws://127.0.0.1:{lookout.port}/loki/api/v1/tail?query=%7B", timeout=5)
    opcode, frame = bad.recv_data_frame(True)
    assert opcode == websocket.ABNF.OPCODE_CLOSE and frame.data[:2] == b"\x03\xf0", frame.data
    assert b"parse error at line 1" in frame.data[2:], frame.data
    assert lookout.stop() == 0
