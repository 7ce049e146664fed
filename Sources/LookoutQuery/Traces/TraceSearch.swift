import LookoutModel

/// Answers a `TraceSearchRequest` over any `TraceQuerier`: the index narrows the traces, then each
/// whole trace is checked, so `total` is the true number of matches however small `limit` is.
/// Checking stops at `maxTracesInspected` or the deadline with an error rather than a silently
/// short answer.
public struct TraceSearch: Sendable {
    public let querier: any TraceQuerier
    public var maxTracesInspected = 100_000
    public var deadline: ContinuousClock.Instant?

    public init(querier: any TraceQuerier, deadline: ContinuousClock.Instant? = nil) {
        self.querier = querier
        self.deadline = deadline
    }

    public struct Result: Sendable {
        /// The newest `limit` matches, newest first.
        public var traces: [TraceSummary]
        /// Every match in the range.
        public var total: Int
    }

    public func run(_ request: TraceSearchRequest) throws -> Result {
        let filter = SpanIndexFilter(startUnixNano: request.startUnixNano, endUnixNano: request.endUnixNano,
                                     service: request.service, spanName: request.operation,
                                     minDurationNano: request.durationScope == .span ? request.minDurationNano : nil)
        let candidates = try querier.candidateTraces(filter)
        guard candidates.count <= maxTracesInspected else {
            throw QueryError(kind: .execution, message: "the search would inspect \(candidates.count) traces, more than \(maxTracesInspected); narrow the time range or add a service")
        }
        var traces: [TraceSummary] = []
        var total = 0
        for (i, candidate) in candidates.enumerated() {
            if i % 64 == 0, let deadline, ContinuousClock.now > deadline {
                throw QueryError(kind: .timeout, message: "trace search timed out after inspecting \(i) of \(candidates.count) traces")
            }
            let spans = try querier.spans(of: candidate.trace)
            let matched = spans.filter(request.spanMatches)
            guard !matched.isEmpty else { continue }
            let summary = TraceSummary(traceID: candidate.trace, spans: spans, matched: matched)
            if request.durationScope == .trace {
                if let min = request.minDurationNano, summary.durationNano < min { continue }
                if let max = request.maxDurationNano, summary.durationNano > max { continue }
            }
            total += 1
            if traces.count < request.limit { traces.append(summary) }
        }
        return Result(traces: traces, total: total)
    }
}
