import Foundation
import LookoutModel

/// An element of an instant vector during evaluation; `time` is the sample's own timestamp for
/// selector results (what `timestamp()` reports) and the evaluation time otherwise.
struct VSample {
    var labels: Labels
    var time: Int64
    var value: Double
}

/// An intermediate value during evaluation.
enum Value {
    case scalar(Double)
    case vector([VSample])
    case matrix([SeriesData])
    case string(String)
}

/// Evaluates one query: fetches the data each selector needs once, then evaluates the expression
/// per step. Single-threaded; one instance per query.
final class Evaluator {
    let querier: any MetricQuerier
    let options: QueryOptions
    let start: Int64
    let end: Int64
    let step: Int64
    let deadline: ContinuousClock.Instant
    private let clock = ContinuousClock()
    private var ranges: [String: (Int64, Int64, [LabelMatcher])] = [:]
    private var data: [String: [SeriesData]] = [:]
    private var subqueryCache: [String: SubqueryMemo] = [:]
    /// Samples held by the current step, plus output already held by a range query.
    private var currentSamples = 0
    private var heldOutput = 0
    private var checks = 0

    static let tooManySamples = QueryError.execution("query processing would load too many samples into memory in query execution")

    init(querier: any MetricQuerier, options: QueryOptions, start: Int64, end: Int64, step: Int64) {
        self.querier = querier
        self.options = options
        self.start = start
        self.end = end
        self.step = step
        let seconds = min(max(options.timeout, 0), 1e9)
        self.deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(seconds * 1000)))
    }

    func resetStep(heldOutput: Int) {
        self.heldOutput = heldOutput
        currentSamples = 0
    }

    func addSamples(_ n: Int) throws(QueryError) {
        currentSamples += n
        if currentSamples + heldOutput > options.maxSamples { throw Evaluator.tooManySamples }
    }

    func checkDeadline() throws(QueryError) {
        checks &+= 1
        if checks & 63 != 0 { return }
        if Task.isCancelled { throw QueryError(kind: .canceled, message: "query was canceled in expression evaluation") }
        if clock.now > deadline { throw QueryError(kind: .timeout, message: "query timed out in expression evaluation") }
    }

    static func key(_ matchers: [LabelMatcher]) -> String {
        matchers.map(\.description).sorted().joined(separator: ",")
    }

    // MARK: Preparation

    /// Finds the time range every selector needs and loads its series.
    func prepare(_ expr: Expr) throws(QueryError) {
        collect(expr, from: start, to: end)
        for (key, (mint, maxt, matchers)) in ranges {
            do {
                data[key] = try querier.select(matchers, start: mint, end: maxt)
            } catch let error as QueryError {
                throw error
            } catch {
                throw .execution("expanding series: \(error)")
            }
            try checkDeadlineNow()
        }
    }

    private func checkDeadlineNow() throws(QueryError) {
        if clock.now > deadline { throw QueryError(kind: .timeout, message: "query timed out in query preparation") }
    }

    private func widen(_ matchers: [LabelMatcher], _ mint: Int64, _ maxt: Int64) {
        let k = Evaluator.key(matchers)
        if let (a, b, m) = ranges[k] {
            ranges[k] = (min(a, mint), max(b, maxt), m)
        } else {
            ranges[k] = (mint, maxt, matchers)
        }
    }

    private func collect(_ expr: Expr, from s: Int64, to e: Int64) {
        switch expr {
        case .number, .string: return
        case .vectorSelector(let vs):
            let (a, b) = pinned(vs.at, s, e)
            widen(vs.matchers, a - vs.offset - options.lookbackDelta, b - vs.offset)
        case .matrixSelector(let vs, let range):
            let (a, b) = pinned(vs.at, s, e)
            widen(vs.matchers, a - vs.offset - range, b - vs.offset)
        case .subquery(let sq):
            let (a, b) = pinned(sq.at, s, e)
            collect(sq.expr, from: a - sq.offset - sq.range, to: b - sq.offset)
        case .call(_, let args): for a in args { collect(a, from: s, to: e) }
        case .aggregate(let agg):
            if let p = agg.parameter { collect(p, from: s, to: e) }
            collect(agg.expr, from: s, to: e)
        case .binary(let b):
            collect(b.lhs, from: s, to: e)
            collect(b.rhs, from: s, to: e)
        case .unary(_, let x), .paren(let x): collect(x, from: s, to: e)
        }
    }

    private func pinned(_ at: AtModifier?, _ s: Int64, _ e: Int64) -> (Int64, Int64) {
        guard let at else { return (s, e) }
        let t = at.resolve(start: start, end: end)
        return (t, t)
    }

    func referenceTime(_ at: AtModifier?, offset: Int64, t: Int64) -> Int64 {
        (at?.resolve(start: start, end: end) ?? t) - offset
    }

    // MARK: Evaluation

    func eval(_ expr: Expr, at t: Int64) throws(QueryError) -> Value {
        try checkDeadline()
        switch expr {
        case .number(let v): return .scalar(v)
        case .string(let s): return .string(s)
        case .paren(let e): return try eval(e, at: t)
        case .vectorSelector(let vs): return .vector(try selectInstant(vs, at: t))
        case .matrixSelector(let vs, let range): return .matrix(try selectRange(vs, range: range, at: t))
        case .subquery(let sq): return .matrix(try evalSubquery(sq, at: t))
        case .unary(let negate, let e):
            let v = try eval(e, at: t)
            guard negate else { return v }
            switch v {
            case .scalar(let x): return .scalar(-x)
            case .vector(let vec):
                let out = vec.map { VSample(labels: $0.labels.droppingMetricName, time: t, value: -$0.value) }
                try checkDistinct(out)
                return .vector(out)
            default: return v
            }
        case .call(let name, let args): return try evalCall(name, args, at: t)
        case .aggregate(let agg): return .vector(try evalAggregation(agg, at: t))
        case .binary(let b): return try evalBinary(b, at: t)
        }
    }

    func selectInstant(_ vs: VectorSelector, at t: Int64) throws(QueryError) -> [VSample] {
        let ref = referenceTime(vs.at, offset: vs.offset, t: t)
        let series = data[Evaluator.key(vs.matchers)] ?? []
        var out: [VSample] = []
        for s in series {
            let i = Evaluator.lastIndex(s.samples, atOrBefore: ref)
            guard i >= 0 else { continue }
            let sample = s.samples[i]
            if sample.timestamp < ref - options.lookbackDelta || StaleMarker.isStale(sample.value) { continue }
            out.append(VSample(labels: s.labels, time: sample.timestamp, value: sample.value))
        }
        try addSamples(out.count)
        return out
    }

    func selectRange(_ vs: VectorSelector, range: Int64, at t: Int64) throws(QueryError) -> [SeriesData] {
        let ref = referenceTime(vs.at, offset: vs.offset, t: t)
        let series = data[Evaluator.key(vs.matchers)] ?? []
        var out: [SeriesData] = []
        var count = 0
        for s in series {
            let hi = Evaluator.lastIndex(s.samples, atOrBefore: ref)
            guard hi >= 0 else { continue }
            let lo = Evaluator.lastIndex(s.samples, atOrBefore: ref - range - 1) + 1
            guard lo <= hi else { continue }
            let window = s.samples[lo...hi].filter { !StaleMarker.isStale($0.value) }
            if window.isEmpty { continue }
            count += window.count
            out.append(SeriesData(labels: s.labels, samples: window))
        }
        try addSamples(count)
        return out
    }

    /// Index of the last sample with timestamp <= t, or -1.
    static func lastIndex(_ samples: [Sample], atOrBefore t: Int64) -> Int {
        var lo = 0, hi = samples.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if samples[mid].timestamp <= t { lo = mid + 1 } else { hi = mid }
        }
        return lo - 1
    }

    func evalSubquery(_ sq: Subquery, at t: Int64) throws(QueryError) -> [SeriesData] {
        let ref = referenceTime(sq.at, offset: sq.offset, t: t)
        let interval = sq.step ?? options.defaultSubqueryStep
        let lowest = ref - sq.range
        var ts = interval * (lowest / interval)
        if ts < lowest { ts += interval }
        let cacheKey = sq.expr.description
        let memo: SubqueryMemo
        if let existing = subqueryCache[cacheKey] {
            memo = existing
        } else {
            memo = SubqueryMemo()
            subqueryCache[cacheKey] = memo
        }
        var buckets: [[Sample]] = []
        var count = 0
        while ts <= ref {
            let points: [(Int, Double)]
            if let cached = memo.points[ts] {
                points = cached
            } else {
                points = memo.intern(try eval(sq.expr, at: ts))
                memo.points[ts] = points
            }
            if buckets.count < memo.labels.count {
                buckets.append(contentsOf: Array(repeating: [], count: memo.labels.count - buckets.count))
            }
            for (index, value) in points { buckets[index].append(Sample(ts, value)) }
            count += points.count
            ts += interval
        }
        try addSamples(count)
        var out: [SeriesData] = []
        for (index, samples) in buckets.enumerated() where !samples.isEmpty {
            out.append(SeriesData(labels: memo.labels[index], samples: samples))
        }
        return out
    }

    /// Errors when an instant vector holds two elements with the same labels.
    func checkDistinct(_ vec: [VSample]) throws(QueryError) {
        guard vec.count > 1 else { return }
        var seen = Set<Labels>()
        for s in vec where !seen.insert(s.labels).inserted {
            throw .execution("vector cannot contain metrics with the same labelset")
        }
    }
}

/// Inner results of one subquery by evaluation time, with series interned to indexes so that
/// overlapping windows of successive steps reuse them cheaply.
final class SubqueryMemo {
    var index: [Labels: Int] = [:]
    var labels: [Labels] = []
    var points: [Int64: [(Int, Double)]] = [:]

    func intern(_ value: Value) -> [(Int, Double)] {
        switch value {
        case .vector(let vec): return vec.map { (indexOf($0.labels), $0.value) }
        case .scalar(let v): return [(indexOf(.empty), v)]
        default: return []
        }
    }

    private func indexOf(_ l: Labels) -> Int {
        if let i = index[l] { return i }
        labels.append(l)
        index[l] = labels.count - 1
        return labels.count - 1
    }
}
