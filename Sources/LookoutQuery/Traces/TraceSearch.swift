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

    /// What a search found.
    public struct Result: Sendable {
        /// The newest `limit` matches, newest first.
        public var traces: [TraceSummary]
        /// Every match in the range.
        public var total: Int
        /// Traces checked.
        public var inspected: Int
    }

    public func run(_ request: TraceSearchRequest) throws -> Result {
        let filter = SpanIndexFilter(startUnixNano: request.startUnixNano, endUnixNano: request.endUnixNano,
                                     service: request.service, spanName: request.operation,
                                     minDurationNano: request.durationScope == .span ? request.minDurationNano : nil)
        let match = { (spans: [Span]) -> [Span]? in
            let matched = spans.filter(request.spanMatches)
            guard !matched.isEmpty else { return nil }
            if request.durationScope == .trace {
                let summary = TraceSummary(traceID: spans[0].traceID, spans: spans, matched: matched)
                if let min = request.minDurationNano, summary.durationNano < min { return nil }
                if let max = request.maxDurationNano, summary.durationNano > max { return nil }
            }
            return matched
        }
        // Service, operation, time and a minimum span duration are what the index holds: it then
        // counts the matches itself, and only the traces shown are read.
        if request.tags.isEmpty && request.maxDurationNano == nil && request.durationScope == .span {
            return try runIndexed(filter, limit: request.limit, match: match)
        }
        return try run(filter, limit: request.limit, match: match)
    }

    /// The search the index answers: `total` is the number of candidates, less those of the
    /// traces read that turn out not to match (a trace whose matching span starts outside the
    /// range while another of its spans of the same service and name starts inside).
    func runIndexed(_ filter: SpanIndexFilter, limit: Int, match: ([Span]) -> [Span]?) throws -> Result {
        let candidates = try querier.candidateTraces(filter)
        var traces: [TraceSummary] = []
        var total = candidates.count
        var read = 0
        for candidate in candidates where traces.count < limit {
            if read % 64 == 0, let deadline, ContinuousClock.now > deadline {
                throw QueryError(kind: .timeout, message: "trace search timed out after reading \(read) traces")
            }
            read += 1
            let spans = try querier.spans(of: candidate.trace)
            guard !spans.isEmpty, let matched = match(spans) else {
                total -= 1
                continue
            }
            traces.append(TraceSummary(traceID: candidate.trace, spans: spans, matched: matched))
        }
        return Result(traces: traces, total: total, inspected: read)
    }

    /// A TraceQL search: `query` on every trace with a span in the range (narrowed by the service
    /// a top-level `resource.service.name = "x"` names), whole-trace duration bounds after.
    public func run(_ query: TraceQLEvaluator, startUnixNano: UInt64, endUnixNano: UInt64, limit: Int,
                    minTraceDurationNano: UInt64? = nil, maxTraceDurationNano: UInt64? = nil) throws -> Result {
        let filter = SpanIndexFilter(startUnixNano: startUnixNano, endUnixNano: endUnixNano, service: query.service)
        return try run(filter, limit: limit) { spans in
            guard let matched = query.matches(spans) else { return nil }
            let summary = TraceSummary(traceID: spans[0].traceID, spans: spans, matched: matched)
            if let min = minTraceDurationNano, summary.durationNano < min { return nil }
            if let max = maxTraceDurationNano, summary.durationNano > max { return nil }
            return matched
        }
    }

    /// The shared loop: candidates from the index, each whole trace checked by `match` (its
    /// matched spans, or nil), within `maxTracesInspected` and the deadline.
    func run(_ filter: SpanIndexFilter, limit: Int, match: ([Span]) -> [Span]?) throws -> Result {
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
            guard !spans.isEmpty, let matched = match(spans) else { continue }
            total += 1
            if traces.count < limit { traces.append(TraceSummary(traceID: candidate.trace, spans: spans, matched: matched)) }
        }
        return Result(traces: traces, total: total, inspected: candidates.count)
    }
}
