import Foundation
import LookoutFormats
import LookoutModel
import Synchronization

/// Lookout's own counters about HTTP traffic, rendered with storage and scrape figures at `/metrics`.
public final class SelfMetrics: Sendable {
    struct RequestKey: Hashable { var path: String; var code: Int }
    /// Upper bounds of the request latency histogram, in seconds.
    static let buckets: [Double] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10]

    private struct State {
        var requests: [RequestKey: Int] = [:]
        var latencyBuckets: [String: [Int]] = [:]
        var latencySum: [String: Double] = [:]
        var latencyCount: [String: Int] = [:]
        var inlineAnswered = 0
        var inlineOverBudget = 0
        /// OTLP items by (signal, result): accepted, rejected (partial success), and whole requests refused.
        var otlpItems: [[String]: Int] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    func recordRequest(path: String, code: Int, seconds: Double) {
        state.withLock { state in
            state.requests[RequestKey(path: path, code: code), default: 0] += 1
            var counts = state.latencyBuckets[path] ?? Array(repeating: 0, count: Self.buckets.count)
            for (index, bound) in Self.buckets.enumerated() where seconds <= bound { counts[index] += 1 }
            state.latencyBuckets[path] = counts
            state.latencySum[path, default: 0] += seconds
            state.latencyCount[path, default: 0] += 1
        }
    }

    /// A query `QueryFastPath` evaluated on the event loop: answered, or stopped over its budget
    /// and sent to the query threads.
    func recordInlineQuery(overBudget: Bool) {
        state.withLock { state in
            if overBudget { state.inlineOverBudget += 1 } else { state.inlineAnswered += 1 }
        }
    }

    /// An OTLP request that decoded: its items stored and rejected through `partial_success`.
    func otlpReceived(signal: String, accepted: Int, rejected: Int) {
        state.withLock { state in
            state.otlpItems[[signal, "accepted"], default: 0] += accepted
            state.otlpItems[[signal, "rejected"], default: 0] += rejected
        }
    }

    /// An OTLP request refused as a whole (`reason`: undecodable, too_large, busy…).
    func otlpRejected(signal: String, reason: String) {
        state.withLock { $0.otlpItems[[signal, "request_" + reason], default: 0] += 1 }
    }

    /// The HTTP families: requests by route and code, a latency histogram by route, and queries
    /// evaluated on the event loop.
    func httpFamilies() -> [MetricFamily] {
        let snapshot = state.withLock { $0 }
        let requests = snapshot.requests.sorted { ($0.key.path, $0.key.code) < ($1.key.path, $1.key.code) }.map {
            (labels: Labels(["__name__": "lookout_http_requests_total", "path": $0.key.path, "code": String($0.key.code)]),
             value: Double($0.value))
        }
        var latency: [(labels: Labels, value: Double)] = []
        let name = "lookout_http_request_duration_seconds"
        let bounds = Self.buckets.map(PromNumber.format) + ["+Inf"]
        for path in snapshot.latencyBuckets.keys.sorted() {
            let count = Double(snapshot.latencyCount[path] ?? 0)
            let counts = snapshot.latencyBuckets[path]!.map(Double.init) + [count]
            for (bound, value) in zip(bounds, counts) {
                latency.append((Labels(["__name__": name + "_bucket", "path": path, "le": bound]), value))
            }
            latency.append((Labels(["__name__": name + "_sum", "path": path]), snapshot.latencySum[path] ?? 0))
            latency.append((Labels(["__name__": name + "_count", "path": path]), count))
        }
        let inline = "lookout_queries_inline_total"
        return [
            MetricFamily("lookout_http_requests_total", .counter, help: "HTTP requests by route and status code.", samples: requests),
            MetricFamily(name, .histogram, help: "HTTP request latency by route.", samples: latency),
            MetricFamily(inline, .counter,
                         help: "Queries known to be cheap evaluated on the event loop, by result (answered, or over_budget and re-run on a query thread).",
                         samples: [(Labels(["__name__": inline, "result": "answered"]), Double(snapshot.inlineAnswered)),
                                   (Labels(["__name__": inline, "result": "over_budget"]), Double(snapshot.inlineOverBudget))]),
            MetricFamily("lookout_otlp_items_total", .counter,
                         help: "OTLP spans, log records and data points by signal and result (accepted, rejected), and whole requests refused (request_<reason>).",
                         samples: snapshot.otlpItems.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map {
                             (Labels(["__name__": "lookout_otlp_items_total", "signal": $0.key[0], "result": $0.key[1]]), Double($0.value))
                         }),
        ]
    }
}
