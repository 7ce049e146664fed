"""A small prometheus_client exporter for integration tests: fixed values the tests can check,
a counter that grows on every scrape, and a histogram with an exemplar (served when the scraper
asks for OpenMetrics)."""
import sys
import time

from prometheus_client import Counter, Gauge, Histogram, start_http_server
from prometheus_client.core import REGISTRY

FIXED = Gauge("it_fixed_value", "A value the tests know.", ["kind"])
FIXED.labels(kind="answer").set(42.5)
FIXED.labels(kind="tricky").set(-1.25e-3)
REQUESTS = Counter("it_requests", "Grows by 3 on every scrape.", ["path"])
LATENCY = Histogram("it_latency_seconds", "Observed on every scrape.", buckets=[0.1, 0.5, 1])


class GrowOnCollect:
    def collect(self):
        REQUESTS.labels(path="/api").inc(3)
        LATENCY.observe(0.3, exemplar={"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"})
        return []


REGISTRY.register(GrowOnCollect())

if __name__ == "__main__":
    start_http_server(int(sys.argv[1]), addr="127.0.0.1")
    while True:
        time.sleep(3600)
