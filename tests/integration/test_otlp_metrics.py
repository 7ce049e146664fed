"""OTLP metrics from the real OpenTelemetry Python SDK (`opentelemetry-exporter-otlp-proto-http`)
into `lookout serve`, queried back with PromQL under Prometheus's OTLP names."""
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, MetricExportResult
from opentelemetry.sdk.resources import Resource

from conftest import wait_for


def test_sdk_metrics_are_queried_with_promql(lookout_factory):
    lookout = lookout_factory("storage: {fsync: batch}\n").start()
    reader = InMemoryMetricReader()
    provider = MeterProvider(resource=Resource.create({"service.name": "shop", "service.instance.id": "pod-1",
                                                      "deployment.environment": "test"}), metric_readers=[reader])
    meter = provider.get_meter("shop.metrics")
    orders = meter.create_counter("shop.orders", unit="{order}", description="Orders placed.")
    latency = meter.create_histogram("http.server.request.duration", unit="s")
    queue = meter.create_up_down_counter("queue.depth")
    orders.add(3, {"http.route": "/buy"})
    orders.add(2, {"http.route": "/buy"})
    for seconds in (0.003, 0.02, 0.4):
        latency.record(seconds, {"http.route": "/buy"})
    queue.add(5)
    queue.add(-2)

    exporter = OTLPMetricExporter(endpoint=lookout.url + "/v1/metrics", timeout=10)
    assert exporter.export(reader.get_metrics_data()) == MetricExportResult.SUCCESS

    result = lookout.query('shop_orders_total{job="shop", instance="pod-1", http_route="/buy"}')["result"]
    assert len(result) == 1 and result[0]["value"][1] == "5", result
    count = lookout.query('http_server_request_duration_seconds_count{http_route="/buy"}')["result"]
    assert count and count[0]["value"][1] == "3"
    p50 = lookout.query('histogram_quantile(0.5, http_server_request_duration_seconds_bucket)')["result"]
    # The SDK's default bounds are 0, 5, 10, 25…: all three observations fall in (0, 5].
    assert p50 and float(p50[0]["value"][1]) == 2.5, p50
    assert lookout.query("queue_depth")["result"][0]["value"][1] == "3"
    info = lookout.query('target_info{job="shop"}')["result"]
    assert info and info[0]["metric"]["deployment_environment"] == "test"
    assert lookout.stop() == 0


def test_sdk_delta_counters_are_made_cumulative(lookout_factory):
    from opentelemetry.sdk.metrics import Counter
    from opentelemetry.sdk.metrics.export import AggregationTemporality

    lookout = lookout_factory("storage: {fsync: batch}\n").start()
    reader = InMemoryMetricReader(preferred_temporality={Counter: AggregationTemporality.DELTA})
    provider = MeterProvider(resource=Resource.create({"service.name": "jobs"}), metric_readers=[reader])
    done = provider.get_meter("jobs").create_counter("jobs.done")
    exporter = OTLPMetricExporter(endpoint=lookout.url + "/v1/metrics", timeout=10)
    for n in (2, 5, 1):  # three collections, each a delta since the last
        done.add(n)
        assert exporter.export(reader.get_metrics_data()) == MetricExportResult.SUCCESS
    wait_for(lambda: lookout.query('jobs_done_total{job="jobs"}')["result"], what="delta counter stored")
    assert lookout.query('jobs_done_total{job="jobs"}')["result"][0]["value"][1] == "8"
    assert lookout.stop() == 0
