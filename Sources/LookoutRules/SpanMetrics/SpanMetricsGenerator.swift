import Foundation
import Logging
import LookoutModel
import Synchronization

/// Turns spans into the RED series Tempo's metrics-generator writes — `traces_spanmetrics_calls_total`,
/// `traces_spanmetrics_latency` (histogram), `traces_spanmetrics_size_total` per service, span name,
/// kind, status and the configured dimensions — and its service graph from client/server (and
/// producer/consumer) span pairs: `traces_service_graph_request_total`, `…_failed_total`,
/// `…_server_seconds` and `…_client_seconds` with `client` and `server` labels.
///
/// `observe` is called with every accepted batch; `collect(at:)` gives the cumulative series at a
/// time for the metric store, each latency bucket with its most recent exemplar (a `trace_id`).
/// The number of series is capped by `maxSeries`: what a new series would have counted is dropped
/// and counted in `droppedSpans`, and logged once.
public final class SpanMetricsGenerator: Sendable {
    public let options: SpanMetricsOptions
    private let logger: Logger
    private let state: Mutex<State>

    /// One output sample: its labels (with `__name__`), value and, for latency buckets, an exemplar.
    public struct Point: Sendable {
        public var labels: Labels
        public var value: Double
        public var exemplar: Exemplar?
    }

    /// The span behind a bucket's most recent observation.
    public struct Exemplar: Sendable, Equatable {
        public var traceID: TraceID
        public var spanID: SpanID
        public var value: Double
        public var timestampMs: Int64
    }

    struct Histogram {
        var counts: [Double]
        var sum: Double = 0
        var count: Double = 0
        var exemplars: [Exemplar?]

        init(buckets: Int) {
            counts = Array(repeating: 0, count: buckets + 1)
            exemplars = Array(repeating: nil, count: buckets + 1)
        }
    }

    struct SpanSeries {
        var labels: Labels
        /// When a span last counted here (the `observe` clock).
        var lastSeen: Double = 0
        var calls: Double = 0
        var size: Double = 0
        var latency: Histogram
    }

    struct EdgeSeries {
        var lastSeen: Double = 0
        var requests: Double = 0
        var failed: Double = 0
        var server: Histogram
        var client: Histogram
    }

    struct Pending {
        var span: Span
        var arrived: Double
    }

    /// What names a span series, cheap to hash: its labels are built once, for a new series.
    struct SeriesKey: Hashable {
        var service: String
        var name: String
        var kind: SpanKind
        var status: SpanStatus.Code
        var dimensions: [String?]
    }

    struct State {
        var spans: [SeriesKey: SpanSeries] = [:]
        var edges: [Labels: EdgeSeries] = [:]
        /// Client (or producer) spans waiting for their server child, by (trace, span id).
        var clients: [PairKey: Pending] = [:]
        /// Server (or consumer) spans waiting for their client parent, by (trace, parent id).
        var servers: [PairKey: Pending] = [:]
        var droppedSpans = 0
        var expiredPairs = 0
        /// When unpaired spans were last expired (at most once a second: it walks them all).
        var lastExpiry: Double = 0
        /// The clock of the `observe` under way.
        var now: Double = 0
        var warned = false
    }

    struct PairKey: Hashable {
        var trace: TraceID
        var span: SpanID
    }

    public init(options: SpanMetricsOptions = .init(), logger: Logger) {
        self.options = options
        self.logger = logger
        state = Mutex(State())
    }

    /// Counts a batch of accepted spans.
    public func observe(_ spans: [Span], now: Double = Date().timeIntervalSince1970) {
        let buckets = options.buckets
        state.withLock { s in
            s.now = now
            expire(now: now, &s) // first, so stale series make room
            for span in spans {
                let key = SeriesKey(service: span.serviceName, name: span.name, kind: span.kind, status: span.status.code,
                                    dimensions: options.dimensions.isEmpty ? [] : options.dimensions.map { d in
                                        (span.attributes[d] ?? span.resource.attributes[d])?.text
                                    })
                // One lookup per span: the series is updated through its index.
                let index: Dictionary<SeriesKey, SpanSeries>.Index
                if let known = s.spans.index(forKey: key) { index = known } else {
                    guard s.spans.count + s.edges.count < options.maxSeries else {
                        drop(&s)
                        continue
                    }
                    s.spans[key] = SpanSeries(labels: labels(of: span), latency: Histogram(buckets: buckets.count))
                    index = s.spans.index(forKey: key)!
                }
                let seconds = Double(span.durationNano) / 1e9
                s.spans.values[index].calls += 1
                s.spans.values[index].lastSeen = now
                s.spans.values[index].size += Double(Self.approximateSize(span))
                Self.observe(&s.spans.values[index].latency, seconds, buckets, span, endMs: Int64(span.endUnixNano / 1_000_000))
                pair(span, now: now, &s)
            }
        }
    }

    private func drop(_ s: inout State) {
        s.droppedSpans += 1
        if !s.warned {
            s.warned = true
            logger.warning("span metrics reached span_metrics.max_series; spans of new series are not counted",
                           metadata: ["span_metrics.max_series": "\(options.maxSeries)"])
        }
    }

    private static func observe(_ h: inout Histogram, _ seconds: Double, _ buckets: [Double], _ span: Span, endMs: Int64) {
        let index = buckets.firstIndex { seconds <= $0 } ?? buckets.count
        h.counts[index] += 1
        h.sum += seconds
        h.count += 1
        h.exemplars[index] = Exemplar(traceID: span.traceID, spanID: span.spanID, value: seconds, timestampMs: endMs)
    }

    private func labels(of span: Span) -> Labels {
        var pairs: [String: String] = [
            "service": span.serviceName, "span_name": span.name,
            "span_kind": span.kind.otlpName, "status_code": span.status.code.otlpName,
        ]
        for d in options.dimensions {
            if let v = span.attributes[d] ?? span.resource.attributes[d] { pairs[Self.labelName(d)] = v.text }
        }
        return Labels(pairs)
    }

    /// An attribute name as a label name: characters outside `[a-zA-Z0-9_]` become `_`.
    static func labelName(_ attribute: String) -> String {
        String(attribute.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") ? $0 : "_" })
    }

    /// Bytes the span takes in OTLP, roughly (names, ids, times, attribute keys and values).
    static func approximateSize(_ s: Span) -> Int {
        func size(_ v: AttributeValue) -> Int {
            switch v {
            case .string(let s): s.utf8.count
            case .bytes(let b): b.count
            case .array(let a): a.reduce(2) { $0 + size($1) }
            case .keyValues(let kv): kv.reduce(2) { $0 + $1.key.utf8.count + size($1.value) }
            default: 8
            }
        }
        func size(_ attributes: [Attribute]) -> Int { attributes.reduce(0) { $0 + $1.key.utf8.count + size($1.value) + 4 } }
        return 16 + 8 + (s.parentSpanID.isValid ? 8 : 0) + 16 + s.name.utf8.count + size(s.attributes)
            + s.events.reduce(0) { $0 + 8 + $1.name.utf8.count + size($1.attributes) } + s.status.message.utf8.count + 8
    }

    // MARK: Service graph

    private func pair(_ span: Span, now: Double, _ s: inout State) {
        switch span.kind {
        case .client, .producer:
            let key = PairKey(trace: span.traceID, span: span.spanID)
            if let server = s.servers.removeValue(forKey: key) { edge(client: span, server: server.span, &s) }
            else if s.clients.count < options.maxPendingPairs { s.clients[key] = Pending(span: span, arrived: now) }
        case .server, .consumer:
            guard span.parentSpanID.isValid else { return }
            let key = PairKey(trace: span.traceID, span: span.parentSpanID)
            if let client = s.clients.removeValue(forKey: key) { edge(client: client.span, server: span, &s) }
            else if s.servers.count < options.maxPendingPairs { s.servers[key] = Pending(span: span, arrived: now) }
        default:
            return
        }
    }

    private func edge(client: Span, server: Span, _ s: inout State) {
        let labels = Labels(["client": client.serviceName, "server": server.serviceName])
        let index: Dictionary<Labels, EdgeSeries>.Index
        if let known = s.edges.index(forKey: labels) { index = known } else {
            guard s.spans.count + s.edges.count < options.maxSeries else {
                drop(&s)
                return
            }
            s.edges[labels] = EdgeSeries(server: Histogram(buckets: options.buckets.count), client: Histogram(buckets: options.buckets.count))
            index = s.edges.index(forKey: labels)!
        }
        s.edges.values[index].requests += 1
        s.edges.values[index].lastSeen = s.now
        if client.status.code == .error || server.status.code == .error { s.edges.values[index].failed += 1 }
        Self.observe(&s.edges.values[index].server, Double(server.durationNano) / 1e9, options.buckets, server,
                     endMs: Int64(server.endUnixNano / 1_000_000))
        Self.observe(&s.edges.values[index].client, Double(client.durationNano) / 1e9, options.buckets, client,
                     endMs: Int64(client.endUnixNano / 1_000_000))
    }

    private func expire(now: Double, _ s: inout State) {
        guard now - s.lastExpiry >= 1 || now < s.lastExpiry else { return }
        s.lastExpiry = now
        let cutoff = now - options.pairWaitSeconds
        let before = s.clients.count + s.servers.count
        if s.clients.values.contains(where: { $0.arrived < cutoff }) { s.clients = s.clients.filter { $0.value.arrived >= cutoff } }
        if s.servers.values.contains(where: { $0.arrived < cutoff }) { s.servers = s.servers.filter { $0.value.arrived >= cutoff } }
        s.expiredPairs += before - s.clients.count - s.servers.count
        // Series no span has counted in for `staleSeriesSeconds` go, as Tempo's do, so churning
        // services and routes do not hold `max_series` for ever.
        let stale = now - options.staleSeriesSeconds
        if s.spans.values.contains(where: { $0.lastSeen < stale }) { s.spans = s.spans.filter { $0.value.lastSeen >= stale } }
        if s.edges.values.contains(where: { $0.lastSeen < stale }) { s.edges = s.edges.filter { $0.value.lastSeen >= stale } }
    }

    // MARK: Output

    /// Every series' cumulative value now.
    public func collect() -> [Point] {
        let buckets = options.buckets.map(PromNumber.format) + ["+Inf"]
        return state.withLock { s in
            var out: [Point] = []
            for series in s.spans.values {
                let labels = series.labels
                out.append(Point(labels: labels.setting(Labels.metricName, to: "traces_spanmetrics_calls_total"), value: series.calls))
                out.append(Point(labels: labels.setting(Labels.metricName, to: "traces_spanmetrics_size_total"), value: series.size))
                Self.histogram(&out, "traces_spanmetrics_latency", labels, series.latency, buckets)
            }
            for (labels, series) in s.edges {
                out.append(Point(labels: labels.setting(Labels.metricName, to: "traces_service_graph_request_total"), value: series.requests))
                out.append(Point(labels: labels.setting(Labels.metricName, to: "traces_service_graph_request_failed_total"), value: series.failed))
                Self.histogram(&out, "traces_service_graph_request_server_seconds", labels, series.server, buckets)
                Self.histogram(&out, "traces_service_graph_request_client_seconds", labels, series.client, buckets)
            }
            return out
        }
    }

    private static func histogram(_ out: inout [Point], _ name: String, _ labels: Labels, _ h: Histogram, _ bounds: [String]) {
        var cumulative: Double = 0
        for (i, bound) in bounds.enumerated() {
            cumulative += h.counts[i]
            out.append(Point(labels: labels.setting(Labels.metricName, to: name + "_bucket").setting("le", to: bound),
                             value: cumulative, exemplar: h.exemplars[i]))
        }
        out.append(Point(labels: labels.setting(Labels.metricName, to: name + "_sum"), value: h.sum))
        out.append(Point(labels: labels.setting(Labels.metricName, to: name + "_count"), value: h.count))
    }

    /// The generator's own families for `/metrics`.
    public func selfMetrics() -> [MetricFamily] {
        let (series, dropped, pending, expired) = state.withLock { s in
            (s.spans.count + s.edges.count, s.droppedSpans, s.clients.count + s.servers.count, s.expiredPairs)
        }
        return [
            MetricFamily("lookout_span_metrics_series", .gauge, help: "Series the span metrics and service graph hold.", value: Double(series)),
            MetricFamily("lookout_span_metrics_dropped_spans_total", .counter,
                         help: "Spans not counted because span_metrics.max_series was reached.", value: Double(dropped)),
            MetricFamily("lookout_service_graph_pending_spans", .gauge, help: "Client and server spans waiting for their other half.", value: Double(pending)),
            MetricFamily("lookout_service_graph_expired_spans_total", .counter,
                         help: "Client and server spans dropped unpaired after span_metrics' wait.", value: Double(expired)),
        ]
    }
}
