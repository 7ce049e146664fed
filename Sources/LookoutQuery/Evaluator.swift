import Foundation
import LookoutModel

/// An element of an instant vector during evaluation; `time` is the sample's own timestamp for
/// selector results (what `timestamp()` reports) and the evaluation time otherwise.
struct VSample {
    var labels: Labels
    var time: Int64
    var value: Double
    /// The interned id of `labels` when known (see `Evaluator.intern`), else -1.
    var id: Int32 = -1
}

/// A series of a range vector during evaluation, with the interned id of its labels or -1.
struct RangeSeries {
    var labels: Labels
    /// A window of a series' samples, sharing the loaded buffer (no copy per step).
    var samples: ArraySlice<Sample>
    var id: Int32 = -1
}

/// A loaded series with the interned ids of its labels and of its labels without `__name__`.
struct FetchedSeries {
    var labels: Labels
    var samples: [Sample]
    /// `samples` without staleness markers (the same buffer when there are none), which is
    /// what range windows see.
    var nonStale: [Sample]
    var id: Int32
}

/// What `Evaluator.prepare` loads for one distinct set of matchers: the time range and the grid
/// every selector using it needs, and how many evaluation points read it.
struct SelectorLoad {
    var matchers: Set<LabelMatcher>
    var written: [LabelMatcher]
    var mint: Int64
    var maxt: Int64
    /// The points every use reads at, or nil when uses differ or one is inside a subquery.
    var grid: SampleGrid?
    var points: Int
    var series: [FetchedSeries] = []
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
    /// What `prepare` loads: one entry per distinct set of matchers (their order does not
    /// change what a selector selects), with the time range all its selectors need.
    private var loads: [SelectorLoad] = []
    /// Loaded series by selector matchers, searched in order: a query has few selectors, and
    /// comparing the expression tree's own arrays is immediate where hashing them is not.
    private var dataByMatchers: [(matchers: [LabelMatcher], series: [FetchedSeries])] = []
    private var selectorMatchers: [[LabelMatcher]] = []
    /// Interned label sets: an id per distinct `Labels` seen in loaded data (and the same sets
    /// without `__name__`), so per-step work can compare and group by integer.
    private(set) var internedLabels: [Labels] = []
    private var internIndex: [Labels: Int32] = [:]
    /// For each interned id, the id of its labels without `__name__`.
    private var namelessOf: [Int32] = []
    /// Memoized subqueries by nesting depth, step and inner expression. A query holds few
    /// subqueries at each depth, and comparing expressions costs far less than hashing or
    /// formatting them at every step.
    private var subqueryMemos: [[(interval: Int64, expr: Expr, memo: SubqueryMemo)]] = []
    var matchCaches = ArgumentCache<MatchCacheKey, MatchCache>()
    /// Range-function results for every step of a range query, computed series by series.
    var rangeMemos: [RangeMemoKey: RangeMemo] = [:]
    /// Whether range queries may use `memoizedRange` (tests turn it off to compare).
    var fastPaths = true
    /// How many subqueries are being evaluated; their inner times are off the query's grid.
    private(set) var subqueryDepth = 0
    var groupCaches = ArgumentCache<GroupCacheKey, GroupCache>()
    var countValuesCaches = ArgumentCache<GroupCacheKey, CountValuesGroups>()
    /// label_replace regexes and results by argument text and input label id.
    var relabelCache = ArgumentCache<RelabelKey, RelabelCache>()
    /// label_join results by arguments and input label id.
    var joinCache = ArgumentCache<JoinKey, JoinCache>()
    /// absent() output labels and their id by argument expression.
    var absentLabelsCache: [(expr: Expr, labels: Labels, id: Int32)] = []
    /// histogram_quantile bucket keys by input label id: group id and upper bound, or nil.
    var bucketCache: [Int32: (Int32, Double)?] = [:]
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
        let seconds = options.timeout.isNaN ? 0 : min(max(options.timeout, 0), 1e9)
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

    // MARK: Preparation

    /// Finds the time range every selector needs and loads its series.
    func prepare(_ expr: Expr) throws(QueryError) {
        let steps = step > 0 ? Int((end - start) / step) + 1 : 1
        collect(expr, from: start, to: end, context: .top(first: start, step: step, count: steps))
        var selected: [[SeriesData]] = []
        for load in loads {
            // Every evaluation point holds at most `maxSamples`, and each sample the grid keeps is
            // seen by one of them: more than that many points' worth is refused while reading.
            let (limit, overflow) = options.maxSamples.multipliedReportingOverflow(by: max(load.points, 1))
            let hints = SelectHints(sampleLimit: overflow ? .max : limit, deadline: deadline, grid: load.grid)
            do {
                selected.append(try querier.select(load.written, start: load.mint, end: load.maxt, hints: hints))
            } catch let error as QueryError {
                throw error
            } catch SelectLimitError.tooManySamples {
                throw Evaluator.tooManySamples
            } catch SelectLimitError.timeout {
                throw QueryError(kind: .timeout, message: "query timed out in query preparation")
            } catch {
                throw .execution("expanding series: \(error)")
            }
            try checkDeadlineNow()
        }
        // Room for every series and as many derived sets (names dropped, groups), so interning
        // does not grow the index again and again.
        internIndex.reserveCapacity(2 * selected.reduce(0) { $0 + $1.count } + 16)
        for (i, found) in selected.enumerated() {
            loads[i].series = found.map { series in
                let samples = series.samples
                let nonStale = samples.contains { StaleMarker.isStale($0.value) }
                    ? samples.filter { !StaleMarker.isStale($0.value) } : samples
                return FetchedSeries(labels: series.labels, samples: samples, nonStale: nonStale, id: intern(series.labels))
            }
        }
        for matchers in selectorMatchers where !dataByMatchers.contains(where: { $0.matchers == matchers }) {
            dataByMatchers.append((matchers, loadedSet(matchers)))
        }
    }

    /// The series loaded for a selector's matchers.
    func loaded(_ matchers: [LabelMatcher]) -> [FetchedSeries] {
        if let known = dataByMatchers.first(where: { $0.matchers == matchers }) { return known.series }
        return loadedSet(matchers)
    }

    private func loadedSet(_ matchers: [LabelMatcher]) -> [FetchedSeries] {
        let set = Set(matchers)
        return loads.first { $0.matchers == set }?.series ?? []
    }

    /// The id of the empty label set, which literals and `vector()` carry.
    lazy var emptyID: Int32 = intern(.empty)

    /// The id of a label set, assigned on first sight.
    func intern(_ labels: Labels) -> Int32 {
        if let id = internIndex[labels] { return id }
        let id = Int32(internedLabels.count)
        internedLabels.append(labels)
        internIndex[labels] = id
        namelessOf.append(labels.name == nil ? id : -1)
        return id
    }

    /// Labels without `__name__` and their id, for the labels with interned id `id` (or `labels`
    /// and -1 when `id` is -1). Interned on first use, so a query that never drops a name
    /// never pays for it.
    func withoutName(_ labels: Labels, id: Int32) -> (Labels, Int32) {
        guard id >= 0 else { return (labels.droppingMetricName, -1) }
        var n = namelessOf[Int(id)]
        if n < 0 {
            n = intern(internedLabels[Int(id)].droppingMetricName)
            namelessOf[Int(id)] = n
        }
        return (internedLabels[Int(n)], n)
    }

    /// A sample's labels without `__name__`, reusing interned sets when possible.
    func withoutName(_ s: VSample) -> (Labels, Int32) { withoutName(s.labels, id: s.id) }

    func withoutName(_ s: FetchedSeries) -> (Labels, Int32) { withoutName(s.labels, id: s.id) }

    func withoutName(_ s: RangeSeries) -> (Labels, Int32) { withoutName(s.labels, id: s.id) }

    private func checkDeadlineNow() throws(QueryError) {
        if clock.now > deadline { throw QueryError(kind: .timeout, message: "query timed out in query preparation") }
    }

    /// Where a selector is evaluated: at the query's own steps, or inside a subquery, whose
    /// inner points are not on that grid (then every sample in range is loaded).
    private enum SelectorContext {
        case top(first: Int64, step: Int64, count: Int)
        case subquery(points: Int)

        var points: Int {
            switch self {
            case .top(_, _, let count): count
            case .subquery(let points): points
            }
        }
    }

    private func widen(_ matchers: [LabelMatcher], _ mint: Int64, _ maxt: Int64, grid: SampleGrid?, points: Int) {
        selectorMatchers.append(matchers)
        let set = Set(matchers)
        if let i = loads.firstIndex(where: { $0.matchers == set }) {
            loads[i].mint = min(loads[i].mint, mint)
            loads[i].maxt = max(loads[i].maxt, maxt)
            if loads[i].grid != grid { loads[i].grid = nil }
            loads[i].points = loads[i].points.addingReportingOverflow(points).overflow ? .max : loads[i].points + points
        } else {
            loads.append(SelectorLoad(matchers: set, written: matchers, mint: mint, maxt: maxt, grid: grid, points: points))
        }
    }

    private func collect(_ expr: Expr, from s: Int64, to e: Int64, context: SelectorContext) {
        switch expr {
        case .number, .string: return
        case .vectorSelector(let vs):
            let (a, b) = pinned(vs.at, s, e)
            widen(vs.matchers, a.minus(vs.offset).minus(options.lookbackDelta), b.minus(vs.offset),
                  grid: grid(context, vs, window: options.lookbackDelta, latestOnly: true), points: vs.at == nil ? context.points : 1)
        case .matrixSelector(let vs, let range):
            let (a, b) = pinned(vs.at, s, e)
            widen(vs.matchers, a.minus(vs.offset).minus(range), b.minus(vs.offset),
                  grid: grid(context, vs, window: range, latestOnly: false), points: vs.at == nil ? context.points : 1)
        case .subquery(let sq):
            let (a, b) = pinned(sq.at, s, e)
            let interval = max(sq.step ?? options.defaultSubqueryStep, 1)
            let inner = sq.range / interval + 1
            let outer = sq.at == nil ? context.points : 1
            let (points, overflow) = outer.multipliedReportingOverflow(by: Int(clamping: inner))
            collect(sq.expr, from: a.minus(sq.offset).minus(sq.range), to: b.minus(sq.offset),
                    context: .subquery(points: overflow ? .max : points))
        case .call(_, let args): for a in args { collect(a, from: s, to: e, context: context) }
        case .aggregate(let agg):
            if let p = agg.parameter { collect(p, from: s, to: e, context: context) }
            collect(agg.expr, from: s, to: e, context: context)
        case .binary(let b):
            collect(b.lhs, from: s, to: e, context: context)
            collect(b.rhs, from: s, to: e, context: context)
        case .unary(_, let x), .paren(let x): collect(x, from: s, to: e, context: context)
        }
    }

    /// The evaluation points a selector is read at, shifted by its offset (one point when pinned by
    /// `@`); nil inside a subquery.
    private func grid(_ context: SelectorContext, _ vs: VectorSelector, window: Int64, latestOnly: Bool) -> SampleGrid? {
        guard case .top(let first, let step, let count) = context else { return nil }
        if vs.at != nil {
            let t = referenceTime(vs.at, offset: vs.offset, t: first)
            return SampleGrid(first: t, step: 0, count: 1, window: window, latestOnly: latestOnly)
        }
        return SampleGrid(first: first.minus(vs.offset), step: step, count: count, window: window, latestOnly: latestOnly)
    }

    private func pinned(_ at: AtModifier?, _ s: Int64, _ e: Int64) -> (Int64, Int64) {
        guard let at else { return (s, e) }
        let t = at.resolve(start: start, end: end)
        return (t, t)
    }

    func referenceTime(_ at: AtModifier?, offset: Int64, t: Int64) -> Int64 {
        (at?.resolve(start: start, end: end) ?? t).minus(offset)
    }

    // MARK: Evaluation

    func eval(_ expr: Expr, at t: Int64) throws(QueryError) -> Value {
        try checkDeadline()
        switch expr {
        case .number(let v): return .scalar(v)
        case .string(let s): return .string(s)
        case .paren(let e): return try eval(e, at: t)
        case .vectorSelector(let vs): return .vector(try selectInstant(vs, at: t))
        case .matrixSelector(let vs, let range):
            return .matrix(try selectRange(vs, range: range, at: t).map { SeriesData(labels: $0.labels, samples: Array($0.samples)) })
        case .subquery(let sq): return .matrix(try evalSubquery(sq, at: t))
        case .unary(let negate, let e):
            let v = try eval(e, at: t)
            guard negate else { return v }
            switch v {
            case .scalar(let x): return .scalar(-x)
            case .vector(let vec):
                let out = vec.map { s in
                    let (labels, id) = withoutName(s)
                    return VSample(labels: labels, time: t, value: -s.value, id: id)
                }
                try checkDistinct(out)
                return .vector(out)
            default: return v
            }
        case .call(let function, let args): return try evalCall(function, args, at: t)
        case .aggregate(let agg): return .vector(try evalAggregation(agg, at: t))
        case .binary(let b): return try evalBinary(b, at: t)
        }
    }

    func selectInstant(_ vs: VectorSelector, at t: Int64) throws(QueryError) -> [VSample] {
        let ref = referenceTime(vs.at, offset: vs.offset, t: t)
        let series = loaded(vs.matchers)
        var out: [VSample] = []
        out.reserveCapacity(series.count)
        for s in series {
            try checkDeadline()
            let i = Evaluator.lastIndex(s.samples, atOrBefore: ref)
            guard i >= 0, let sample = visible(s.samples[i], at: ref) else { continue }
            out.append(VSample(labels: s.labels, time: sample.timestamp, value: sample.value, id: s.id))
        }
        try addSamples(out.count)
        return out
    }

    /// `sample`, the newest at or before `ref`, if an instant selector sees it there: within the
    /// lookback window and not a staleness marker.
    @inline(__always) func visible(_ sample: Sample, at ref: Int64) -> Sample? {
        sample.timestamp < ref.minus(options.lookbackDelta) || StaleMarker.isStale(sample.value) ? nil : sample
    }

    func selectRange(_ vs: VectorSelector, range: Int64, at t: Int64) throws(QueryError) -> [RangeSeries] {
        let ref = referenceTime(vs.at, offset: vs.offset, t: t)
        let series = loaded(vs.matchers)
        var out: [RangeSeries] = []
        out.reserveCapacity(series.count)
        var count = 0
        let from = ref.minus(range).minus(1)
        for s in series {
            try checkDeadline()
            let samples = s.nonStale
            let hi = Evaluator.lastIndex(samples, atOrBefore: ref)
            guard hi >= 0 else { continue }
            let lo = Evaluator.lastIndex(samples, atOrBefore: from) + 1
            guard lo <= hi else { continue }
            count += hi - lo + 1
            out.append(RangeSeries(labels: s.labels, samples: samples[lo...hi], id: s.id))
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
        try evalSubqueryRange(sq, at: t).map { SeriesData(labels: $0.labels, samples: Array($0.samples)) }
    }

    /// The subquery's points in its window at `t`. Inner results are memoized per step-aligned
    /// time and kept per series in time order, so successive windows only slice them.
    func evalSubqueryRange(_ sq: Subquery, at t: Int64) throws(QueryError) -> [RangeSeries] {
        let ref = referenceTime(sq.at, offset: sq.offset, t: t)
        let interval = Swift.max(1, sq.step ?? options.defaultSubqueryStep)
        let lowest = ref.minus(sq.range)
        var ts = interval * (lowest / interval)
        if ts < lowest { ts = ts.plus(interval) }
        let memo: SubqueryMemo
        while subqueryMemos.count <= subqueryDepth { subqueryMemos.append([]) }
        if let known = subqueryMemos[subqueryDepth].first(where: { $0.interval == interval && $0.expr.isIdentical(to: sq.expr) }) {
            memo = known.memo
        } else {
            memo = SubqueryMemo(isConstant: sq.expr.isConstant)
            subqueryMemos[subqueryDepth].append((interval, sq.expr, memo))
            // In a range query whose windows need most grid points from the first window to the
            // last, fill them all at once where the inner expression allows.
            if subqueryDepth == 0, step > 0, sq.at == nil, fillsWholeGrid(sq), t == start {
                let lastRef = end.minus(sq.offset)
                _ = try prefill(memo, with: sq.expr, first: ts, last: lastRef - (lastRef % interval + interval) % interval,
                                interval: interval)
            }
        }
        while ts <= ref {
            if !memo.holds(ts) {
                subqueryDepth += 1
                defer { subqueryDepth -= 1 }
                let value: Value
                if let constant = memo.constant {
                    value = constant
                } else {
                    value = try eval(sq.expr, at: ts)
                    if memo.isConstant { memo.constant = value }
                }
                memo.add(value, at: ts, evaluator: self)
                memo.evaluated.insert(ts)
            }
            if ts > Int64.max - interval { break }
            ts += interval
        }
        var out: [RangeSeries] = []
        var count = 0
        for (index, samples) in memo.series.enumerated() {
            let hi = Evaluator.lastIndex(samples, atOrBefore: ref)
            guard hi >= 0 else { continue }
            let lo = Evaluator.lastIndex(samples, atOrBefore: lowest.minus(1)) + 1
            guard lo <= hi else { continue }
            count += hi - lo + 1
            out.append(RangeSeries(labels: memo.labels[index], samples: samples[lo...hi], id: memo.ids[index]))
        }
        try addSamples(count)
        return out
    }

    /// Errors when an instant vector holds two elements with the same labels.
    func checkDistinct(_ vec: [VSample]) throws(QueryError) {
        guard vec.count > 1 else { return }
        if vec.allSatisfy({ $0.id >= 0 }) {
            // Interned ids are equal exactly when the labels are.
            if vec.count <= 16 { // comparing pairs beats building a set
                for i in 1..<vec.count {
                    for j in 0..<i where vec[i].id == vec[j].id {
                        throw .execution("vector cannot contain metrics with the same labelset")
                    }
                }
                return
            }
            var seen = Set<Int32>(minimumCapacity: vec.count)
            for s in vec where !seen.insert(s.id).inserted {
                throw .execution("vector cannot contain metrics with the same labelset")
            }
            return
        }
        var seen = Set<Labels>(minimumCapacity: vec.count)
        for s in vec where !seen.insert(s.labels).inserted {
            throw .execution("vector cannot contain metrics with the same labelset")
        }
    }
}
