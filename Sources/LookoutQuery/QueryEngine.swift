import Foundation
import LookoutModel

/// Evaluates PromQL over a `MetricQuerier`, as instant queries or range queries.
///
/// Rules:
/// 1. Each call evaluates independently; the engine holds no mutable state and is safe to share.
/// 2. Semantics follow Prometheus 2.42: closed windows `[t - lookback, t]` and `[t - range, t]`,
///    staleness markers end a series, subqueries align to multiples of their step.
public struct QueryEngine: Sendable {
    public let querier: any MetricQuerier
    public let options: QueryOptions

    public init(querier: any MetricQuerier, options: QueryOptions = .init()) {
        self.querier = querier
        self.options = options
    }

    /// Evaluates `query` at one time (ms).
    public func instant(_ query: String, at time: Int64) throws(QueryError) -> QueryValue {
        let expr = try PromQLParser.parse(query)
        return try instant(expr, at: time)
    }

    /// Evaluates a parsed expression at one time (ms).
    public func instant(_ expr: Expr, at time: Int64) throws(QueryError) -> QueryValue {
        var timings = QueryTimings()
        return try instant(expr, at: time, timings: &timings)
    }

    /// Evaluates a parsed expression at one time (ms), recording where the time went.
    public func instant(_ expr: Expr, at time: Int64, timings: inout QueryTimings) throws(QueryError) -> QueryValue {
        var phases = PhaseClock()
        let evaluator = Evaluator(querier: querier, options: options, start: time, end: time, step: 0)
        try evaluator.prepare(expr)
        timings.queryPreparation = phases.lap()
        let value = try evaluator.eval(expr, at: time)
        timings.innerEval = phases.lap()
        switch value {
        case .scalar(let v): return .scalar(Sample(time, v))
        case .string(let s): return .string(s, time)
        case .vector(let vector):
            return .vector(vector.map { InstantSample(labels: $0.labels, sample: Sample(time, $0.value)) })
        case .matrix(let series):
            defer { timings.resultSort = phases.lap() }
            return .matrix(series.sorted { $0.labels < $1.labels })
        }
    }

    /// Evaluates an instant-vector or scalar `query` at every step from `start` to `end` (ms).
    public func range(_ query: String, start: Int64, end: Int64, step: Int64) throws(QueryError) -> QueryValue {
        let expr = try PromQLParser.parse(query)
        return try range(expr, start: start, end: end, step: step)
    }

    /// Evaluates a parsed expression as a range query.
    public func range(_ expr: Expr, start: Int64, end: Int64, step: Int64) throws(QueryError) -> QueryValue {
        var timings = QueryTimings()
        return try range(expr, start: start, end: end, step: step, fastPaths: true, timings: &timings)
    }

    /// Evaluates a parsed expression as a range query, recording where the time went.
    public func range(_ expr: Expr, start: Int64, end: Int64, step: Int64,
                      timings: inout QueryTimings) throws(QueryError) -> QueryValue {
        try range(expr, start: start, end: end, step: step, fastPaths: true, timings: &timings)
    }

    /// A range query; `fastPaths: false` evaluates every step in full, without the series-by-series
    /// shortcuts (`Evaluator.seriesMajor`, `Evaluator.memoizedRange`), so tests can compare both.
    func range(_ expr: Expr, start: Int64, end: Int64, step: Int64, fastPaths: Bool) throws(QueryError) -> QueryValue {
        var timings = QueryTimings()
        return try range(expr, start: start, end: end, step: step, fastPaths: fastPaths, timings: &timings)
    }

    private func range(_ expr: Expr, start: Int64, end: Int64, step: Int64, fastPaths: Bool,
                       timings: inout QueryTimings) throws(QueryError) -> QueryValue {
        guard step > 0 else {
            throw .badData("zero or negative query resolution step widths are not accepted. Try a positive integer")
        }
        guard end >= start else { throw .badData("end timestamp must not be before start time") }
        let (span, overflow) = end.subtractingReportingOverflow(start)
        guard !overflow, span / step <= options.maxPointsPerSeries else {
            throw .badData("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
        }
        guard expr.type == .vector || expr.type == .scalar else {
            throw .badData("invalid expression type \"\(expr.type.rawValue)\" for range query, must be Scalar or instant Vector")
        }
        let evaluator = Evaluator(querier: querier, options: options, start: start, end: end, step: step)
        evaluator.fastPaths = fastPaths
        var phases = PhaseClock()
        try evaluator.prepare(expr)
        timings.queryPreparation = phases.lap()
        if fastPaths, let series = try evaluator.seriesMajor(expr) {
            timings.innerEval = phases.lap()
            return .matrix(series)
        }
        var slots = SeriesSlots()
        var outSamples: [[Sample]] = []
        func slot(_ labels: Labels, _ id: Int32) -> Int {
            let (found, isNew) = slots.slot(labels, id: id)
            if isNew { outSamples.append([]) }
            return found
        }
        var total = 0
        var t = start
        // A step-invariant expression (pinned by `@`) is evaluated once, as Prometheus does, and
        // so is one whose value cannot change from step to step.
        let invariant = expr.isStepInvariant || expr.isConstant ? try evaluator.eval(expr, at: start) : nil
        while t <= end {
            evaluator.resetStep(heldOutput: total)
            let value: Value
            if let invariant { value = invariant } else { value = try evaluator.eval(expr, at: t) }
            switch value {
            case .scalar(let v):
                outSamples[slot(.empty, evaluator.emptyID)].append(Sample(t, v))
                total += 1
            case .vector(let vector):
                for s in vector { outSamples[slot(s.labels, s.id)].append(Sample(t, s.value)) }
                total += vector.count
            default:
                throw .execution("range query of an expression that is neither scalar nor instant vector")
            }
            if total > options.maxSamples { throw Evaluator.tooManySamples }
            if t > Int64.max - step { break }
            t += step
        }
        timings.innerEval = phases.lap()
        let out = zip(slots.labels, outSamples).map { SeriesData(labels: $0, samples: $1) }.sorted { $0.labels < $1.labels }
        timings.resultSort = phases.lap()
        return .matrix(out)
    }
}
