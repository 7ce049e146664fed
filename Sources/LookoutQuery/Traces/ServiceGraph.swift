import LookoutModel

/// Service-to-service edges from spans: a span whose parent belongs to another service is one
/// call from the parent's service (the client) to its own (the server) — the pairs Tempo's
/// service graph counts and Jaeger's `dependencies` lists.
public enum ServiceGraph {
    /// Calls from one service to another.
    public struct Edge: Sendable, Equatable {
        public var client: String
        public var server: String
        public var calls: Int
        /// Calls whose server span has status error.
        public var failed: Int
    }

    /// The edges of traces with spans starting in the range, sorted by (client, server).
    public static func edges(_ querier: any TraceQuerier, startUnixNano: UInt64, endUnixNano: UInt64,
                             maxTraces: Int = 100_000, deadline: ContinuousClock.Instant? = nil) throws -> [Edge] {
        var counts: [[String]: (calls: Int, failed: Int)] = [:]
        for (i, candidate) in try querier.candidateTraces(SpanIndexFilter(startUnixNano: startUnixNano, endUnixNano: endUnixNano,
                                                                          limit: maxTraces)).enumerated() {
            if i % 64 == 0, let deadline, ContinuousClock.now > deadline {
                throw QueryError(kind: .timeout, message: "dependencies timed out after reading \(i) traces; shorten the lookback")
            }
            for (parent, child) in pairs(try querier.spans(of: candidate.trace)) {
                let key = [parent.serviceName, child.serviceName]
                var c = counts[key] ?? (0, 0)
                c.calls += 1
                if child.status.code == .error { c.failed += 1 }
                counts[key] = c
            }
        }
        return counts.map { Edge(client: $0.key[0], server: $0.key[1], calls: $0.value.calls, failed: $0.value.failed) }
            .sorted { ($0.client, $0.server) < ($1.client, $1.server) }
    }

    /// (parent, child) span pairs of one trace that cross a service boundary.
    public static func pairs(_ spans: [Span]) -> [(parent: Span, child: Span)] {
        var byID: [SpanID: Span] = [:]
        for s in spans { byID[s.spanID] = s }
        return spans.compactMap { child in
            guard child.parentSpanID.isValid, let parent = byID[child.parentSpanID],
                  parent.serviceName != child.serviceName else { return nil }
            return (parent, child)
        }
    }
}
