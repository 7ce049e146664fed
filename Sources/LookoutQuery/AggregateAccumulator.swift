/// The running state of one group of a `sum`, `avg`, `min`, `max`, `count`, `group`, `stddev`,
/// `stdvar` or `count_values` aggregation, fed one value at a time in input order, with
/// Prometheus's NaN, infinity and incremental-mean rules. `topk`, `bottomk` and `quantile` keep
/// their members elsewhere.
struct AggregateAccumulator {
    private(set) var value: Double
    private(set) var mean: Double
    private(set) var count = 1

    /// A group whose first input is `first`.
    init(_ op: Aggregation.Operator, first: Double) {
        mean = first
        switch op {
        case .stddev, .stdvar: value = 0
        case .group: value = 1
        default: value = first
        }
    }

    mutating func add(_ op: Aggregation.Operator, _ v: Double) {
        switch op {
        case .sum: value += v
        case .avg:
            count += 1
            if mean.isInfinite {
                if v.isInfinite && (mean > 0) == (v > 0) { return }
                if !v.isInfinite && !v.isNaN { return }
            }
            mean += v / Double(count) - mean / Double(count)
        case .group: break
        case .max: if value < v || value.isNaN { value = v }
        case .min: if value > v || value.isNaN { value = v }
        case .count, .countValues: count += 1
        case .stddev, .stdvar:
            count += 1
            let delta = v - mean
            mean += delta / Double(count)
            value += delta * (v - mean)
        case .topk, .bottomk, .quantile: break
        }
    }

    /// The group's output for the operators this accumulator serves.
    func result(_ op: Aggregation.Operator) -> Double {
        switch op {
        case .avg: return mean
        case .count, .countValues: return Double(count)
        case .stdvar: return value / Double(count)
        case .stddev: return (value / Double(count)).squareRoot()
        default: return value
        }
    }
}
