import Foundation
import LookoutModel

/// Inner results of one subquery (one inner expression at one step), kept per series in time
/// order, so that overlapping windows of successive steps slice them instead of re-evaluating.
final class SubqueryMemo {
    private var slots = SeriesSlots()
    var labels: [Labels] { slots.labels }
    var ids: [Int32] = []
    var series: [[Sample]] = []
    var evaluated: Set<Int64> = []
    /// Times whose grid points were all filled at once (`Evaluator.prefill`).
    var prefilled: ClosedRange<Int64>?
    /// Whether the inner expression has the same value at every step (`Expr.isConstant`).
    let isConstant: Bool
    /// That value, once evaluated.
    var constant: Value?

    init(isConstant: Bool) { self.isConstant = isConstant }

    func add(_ value: Value, at ts: Int64, evaluator: Evaluator) {
        switch value {
        case .vector(let vec):
            for s in vec { insert(Sample(ts, s.value), into: slot(s.labels, s.id, evaluator)) }
        case .scalar(let v):
            insert(Sample(ts, v), into: slot(.empty, evaluator.emptyID, evaluator))
        default:
            break
        }
    }

    /// Whether the inner expression's value at `ts` is held.
    func holds(_ ts: Int64) -> Bool {
        prefilled?.contains(ts) ?? false || evaluated.contains(ts)
    }

    /// Adds one series' points, in time order, from a prefill.
    func fill(_ labels: Labels, _ id: Int32, _ points: [Sample], evaluator: Evaluator) {
        guard !points.isEmpty else { return }
        let slot = slot(labels, id, evaluator)
        if series[slot].isEmpty { series[slot] = points } else { for p in points { insert(p, into: slot) } }
    }

    private func insert(_ sample: Sample, into slot: Int) {
        if let last = series[slot].last, last.timestamp > sample.timestamp {
            let at = Evaluator.lastIndex(series[slot], atOrBefore: sample.timestamp) + 1
            series[slot].insert(sample, at: at)
        } else {
            series[slot].append(sample)
        }
    }

    private func slot(_ l: Labels, _ id: Int32, _ evaluator: Evaluator) -> Int {
        let (found, isNew) = slots.slot(l, id: id)
        if isNew {
            ids.append(id >= 0 ? id : evaluator.intern(l))
            series.append([])
        }
        return found
    }
}

/// A per-query cache keyed by a call's arguments. A query makes few distinct calls, and comparing
/// their keys is cheaper than hashing them again at every step.
struct ArgumentCache<Key: Equatable, Value> {
    private var entries: [(key: Key, value: Value)] = []

    subscript(key: Key) -> Value? {
        get { entries.first { $0.key == key }?.value }
        set {
            entries.removeAll { $0.key == key }
            if let newValue { entries.append((key, newValue)) }
        }
    }
}

/// The arguments of one `label_replace` call that select its regex and results.
struct RelabelKey: Equatable {
    var destination: String
    var replacement: String
    var source: String
    var pattern: String
}

/// The arguments of one `label_join` call.
struct JoinKey: Equatable {
    var destination: String
    var separator: String
    var sources: [String]
}

/// label_join results (labels and their id) by input label id, for one set of arguments.
final class JoinCache {
    var results: [Int32: (Labels, Int32)] = [:]
}

/// Identifies a matching configuration of a binary operation, for `Evaluator.matchCaches`.
struct MatchCacheKey: Equatable {
    var on: Bool
    var labels: [String]
    var include: [String]
    var cardinality: Int
    var dropsMetricName: Bool

    init(matching m: VectorMatching, dropsMetricName: Bool) {
        on = m.on
        labels = m.labels
        include = m.include
        switch m.cardinality {
        case .oneToOne: cardinality = 0
        case .manyToOne: cardinality = 1
        case .oneToMany: cardinality = 2
        case .manyToMany: cardinality = 3
        }
        self.dropsMetricName = dropsMetricName
    }
}

/// Per matching configuration of a binary operation: signature ids by label id, and result
/// labels by (lhs id, rhs id), reused across the steps of a query.
final class MatchCache {
    let signer: Evaluator.Signer
    var signature: [Int32] = []
    var results: [Int64: (Labels, Int32)] = [:]

    init(signer: Evaluator.Signer) { self.signer = signer }
}

/// Identifies one grouping of an aggregation: by/without, its labels as written, and the label
/// `count_values` adds (its groups depend on it).
struct GroupCacheKey: Equatable {
    var without: Bool
    var grouping: [String]
    var extra: String?
}

/// The groups of one grouping (by/without and its labels), numbered densely across the steps of
/// a query, so each step finds an input's group by array index rather than by hashing.
final class GroupCache {
    /// The labels a `without` grouping removes (with `__name__`) or a `by` grouping keeps.
    let dropped: Set<String>
    /// Group number by input label id, -1 when not yet seen.
    private(set) var groupOfInput: [Int32] = []
    /// The interned id of each group's labels.
    private(set) var keyOfGroup: [Int32] = []
    private var groupOfKey: [Int32: Int32] = [:]

    init(dropped: Set<String>) { self.dropped = dropped }

    /// The group of an input with interned label id `id`, if known.
    @inline(__always) func group(ofInput id: Int32) -> Int? {
        guard id >= 0, Int(id) < groupOfInput.count, groupOfInput[Int(id)] >= 0 else { return nil }
        return Int(groupOfInput[Int(id)])
    }

    /// The group whose labels have interned id `key`, remembered for input `id` when it has one.
    func group(ofKey key: Int32, input id: Int32) -> Int {
        let group: Int32
        if let known = groupOfKey[key] {
            group = known
        } else {
            group = Int32(keyOfGroup.count)
            keyOfGroup.append(key)
            groupOfKey[key] = group
        }
        if id >= 0 {
            if Int(id) >= groupOfInput.count {
                groupOfInput.append(contentsOf: repeatElement(-1, count: Int(id) + 1 - groupOfInput.count))
            }
            groupOfInput[Int(id)] = group
        }
        return Int(group)
    }
}

/// The groups of one `count_values` aggregation (grouping and value label), numbered densely
/// across the steps of a query: a group is found by the group its input has under the
/// aggregation's grouping and the bits of its value, so a value seen before, at any step or in
/// any series of that group, is not formatted again.
final class CountValuesGroups {
    private struct Key: Hashable {
        var base: Int32
        var bits: UInt64
    }

    /// The label the value is written to, or nil when the grouping drops it again.
    let valueLabel: String?
    private var groupOfKey: [Key: Int32] = [:]
    /// Groups numbered by their labels' id: values that format alike (NaNs with different
    /// payloads) share one.
    private let numbering = GroupCache(dropped: [])

    init(valueLabel: String?) { self.valueLabel = valueLabel }

    /// The interned id of each group's labels.
    var keyOfGroup: [Int32] { numbering.keyOfGroup }
    var count: Int { numbering.keyOfGroup.count }

    /// The group of `value` among inputs whose grouped labels have interned id `base`;
    /// `labels` gives the id of the group's labels when it is new.
    func group(base: Int32, value: Double, labels: () -> Int32) -> Int {
        let key = Key(base: base, bits: value.bitPattern)
        if let known = groupOfKey[key] { return Int(known) }
        let group = numbering.group(ofKey: labels(), input: -1)
        groupOfKey[key] = Int32(group)
        return group
    }
}

/// label_replace results (labels and their id) by input label id, for one set of arguments.
final class RelabelCache {
    let regex: RE2Regex
    var results: [Int32: (Labels, Int32)] = [:]

    init(regex: RE2Regex) { self.regex = regex }
}
