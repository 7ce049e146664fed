import Logging
import LookoutModel
import Testing
@testable import LookoutRules

/// Span metrics and the service graph, named and labelled as Tempo's metrics-generator writes them.
@Suite struct SpanMetricsGeneratorTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func span(_ id: UInt64, parent: UInt64 = 0, service: String, name: String, kind: SpanKind,
                     ms: UInt64, error: Bool = false, route: String? = nil) -> Span {
        Span(traceID: TraceID(high: 1, low: 1), spanID: SpanID(id), parentSpanID: SpanID(parent), name: name, kind: kind,
             startUnixNano: 1_000_000_000, endUnixNano: 1_000_000_000 + ms * 1_000_000,
             attributes: route.map { [Attribute("http.route", .string($0))] } ?? [],
             status: SpanStatus(code: error ? .error : .unset),
             resource: SpanResource(attributes: [Attribute("service.name", .string(service))]))
    }

    static func value(_ points: [SpanMetricsGenerator.Point], _ labels: [String: String]) -> Double? {
        points.first { p in labels.allSatisfy { p.labels[$0.key] == $0.value } && p.labels.count == labels.count }?.value
    }

    @Test func callsLatencyAndErrorsPerServiceSpanKindAndStatus() {
        var options = SpanMetricsOptions()
        options.dimensions = ["http.route"]
        let generator = SpanMetricsGenerator(options: options, logger: Self.logger)
        generator.observe([Self.span(1, service: "shop", name: "GET /", kind: .server, ms: 3, route: "/"),
                           Self.span(2, service: "shop", name: "GET /", kind: .server, ms: 30, route: "/"),
                           Self.span(3, service: "shop", name: "GET /", kind: .server, ms: 5, error: true, route: "/")])
        let points = generator.collect()
        let ok = ["service": "shop", "span_name": "GET /", "span_kind": "SPAN_KIND_SERVER", "status_code": "STATUS_CODE_UNSET", "http_route": "/"]
        #expect(Self.value(points, ok.merging(["__name__": "traces_spanmetrics_calls_total"]) { $1 }) == 2)
        #expect(Self.value(points, ok.merging(["__name__": "traces_spanmetrics_calls_total", "status_code": "STATUS_CODE_ERROR"]) { $1 }) == 1)
        #expect(Self.value(points, ok.merging(["__name__": "traces_spanmetrics_latency_bucket", "le": "0.004"]) { $1 }) == 1)
        #expect(Self.value(points, ok.merging(["__name__": "traces_spanmetrics_latency_bucket", "le": "0.032"]) { $1 }) == 2)
        #expect(Self.value(points, ok.merging(["__name__": "traces_spanmetrics_latency_bucket", "le": "16.384"]) { $1 }) == 2)
        #expect(Self.value(points, ok.merging(["__name__": "traces_spanmetrics_latency_bucket", "le": "+Inf"]) { $1 }) == 2)
        #expect(Self.value(points, ok.merging(["__name__": "traces_spanmetrics_latency_count"]) { $1 }) == 2)
        #expect(abs(Self.value(points, ok.merging(["__name__": "traces_spanmetrics_latency_sum"]) { $1 })! - 0.033) < 1e-9)
        let exemplar = points.first { $0.labels["le"] == "0.032" && $0.labels["status_code"] == "STATUS_CODE_UNSET" }?.exemplar
        #expect(exemplar?.spanID == SpanID(2) && exemplar?.traceID == TraceID(high: 1, low: 1))
    }

    @Test func clientAndServerSpansPairIntoServiceGraphEdgesAcrossBatches() {
        let generator = SpanMetricsGenerator(logger: Self.logger)
        generator.observe([Self.span(1, service: "web", name: "call api", kind: .client, ms: 20)], now: 100)
        generator.observe([Self.span(2, parent: 1, service: "api", name: "GET /x", kind: .server, ms: 15, error: true)], now: 101)
        let points = generator.collect()
        #expect(Self.value(points, ["__name__": "traces_service_graph_request_total", "client": "web", "server": "api"]) == 1)
        #expect(Self.value(points, ["__name__": "traces_service_graph_request_failed_total", "client": "web", "server": "api"]) == 1)
        #expect(Self.value(points, ["__name__": "traces_service_graph_request_server_seconds_bucket", "client": "web", "server": "api", "le": "0.016"]) == 1)
        #expect(Self.value(points, ["__name__": "traces_service_graph_request_client_seconds_bucket", "client": "web", "server": "api", "le": "0.016"]) == 0)
        // A client span whose server never comes expires after the wait.
        generator.observe([Self.span(9, service: "web", name: "call gone", kind: .client, ms: 1)], now: 200)
        generator.observe([], now: 211)
        #expect(generator.selfMetrics().first { $0.metadata.family == "lookout_service_graph_expired_spans_total" }?.samples.first?.value == 1)
    }

    @Test func maxSeriesCapsCardinalityAndCountsWhatIsDropped() {
        var options = SpanMetricsOptions()
        options.maxSeries = 3
        let generator = SpanMetricsGenerator(options: options, logger: Self.logger)
        generator.observe((1...10).map { Self.span($0, service: "s", name: "op\($0)", kind: .internal, ms: 1) })
        #expect(Set(generator.collect().compactMap { $0.labels["span_name"] }).count == 3)
        #expect(generator.selfMetrics().first { $0.metadata.family == "lookout_span_metrics_dropped_spans_total" }?.samples.first?.value == 7)
    }

    @Test func staleSeriesGoSoNewOnesFitUnderMaxSeries() {
        var options = SpanMetricsOptions()
        options.maxSeries = 3
        let generator = SpanMetricsGenerator(options: options, logger: Self.logger)
        generator.observe((1...3).map { Self.span($0, service: "old", name: "op\($0)", kind: .internal, ms: 1) }, now: 0)
        generator.observe([Self.span(9, service: "new", name: "op", kind: .internal, ms: 1)], now: 1000) // 15 min later
        #expect(Set(generator.collect().compactMap { $0.labels["service"] }) == ["new"])
    }
}
