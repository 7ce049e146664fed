import Foundation
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
    }
    private let state = Mutex(State())
    let started = Date()

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

    /// Renders the HTTP families in Prometheus text format.
    func renderHTTP(into out: inout String) {
        let snapshot = state.withLock { $0 }
        out += "# HELP lookout_http_requests_total HTTP requests by route and status code.\n"
        out += "# TYPE lookout_http_requests_total counter\n"
        for (key, count) in snapshot.requests.sorted(by: { ($0.key.path, $0.key.code) < ($1.key.path, $1.key.code) }) {
            out += "lookout_http_requests_total{code=\"\(key.code)\",path=\"\(Labels.escape(key.path))\"} \(count)\n"
        }
        out += "# HELP lookout_http_request_duration_seconds HTTP request latency by route.\n"
        out += "# TYPE lookout_http_request_duration_seconds histogram\n"
        for path in snapshot.latencyBuckets.keys.sorted() {
            let escaped = Labels.escape(path)
            for (index, bound) in Self.buckets.enumerated() {
                out += "lookout_http_request_duration_seconds_bucket{path=\"\(escaped)\",le=\"\(PromFormat.value(bound))\"} \(snapshot.latencyBuckets[path]![index])\n"
            }
            let count = snapshot.latencyCount[path] ?? 0
            out += "lookout_http_request_duration_seconds_bucket{path=\"\(escaped)\",le=\"+Inf\"} \(count)\n"
            out += "lookout_http_request_duration_seconds_sum{path=\"\(escaped)\"} \(PromFormat.value(snapshot.latencySum[path] ?? 0))\n"
            out += "lookout_http_request_duration_seconds_count{path=\"\(escaped)\"} \(count)\n"
        }
    }
}
