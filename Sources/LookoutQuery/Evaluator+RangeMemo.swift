import LookoutModel

/// Identifies a one-argument range function over a selector, such as `rate(x{job="a"}[5m] offset 1m)`.
struct RangeMemoKey: Hashable {
    var function: RangeFunction
    var matchers: [LabelMatcher]
    var range: Int64
    var offset: Int64
}

/// A range function's output at every step of a range query, with what each step adds to the
/// sample count and whether its output holds two elements with the same labels.
final class RangeMemo {
    var results: [[VSample]]
    var counts: [Int]
    var duplicate: [Bool]

    init(steps: Int) {
        results = Array(repeating: [], count: steps)
        counts = Array(repeating: 0, count: steps)
        duplicate = Array(repeating: false, count: steps)
    }
}

extension Evaluator {
    /// The most points (series × steps) one range-function memo may hold.
    static let rangeMemoBudget: Int64 = 2_000_000

    /// The result of `name(vs[range])` at `t` from a per-query memo, or nil when `t` is not a
    /// step of the range query (instant queries, subquery steps) or the function needs more.
    ///
    /// On first use the function is evaluated series by series over all steps, sliding each
    /// series' window by indices, as Prometheus's engine does, instead of searching and slicing
    /// every series at every step. Each step still charges its own samples and reports its own
    /// duplicate-labels error when it is asked for, so errors arise at the same step as before.
    func memoizedRange(_ function: RangeFunction, _ vs: VectorSelector, _ range: Int64, at t: Int64) throws(QueryError) -> [VSample]? {
        guard fastPaths, step > 0, vs.at == nil, subqueryDepth == 0, t >= start, t <= end,
              (t - start) % step == 0, function.slides else { return nil }
        try checkDeadline()
        let key = RangeMemoKey(function: function, matchers: vs.matchers, range: range, offset: vs.offset)
        let memo: RangeMemo
        if let existing = rangeMemos[key] {
            memo = existing
        } else {
            // All steps are held at once: beyond a bound, stay step by step, which holds one.
            let steps = (end - start) / step + 1
            guard Int64(loaded(vs.matchers).count) * steps <= Evaluator.rangeMemoBudget else { return nil }
            memo = try computeRangeMemo(function, vs, range)
            rangeMemos[key] = memo
        }
        let i = Int((t - start) / step)
        try addSamples(memo.counts[i])
        if memo.duplicate[i] { throw .execution("vector cannot contain metrics with the same labelset") }
        return memo.results[i]
    }

    private func computeRangeMemo(_ function: RangeFunction, _ vs: VectorSelector, _ range: Int64) throws(QueryError) -> RangeMemo {
        let steps = Int((end - start) / step) + 1
        let memo = RangeMemo(steps: steps)
        let series = loaded(vs.matchers)
        let outLabels = rangeOutputLabels(function, series)
        for i in 0..<steps { memo.results[i].reserveCapacity(series.count) }
        for (index, s) in series.enumerated() {
            let (labels, id) = outLabels[index]
            try slide(function, s, range: range, offset: vs.offset, steps: steps, counts: &memo.counts) { i, t, value in
                memo.results[i].append(VSample(labels: labels, time: t, value: value, id: id))
            }
        }
        // Output ids are interned (or -1 only if a nameless set was never interned), and equal
        // ids mean equal labels: duplicates are possible only if two series share an output id.
        if mayCollide(outLabels) {
            for i in 0..<steps {
                do {
                    try checkDistinct(memo.results[i])
                } catch {
                    memo.duplicate[i] = true
                }
            }
        }
        return memo
    }
}

extension Evaluator {
    /// For a range query of a selector, or of a one-argument range function of a selector or of a
    /// subquery whose windows need most of its grid (`fillsWholeGrid`; no `@`, inner expression as
    /// `prefill` allows), the output series computed series by series straight into their sample
    /// arrays; nil for any other expression, which is then evaluated step by step.
    ///
    /// Errors match step-by-step evaluation: the sample limit is checked with each step's
    /// selected samples plus the output held from earlier steps, and a function whose output
    /// series could share labels is left to the step-by-step path.
    func seriesMajor(_ expr: Expr) throws(QueryError) -> [SeriesData]? {
        guard step > 0 else { return nil }
        let e = expr.unwrapped
        let steps = Int((end - start) / step) + 1
        var counts = [Int](repeating: 0, count: steps)  // samples each step selects
        var outputs = [Int](repeating: 0, count: steps) // points each step outputs
        var out: [SeriesData] = []
        switch e {
        case .vectorSelector(let vs) where vs.at == nil:
            let series = loaded(vs.matchers)
            guard !mayCollide(series.map { ($0.labels, $0.id) }) else { return nil }
            for s in series {
                var points: [Sample] = []
                try walkSelector(s, offset: vs.offset, first: start, interval: step, steps: steps) { i, t, value in
                    counts[i] += 1
                    points.append(Sample(t, value))
                }
                if !points.isEmpty { out.append(SeriesData(labels: s.labels, samples: points)) }
            }
            outputs = counts
        case .call(.range(let function), let args) where args.count == 1:
            guard function.slides else { return nil }
            if case .subquery(let sq) = args[0].unwrapped, !fillsWholeGrid(sq) { return nil }
            guard let (series, range, offset) = try slidingInput(args[0], first: start, last: end) else { return nil }
            let outLabels = rangeOutputLabels(function, series)
            guard !mayCollide(outLabels) else { return nil }
            for (index, s) in series.enumerated() {
                var points: [Sample] = []
                try slide(function, s, range: range, offset: offset, steps: steps, counts: &counts) { i, t, value in
                    outputs[i] += 1
                    points.append(Sample(t, value))
                }
                if !points.isEmpty { out.append(SeriesData(labels: outLabels[index].0, samples: points)) }
            }
        default:
            return nil
        }
        var held = 0
        for i in 0..<steps {
            if held + counts[i] > options.maxSamples || held + outputs[i] > options.maxSamples {
                throw Evaluator.tooManySamples
            }
            held += outputs[i]
        }
        return out.sorted { $0.labels < $1.labels }
    }

    /// Fills a new subquery memo with the inner expression at every point of its grid from
    /// `first` to `last`, series by series, when the inner expression is constant, a selector, or
    /// a sliding range function of a selector or of such a subquery (no `@`) whose outputs cannot
    /// share labels; false, leaving the memo untouched, for anything else, which is then
    /// evaluated point by point.
    ///
    /// Selected samples are not charged to `max_samples` here (memoized points never are);
    /// each step still charges the points its window holds.
    func prefill(_ memo: SubqueryMemo, with expr: Expr, first: Int64, last: Int64, interval: Int64) throws(QueryError) -> Bool {
        guard fastPaths, first <= last else { return false }
        let (points, overflow) = ((last - first) / interval).addingReportingOverflow(1)
        guard !overflow, points <= Int64(Int32.max) else { return false }
        let steps = Int(points)
        if memo.isConstant {
            let value = try eval(expr, at: first)
            memo.constant = value
            let outputs: [(Labels, Int32, Double)]
            switch value {
            case .scalar(let v): outputs = [(.empty, emptyID, v)]
            case .vector(let vector): outputs = vector.map { ($0.labels, $0.id, $0.value) }
            default: outputs = []
            }
            guard Int64(outputs.count) * points <= Evaluator.rangeMemoBudget else { return false }
            for (labels, id, v) in outputs {
                memo.fill(labels, id, (0..<steps).map { Sample(first + Int64($0) * interval, v) }, evaluator: self)
            }
            memo.prefilled = first...last
            return true
        }
        let e = expr.unwrapped
        switch e {
        case .vectorSelector(let vs) where vs.at == nil:
            let series = loaded(vs.matchers)
            guard Int64(series.count) * points <= Evaluator.rangeMemoBudget else { return false }
            for s in series {
                var values: [Sample] = []
                try walkSelector(s, offset: vs.offset, first: first, interval: interval, steps: steps) { _, ts, value in
                    values.append(Sample(ts, value))
                }
                memo.fill(s.labels, s.id, values, evaluator: self)
            }
        case .aggregate(let agg):
            guard try prefillAggregation(memo, agg, first: first, interval: interval, steps: steps) else { return false }
        case .call(.range(let function), let args) where args.count == 1:
            guard function.slides,
                  let (series, range, offset) = try slidingInput(args[0], first: first, last: last) else { return false }
            guard Int64(series.count) * points <= Evaluator.rangeMemoBudget else { return false }
            let outLabels = rangeOutputLabels(function, series)
            guard !mayCollide(outLabels) else { return false }
            var counts = [Int](repeating: 0, count: steps)
            for (index, s) in series.enumerated() {
                var values: [Sample] = []
                try slide(function, s, range: range, offset: offset, steps: steps, grid: (first, interval),
                          counts: &counts) { _, ts, value in values.append(Sample(ts, value)) }
                memo.fill(outLabels[index].0, outLabels[index].1, values, evaluator: self)
            }
        default:
            return false
        }
        memo.prefilled = first...last
        return true
    }

    /// `prefill` for an aggregation without a parameter over a selector: each series' value at
    /// every grid point is added to its group's accumulator for that point, series by series in
    /// the order the step-by-step path adds them, so sums come out bit for bit the same.
    private func prefillAggregation(_ memo: SubqueryMemo, _ agg: Aggregation, first: Int64, interval: Int64,
                                    steps: Int) throws(QueryError) -> Bool {
        switch agg.op {
        case .sum, .avg, .min, .max, .count, .group, .stddev, .stdvar: break
        case .topk, .bottomk, .quantile, .countValues: return false
        }
        let e = agg.expr.unwrapped
        guard case .vectorSelector(let vs) = e, vs.at == nil else { return false }
        let series = loaded(vs.matchers)
        guard Int64(series.count) * Int64(steps) <= Evaluator.rangeMemoBudget else { return false }
        let cache = groupCache(agg)
        var accumulators: [[AggregateAccumulator?]] = []
        var slotOfGroup: [Int: Int] = [:] // group number → index into accumulators, in first-seen order
        var groupOfSlot: [Int] = []
        for s in series {
            let number = group(of: s.labels, id: s.id, without: agg.without, in: cache)
            let slot: Int
            if let known = slotOfGroup[number] {
                slot = known
            } else {
                slot = accumulators.count
                slotOfGroup[number] = slot
                groupOfSlot.append(number)
                accumulators.append([AggregateAccumulator?](repeating: nil, count: steps))
            }
            try walkSelector(s, offset: vs.offset, first: first, interval: interval, steps: steps) { i, _, value in
                if accumulators[slot][i] == nil {
                    accumulators[slot][i] = AggregateAccumulator(agg.op, first: value)
                } else {
                    accumulators[slot][i]!.add(agg.op, value)
                }
            }
        }
        for (slot, number) in groupOfSlot.enumerated() {
            var points: [Sample] = []
            for (i, accumulator) in accumulators[slot].enumerated() {
                if let accumulator { points.append(Sample(first + Int64(i) * interval, accumulator.result(agg.op))) }
            }
            let key = cache.keyOfGroup[number]
            memo.fill(internedLabels[Int(key)], key, points, evaluator: self)
        }
        return true
    }

    /// What a sliding range function reads from its argument (no `@`): a matrix selector's
    /// loaded series, or a subquery's points over every window of a grid from `first` to `last`,
    /// with the window's range and offset; nil for any other argument, or a subquery whose inner
    /// expression `prefill` cannot fill.
    func slidingInput(_ arg: Expr, first: Int64, last: Int64) throws(QueryError) -> (series: [FetchedSeries], range: Int64, offset: Int64)? {
        switch arg.unwrapped {
        case .matrixSelector(let vs, let range) where vs.at == nil:
            return (loaded(vs.matchers), range, vs.offset)
        case .subquery(let sq) where sq.at == nil:
            guard let filled = try prefilledSeries(of: sq, first: first, last: last) else { return nil }
            return (filled, sq.range, sq.offset)
        default:
            return nil
        }
    }

    /// Whether a range query's windows of subquery `sq` need at least half of the points of its
    /// grid from the first window to the last, so that filling them all (`prefill`) costs at
    /// most twice what evaluating just the windows' points would. Windows that overlap or touch
    /// need every point; `x[1m:15s]` at a 77 s step needs five points of every five or six.
    func fillsWholeGrid(_ sq: Subquery) -> Bool {
        let interval = Swift.max(1, sq.step ?? options.defaultSubqueryStep)
        return sq.range >= step || 2 * (sq.range / interval + 1) >= step / interval
    }

    /// The series of subquery `sq` over every point that the windows of a grid from `first` to
    /// `last` reach, filled series by series, or nil when its inner expression does not allow it.
    func prefilledSeries(of sq: Subquery, first: Int64, last: Int64) throws(QueryError) -> [FetchedSeries]? {
        let interval = Swift.max(1, sq.step ?? options.defaultSubqueryStep)
        let lowest = first.minus(sq.offset).minus(sq.range)
        var innerFirst = interval * (lowest / interval)
        if innerFirst < lowest { innerFirst = innerFirst.plus(interval) }
        let lastRef = last.minus(sq.offset)
        let innerLast = lastRef - (lastRef % interval + interval) % interval
        let memo = SubqueryMemo(isConstant: sq.expr.isConstant)
        guard try prefill(memo, with: sq.expr, first: innerFirst, last: innerLast, interval: interval) else { return nil }
        return memo.series.indices.map { i in
            FetchedSeries(labels: memo.labels[i], samples: memo.series[i], nonStale: memo.series[i], id: memo.ids[i])
        }
    }

    /// Output labels and ids of a range function over each series.
    func rangeOutputLabels(_ function: RangeFunction, _ series: [FetchedSeries]) -> [(Labels, Int32)] {
        let keepName = function == .lastOverTime
        return series.map { keepName ? ($0.labels, $0.id) : withoutName($0) }
    }

    /// Whether two outputs might carry the same labels: equal interned ids mean equal labels,
    /// and an id of -1 is unknown.
    func mayCollide(_ outputs: [(Labels, Int32)]) -> Bool {
        var seen = Set<Int32>(minimumCapacity: outputs.count)
        return outputs.contains { $0.1 < 0 || !seen.insert($0.1).inserted }
    }

    /// An instant selector over one series at every point of a grid (`first`, then every
    /// `interval`, `steps` points), offset applied, with lookback and staleness as `visible` decides:
    /// `emit(i, t, value)` for each point where the selector has a value. The one walk that
    /// `seriesMajor`, `prefill` and `prefillAggregation` share.
    func walkSelector(_ s: FetchedSeries, offset: Int64, first: Int64, interval: Int64, steps: Int,
                      _ emit: (Int, Int64, Double) -> Void) throws(QueryError) {
        let samples = s.samples
        var next = 0 // samples[..<next] are at or before the reference time
        for i in 0..<steps {
            try checkDeadline()
            let t = first + Int64(i) * interval
            let ref = t.minus(offset)
            while next < samples.count && samples[next].timestamp <= ref { next += 1 }
            guard next > 0, let sample = visible(samples[next - 1], at: ref) else { continue }
            emit(i, t, sample.value)
        }
    }

    /// Slides `function`'s closed window `[t - offset - range, t - offset]` over one series for
    /// every step, adding each step's window size to `counts` and emitting each value.
    ///
    /// The steps are the query's, or `grid` (first time and interval) for a subquery's.
    func slide(_ function: RangeFunction, _ s: FetchedSeries, range: Int64, offset: Int64, steps: Int,
               grid: (first: Int64, interval: Int64)? = nil,
               counts: inout [Int], _ emit: (Int, Int64, Double) -> Void) throws(QueryError) {
        let samples = s.nonStale
        let (first, interval) = grid ?? (start, step)
        var lo = 0, hi = 0 // the window is samples[lo..<hi]
        for i in 0..<steps {
            try checkDeadline()
            let t = first + Int64(i) * interval
            let rangeEnd = t.minus(offset)
            let rangeStart = rangeEnd.minus(range)
            while hi < samples.count && samples[hi].timestamp <= rangeEnd { hi += 1 }
            while lo < hi && samples[lo].timestamp < rangeStart { lo += 1 }
            guard lo < hi else { continue }
            counts[i] += hi - lo
            guard let value = rangeValue(function, samples[lo..<hi], rangeStart, rangeEnd, range, t: t, scalarParam: 0) else {
                continue
            }
            emit(i, t, value)
        }
    }
}
