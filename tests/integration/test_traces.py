"""Traces end to end with the real OpenTelemetry Python SDK (`opentelemetry-sdk` and
`opentelemetry-exporter-otlp-proto-http`) against `lookout serve`: each trace is found through
the Jaeger and Tempo APIs with its structure, attributes, events and status; the client→server
edge shows in `dependencies`; and spans acknowledged before a SIGKILL are all there after restart."""
import json
import signal
import subprocess
import time
import urllib.parse
import urllib.request

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode

from conftest import LOOKOUT_BIN, http_get, http_post, wait_for

CONFIG = "storage: {fsync: batch}\nspan_metrics: {interval: 1s, dimensions: [http.route]}\n"


def provider(url, service):
    p = TracerProvider(resource=Resource.create({"service.name": service, "deployment.environment": "test"}))
    # SimpleSpanProcessor exports each span as it ends and raises nothing: the export result is checked below.
    p.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=url + "/v1/traces", timeout=10)))
    return p


def emit_checkout(url):
    """frontend: GET /checkout (server) → call backend (client) → backend: POST /charge (server, error)."""
    frontend = provider(url, "frontend").get_tracer("shop.frontend", "1.2.3")
    backend_provider = provider(url, "backend")
    backend = backend_provider.get_tracer("shop.backend")
    with frontend.start_as_current_span("GET /checkout", kind=SpanKind.SERVER,
                                        attributes={"http.request.method": "GET", "http.route": "/checkout"}) as root:
        time.sleep(0.03)
        with frontend.start_as_current_span("call backend", kind=SpanKind.CLIENT, attributes={"peer.service": "backend"}) as client:
            with backend.start_as_current_span("POST /charge", kind=SpanKind.SERVER,
                                               context=trace.set_span_in_context(client)) as server:
                server.set_attribute("http.response.status_code", 502)
                server.add_event("card declined", {"card.last4": "4242"})
                server.set_status(Status(StatusCode.ERROR, "card declined"))
                time.sleep(0.01)
    backend_provider.force_flush()
    return format(root.get_span_context().trace_id, "032x"), root, client, server


def get_json(url):
    status, body = http_get(url)
    return status, json.loads(body) if body else None


def test_sdk_traces_are_found_through_jaeger_and_tempo(lookout_factory):
    lookout = lookout_factory(CONFIG).start()
    trace_id, root, client, server = emit_checkout(lookout.url)
    hexid = lambda span: format(span.get_span_context().span_id, "016x")  # noqa: E731

    status, body = get_json(f"{lookout.url}/jaeger/api/traces/{trace_id}")
    assert status == 200, body
    spans = {s["operationName"]: s for s in body["data"][0]["spans"]}
    assert set(spans) == {"GET /checkout", "call backend", "POST /charge"}
    assert spans["GET /checkout"]["references"] == []
    assert spans["call backend"]["references"] == [{"refType": "CHILD_OF", "traceID": trace_id, "spanID": hexid(root)}]
    assert spans["POST /charge"]["references"][0]["spanID"] == hexid(client)
    charge_tags = {t["key"]: t["value"] for t in spans["POST /charge"]["tags"]}
    assert charge_tags["http.response.status_code"] == 502 and charge_tags["error"] is True
    assert charge_tags["otel.status_description"] == "card declined" and charge_tags["span.kind"] == "server"
    assert spans["POST /charge"]["logs"][0]["fields"][0] == {"key": "event", "type": "string", "value": "card declined"}
    processes = body["data"][0]["processes"]
    assert {p["serviceName"] for p in processes.values()} == {"frontend", "backend"}
    assert spans["GET /checkout"]["duration"] >= 30_000  # µs

    status, body = get_json(f"{lookout.url}/jaeger/api/services")
    assert body["data"] == ["backend", "frontend"]
    status, body = get_json(f"{lookout.url}/jaeger/api/operations?service=frontend&spanKind=client")
    assert body["data"] == [{"name": "call backend", "spanKind": "client"}]
    query = urllib.parse.urlencode({"service": "frontend", "minDuration": "20ms", "tags": json.dumps({"http.route": "/checkout"})})
    status, body = get_json(f"{lookout.url}/jaeger/api/traces?{query}")
    assert status == 200 and body["total"] == 1 and body["data"][0]["traceID"] == trace_id
    query = urllib.parse.urlencode({"service": "frontend", "minDuration": "200ms"})
    assert get_json(f"{lookout.url}/jaeger/api/traces?{query}")[1]["total"] == 0
    status, body = get_json(f"{lookout.url}/jaeger/api/dependencies?endTs={int(time.time() * 1000) + 1000}&lookback=3600000")
    assert body["data"] == [{"parent": "frontend", "child": "backend", "callCount": 1}]

    status, body = get_json(f"{lookout.url}/tempo/api/v2/traces/{trace_id}")
    assert status == 200
    services = sorted(a["value"]["stringValue"] for rs in body["trace"]["resourceSpans"]
                      for a in rs["resource"]["attributes"] if a["key"] == "service.name")
    assert services == ["backend", "frontend"]
    q = urllib.parse.quote('{ resource.service.name = "backend" && status = error && span.http.response.status_code >= 500 }')
    status, body = get_json(f"{lookout.url}/tempo/api/search?q={q}")
    assert status == 200, body
    hit = body["traces"][0]
    assert hit["traceID"] == trace_id and hit["rootServiceName"] == "frontend" and hit["rootTraceName"] == "GET /checkout"
    assert hit["spanSets"][0]["spans"][0]["spanID"] == hexid(server)
    assert http_get(f"{lookout.url}/tempo/api/echo") == (200, b"echo")

    # The CLI: a waterfall of the trace, and the service's traces.
    out = subprocess.run([LOOKOUT_BIN, "trace", trace_id, "--url", lookout.url], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert lines[0].startswith(f"trace {trace_id} · 3 spans · 2 services · ")
    assert "GET /checkout" in lines[1] and lines[1].rstrip().endswith("frontend [server]")
    assert "  call backend" in lines[2] and "    POST /charge" in lines[3] and lines[3].endswith("✗ error: card declined")
    out = subprocess.run([LOOKOUT_BIN, "traces", "--service", "backend", "--errors", "--url", lookout.url],
                         capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[0].split() == ["TRACE", "START", "DURATION", "ROOT", "SERVICE", "ROOT", "SPAN"]
    assert out.splitlines()[1].startswith(trace_id) and "GET /checkout" in out.splitlines()[1]
    missing = subprocess.run([LOOKOUT_BIN, "trace", "0" * 31 + "1", "--url", lookout.url], capture_output=True, text=True)
    assert missing.returncode == 1 and "not found" in missing.stderr

    # RED metrics, the service graph and exemplars, through the Prometheus API.
    wait_for(lambda: lookout.query('traces_spanmetrics_calls_total{service="backend"}')["result"], what="span metrics written")
    calls = lookout.query('traces_spanmetrics_calls_total{service="backend"}')["result"]
    assert [r["metric"] for r in calls] == [{"__name__": "traces_spanmetrics_calls_total", "service": "backend", "span_name": "POST /charge",
                                            "span_kind": "SPAN_KIND_SERVER", "status_code": "STATUS_CODE_ERROR"}]
    assert calls[0]["value"][1] == "1"
    routed = lookout.query('traces_spanmetrics_calls_total{http_route="/checkout"}')["result"]
    assert routed and routed[0]["metric"]["service"] == "frontend"
    edge = lookout.query('traces_service_graph_request_total{client="frontend", server="backend"}')["result"]
    assert edge and edge[0]["value"][1] == "1"
    failed = lookout.query('traces_service_graph_request_failed_total')["result"]
    assert failed and failed[0]["value"][1] == "1"
    status, body = lookout.api("/api/v1/query_exemplars", query='traces_spanmetrics_latency_bucket{service="backend"}')
    assert status == 200 and body["status"] == "success", body
    exemplar = body["data"][0]["exemplars"][0]
    assert exemplar["labels"] == {"trace_id": trace_id, "span_id": hexid(server)}
    assert body["data"][0]["seriesLabels"]["__name__"] == "traces_spanmetrics_latency_bucket"
    assert lookout.stop() == 0

    # Exemplars are durable: they come back after a restart.
    lookout.start()
    status, body = lookout.api("/api/v1/query_exemplars", query='traces_spanmetrics_latency_bucket{service="backend"}')
    assert body["data"] and body["data"][0]["exemplars"][0]["labels"]["trace_id"] == trace_id
    assert lookout.stop() == 0


def test_acknowledged_spans_survive_sigkill(lookout_factory):
    lookout = lookout_factory(CONFIG).start()
    ids = [emit_checkout(lookout.url)[0] for _ in range(20)]
    lookout.stop(sig=signal.SIGKILL)
    lookout.start()
    for trace_id in ids:
        status, body = get_json(f"{lookout.url}/jaeger/api/traces/{trace_id}")
        assert status == 200 and len(body["data"][0]["spans"]) == 3, (trace_id, body)
    assert lookout.stop() == 0


def test_bad_otlp_requests_are_refused_and_lose_nothing(lookout_factory):
    lookout = lookout_factory(CONFIG).start()
    trace_id = emit_checkout(lookout.url)[0]
    for headers, body, expected in [
        ({"Content-Type": "text/plain"}, b"x", 415),
        ({"Content-Type": "application/x-protobuf"}, b"\x0a\xff\xff\xff\x0f", 400),
        ({"Content-Type": "application/json"}, b'{"resourceSpans": [', 400),
    ]:
        status, _ = http_post(lookout.url + "/v1/traces", body, headers)
        assert status == expected, (headers, body, status)
    status, body = get_json(f"{lookout.url}/jaeger/api/traces/{trace_id}")
    assert status == 200 and len(body["data"][0]["spans"]) == 3
    assert lookout.stop() == 0
