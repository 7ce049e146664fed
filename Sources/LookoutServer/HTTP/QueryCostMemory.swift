import Synchronization

/// How long recent queries took, so `QueryFastPath` can answer the ones known to be cheap on the
/// event loop instead of handing them to `BlockingWork`'s threads (two thread wake-ups, ~25 µs
/// on 2 cores, more than most dashboard queries cost to evaluate).
///
/// A query is known by its path, expression and shape (the span and step of a range, not its
/// times), as a Grafana panel asks the same question on every refresh. Anything new, or slower
/// than `inlineLimit` (1 ms unless a test says otherwise) last time, goes to the query threads.
/// An inline evaluation stops after `inlineBudget` and starts again on the query threads, so a
/// query that became expensive holds an event loop for at most that long, once.
public final class QueryCostMemory: Sendable {
    public let inlineLimit: Duration
    static let inlineBudget = 0.01 // seconds
    /// Remembered queries at most; the memory starts over when full.
    static let capacity = 4096

    private let costs = Mutex<[String: Duration]>([:])

    public init(inlineLimit: Duration = .milliseconds(1)) {
        self.inlineLimit = inlineLimit
    }

    /// The key of an instant query: its expression.
    @Sendable static func instantKey(_ params: APIParameters) -> String? {
        params["query"].map { "i|\($0)" }
    }

    /// The key of a range query: its span, step and expression, not its times.
    @Sendable static func rangeKey(_ params: APIParameters) -> String? {
        guard let query = params["query"], let start = params["start"].flatMap(APIParameters.parseTime),
              let end = params["end"].flatMap(APIParameters.parseTime) else { return nil }
        return "r|\(end &- start)|\(params["step"] ?? "")|\(query)"
    }

    func isCheap(_ key: String) -> Bool {
        costs.withLock { $0[key].map { $0 < inlineLimit } ?? false }
    }

    func record(_ key: String, _ cost: Duration) {
        costs.withLock { costs in
            if costs.count >= Self.capacity && costs[key] == nil { costs.removeAll(keepingCapacity: true) }
            costs[key] = cost
        }
    }
}
