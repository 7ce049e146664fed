import LookoutModel

/// Where one query's evaluation time went, in seconds: what the HTTP API reports under
/// `data.stats.timings` when a request passes `stats=…`, with Prometheus's field names.
/// Parsing is not counted, as in Prometheus.
public struct QueryTimings: Sendable, Equatable {
    /// Loading every selector's series from storage (`queryPreparationTime`).
    public var queryPreparation: Double = 0
    /// Evaluating the expression over the loaded series (`innerEvalTime`).
    public var innerEval: Double = 0
    /// Sorting a matrix result by labels (`resultSortTime`).
    public var resultSort: Double = 0

    /// Preparation, evaluation and sorting together (`evalTotalTime`).
    public var evalTotal: Double { queryPreparation + innerEval + resultSort }

    public init() {}
}

/// Splits one evaluation into the phases of `QueryTimings`.
struct PhaseClock {
    private let clock = ContinuousClock()
    private var mark: ContinuousClock.Instant

    init() { mark = clock.now }

    /// Seconds since the previous lap (or since creation), and starts the next one.
    mutating func lap() -> Double {
        let now = clock.now
        defer { mark = now }
        return (now - mark).inSeconds
    }
}
