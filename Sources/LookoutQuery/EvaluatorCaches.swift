import LookoutModel

/// Inner results of one subquery (one inner expression at one step), kept per series in time
/// order, so that overlapping windows of successive steps slice them instead of re-evaluating.
final class SubqueryMemo {
    var index: [Labels: Int] = [:]
    var labels: [Labels] = []
    var ids: [Int32] = []
    var series: [[Sample]] = []
    var evaluated: Set<Int64> = []

    func add(_ value: Value, at ts: Int64, evaluator: Evaluator) {
        switch value {
        case .vector(let vec):
            for s in vec { insert(Sample(ts, s.value), into: slot(s.labels, s.id, evaluator)) }
        case .scalar(let v):
            insert(Sample(ts, v), into: slot(.empty, -1, evaluator))
        default:
            break
        }
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
        if let i = index[l] { return i }
        labels.append(l)
        ids.append(id >= 0 ? id : evaluator.intern(l))
        series.append([])
        index[l] = labels.count - 1
        return labels.count - 1
    }
}

/// Per matching configuration of a binary operation: signature ids by label id, and result
/// labels by (lhs id, rhs id), reused across the steps of a query.
final class MatchCache {
    var signature: [Int32] = []
    var results: [Int64: (Labels, Int32)] = [:]
}

/// Group-key ids by input label id for one grouping (by/without and its labels).
final class GroupCache {
    var keys: [Int32: Int32] = [:]
}
