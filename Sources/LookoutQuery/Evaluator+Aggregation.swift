import LookoutModel

extension Evaluator {
    private final class Group {
        var labels: Labels
        /// The interned id of `labels`.
        let id: Int32
        var accumulator: AggregateAccumulator
        var members: [VSample]

        init(labels: Labels, id: Int32, op: Aggregation.Operator, first: VSample) {
            self.labels = labels
            self.id = id
            self.accumulator = AggregateAccumulator(op, first: first.value)
            self.members = [first]
        }
    }

    /// The groups of `agg`'s grouping, kept across steps. `count_values` groups by its value
    /// label too, and remembers groups per value label.
    func groupCache(_ agg: Aggregation, valueLabel: String?) -> GroupCache {
        let key = GroupCacheKey(without: agg.without, grouping: agg.grouping, extra: valueLabel)
        if let existing = groupCaches[key] { return existing }
        var grouping = Set(agg.grouping)
        if let valueLabel, !agg.without { grouping.insert(valueLabel) }
        let cache = GroupCache(dropped: agg.without ? grouping.union([Labels.metricName]) : grouping)
        groupCaches[key] = cache
        return cache
    }

    /// The group of input sample `labels` (interned id `id`, or -1) in `cache`.
    func group(of labels: Labels, id: Int32, without: Bool, in cache: GroupCache) -> Int {
        if let known = cache.group(ofInput: id) { return known }
        return cache.group(ofKey: intern(without ? labels.removing(cache.dropped) : labels.keeping(cache.dropped)), input: id)
    }

    func evalAggregation(_ agg: Aggregation, at t: Int64) throws(QueryError) -> [VSample] {
        var k = 0
        var q = 0.0
        var valueLabel = ""
        if let parameter = agg.parameter {
            switch agg.op {
            case .topk, .bottomk:
                let f = try scalarArg(parameter, at: t)
                guard f.isFinite || f.isNaN, !f.isNaN, abs(f) < 9.2e18 else {
                    throw .execution("Scalar value \(PromNumber.formatShortest(f)) overflows int64")
                }
                k = Int(f)
                if k < 1 { return [] }
            case .quantile: q = try scalarArg(parameter, at: t)
            case .countValues:
                valueLabel = try stringArg(parameter, at: t)
                guard LabelName.isValid(valueLabel) else { throw .execution("invalid label name \"\(valueLabel)\"") }
            default: break
            }
        }
        let input = try vectorArg(agg.expr, at: t)
        let cache = groupCache(agg, valueLabel: agg.op == .countValues ? valueLabel : nil)
        var groups = [Group?](repeating: nil, count: cache.keyOfGroup.count)
        var order: [Group] = []
        for s in input {
            let slot: Int
            if agg.op == .countValues {
                // Grouped by the value too. A series often repeats its value from the step before
                // (gauges); only a new value is formatted and interned.
                if let known = cache.group(ofInput: s.id, value: s.value) {
                    slot = known
                } else {
                    let labels = s.labels.setting(valueLabel, to: PromNumber.formatPlain(s.value))
                    slot = group(of: labels, id: -1, without: agg.without, in: cache)
                    cache.remember(input: s.id, value: s.value, group: slot)
                }
            } else {
                slot = group(of: s.labels, id: s.id, without: agg.without, in: cache)
            }
            if slot >= groups.count { groups.append(contentsOf: repeatElement(nil, count: slot + 1 - groups.count)) }
            guard let group = groups[slot] else {
                let keyID = cache.keyOfGroup[slot]
                let g = Group(labels: internedLabels[Int(keyID)], id: keyID, op: agg.op, first: s)
                groups[slot] = g
                order.append(g)
                continue
            }
            switch agg.op {
            case .topk, .bottomk, .quantile: group.members.append(s)
            default: group.accumulator.add(agg.op, s.value)
            }
        }
        var out: [VSample] = []
        for g in order {
            let value: Double
            switch agg.op {
            case .quantile: value = quantileOf(q, g.members.map(\.value))
            case .topk, .bottomk:
                let top = agg.op == .topk
                // NaN ranks below every number for topk and above for bottomk: it is kept last.
                let sorted = g.members.enumerated().sorted { a, b in
                    let x = a.element.value, y = b.element.value
                    if x.isNaN != y.isNaN { return y.isNaN }
                    if x == y || (x.isNaN && y.isNaN) { return a.offset < b.offset }
                    return top ? x > y : x < y
                }
                for m in sorted.prefix(k) { out.append(VSample(labels: m.element.labels, time: t, value: m.element.value, id: m.element.id)) }
                continue
            default: value = g.accumulator.result(agg.op)
            }
            out.append(VSample(labels: g.labels, time: t, value: value, id: g.id))
        }
        return out
    }
}
