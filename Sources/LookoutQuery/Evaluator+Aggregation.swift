import LookoutModel

extension Evaluator {
    /// The groups of `agg`'s grouping, kept across steps.
    func groupCache(_ agg: Aggregation) -> GroupCache {
        let key = GroupCacheKey(without: agg.without, grouping: agg.grouping, extra: nil)
        if let existing = groupCaches[key] { return existing }
        let grouping = Set(agg.grouping)
        let cache = GroupCache(dropped: agg.without ? grouping.union([Labels.metricName]) : grouping)
        groupCaches[key] = cache
        return cache
    }

    /// The groups of a `count_values` aggregation with value label `valueLabel`, kept across steps.
    func countValuesGroups(_ agg: Aggregation, valueLabel: String) -> CountValuesGroups {
        let key = GroupCacheKey(without: agg.without, grouping: agg.grouping, extra: valueLabel)
        if let existing = countValuesCaches[key] { return existing }
        // Prometheus sets the value label before grouping: `without` drops it again when it is
        // listed (or is `__name__`); otherwise every group carries it.
        let dropped = agg.without && (agg.grouping.contains(valueLabel) || valueLabel == Labels.metricName)
        let groups = CountValuesGroups(valueLabel: dropped ? nil : valueLabel)
        countValuesCaches[key] = groups
        return groups
    }

    /// The `count_values` group of a value in the group whose labels have interned id `base`.
    private func countValuesGroup(_ value: Double, base: Int32, in groups: CountValuesGroups) -> Int {
        groups.group(base: base, value: value) {
            guard let valueLabel = groups.valueLabel else { return base }
            return intern(internedLabels[Int(base)].setting(valueLabel, to: PromNumber.formatPlain(value)))
        }
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
        let cache = groupCache(agg)
        let valueGroups = agg.op == .countValues ? countValuesGroups(agg, valueLabel: valueLabel) : nil
        let keepsMembers = agg.op == .topk || agg.op == .bottomk || agg.op == .quantile
        // This step's groups in first-seen order: their labels' ids, accumulators and (for topk,
        // bottomk and quantile) members; `slotOfGroup` finds them by group number.
        var slotOfGroup = [Int32](repeating: -1, count: valueGroups?.count ?? cache.keyOfGroup.count)
        var keys: [Int32] = []
        var accumulators: [AggregateAccumulator] = []
        var members: [[VSample]] = []
        for s in input {
            let number: Int
            let key: Int32
            if let valueGroups {
                let baseGroup = group(of: s.labels, id: s.id, without: agg.without, in: cache)
                number = countValuesGroup(s.value, base: cache.keyOfGroup[baseGroup], in: valueGroups)
                key = valueGroups.keyOfGroup[number]
            } else {
                number = group(of: s.labels, id: s.id, without: agg.without, in: cache)
                key = cache.keyOfGroup[number]
            }
            if number >= slotOfGroup.count { slotOfGroup.append(contentsOf: repeatElement(-1, count: number + 1 - slotOfGroup.count)) }
            let slot = Int(slotOfGroup[number])
            if slot < 0 {
                slotOfGroup[number] = Int32(keys.count)
                keys.append(key)
                if keepsMembers { members.append([s]) } else { accumulators.append(AggregateAccumulator(agg.op, first: s.value)) }
            } else if keepsMembers {
                members[slot].append(s)
            } else {
                accumulators[slot].add(agg.op, s.value)
            }
        }
        var out: [VSample] = []
        for (slot, key) in keys.enumerated() {
            let value: Double
            switch agg.op {
            case .quantile: value = quantileOf(q, members[slot].map(\.value))
            case .topk, .bottomk:
                for m in TopKSelection.select(members[slot], k: k, bottom: agg.op == .bottomk) {
                    out.append(VSample(labels: m.labels, time: t, value: m.value, id: m.id))
                }
                continue
            default: value = accumulators[slot].result(agg.op)
            }
            out.append(VSample(labels: internedLabels[Int(key)], time: t, value: value, id: key))
        }
        return out
    }
}
