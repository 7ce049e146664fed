import LookoutModel

/// A LogQL range aggregation — `count_over_time({…} |= "x" [5m])`, `quantile_over_time(0.99, {…}
/// | unwrap latency [1m]) by (route)` — the leaf of a metric query: it turns the lines a log query
/// keeps in each window `(t - range, t]` into one value per series and step.
public struct LogRangeAggregation: Sendable {
    public enum Function: String, Sendable, CaseIterable {
        case countOverTime = "count_over_time", rate, bytesOverTime = "bytes_over_time", bytesRate = "bytes_rate"
        case absentOverTime = "absent_over_time"
        case sumOverTime = "sum_over_time", avgOverTime = "avg_over_time", minOverTime = "min_over_time"
        case maxOverTime = "max_over_time", stddevOverTime = "stddev_over_time", stdvarOverTime = "stdvar_over_time"
        case quantileOverTime = "quantile_over_time", firstOverTime = "first_over_time", lastOverTime = "last_over_time"
        case rateCounter = "rate_counter"

        /// Whether the function reads values an `unwrap` gives (rate reads them when there is one).
        var needsUnwrap: Bool {
            switch self {
            case .countOverTime, .rate, .bytesOverTime, .bytesRate, .absentOverTime: false
            default: true
            }
        }
    }

    public var function: Function
    /// φ of `quantile_over_time`.
    public var parameter: Double?
    public var query: LogQuery
    public var rangeNs: Int64
    public var offsetNs: Int64
    /// `by (…)`/`without (…)` after the call (unwrapped functions only, as Loki allows).
    public var grouping: (without: Bool, labels: [String])?

    /// The value a line gives to the function: 1 to count, its bytes, or what `unwrap` read.
    func sampleValue(_ line: LogQuery.Line) -> Double? {
        switch function {
        case .countOverTime, .absentOverTime: return 1
        case .bytesOverTime, .bytesRate: return Double(line.text.utf8.count)
        case .rate: return query.unwrapped == nil ? 1 : line.value
        default: return line.value
        }
    }

    /// The series labels of a kept line: its labels without the unwrapped one and `__error_details__`,
    /// grouped as the call says.
    func seriesLabels(_ line: LogQuery.Line) -> [String: String] {
        var labels = line.labels
        if let u = query.unwrapped { labels[u] = nil }
        labels["__error_details__"] = nil
        if let grouping {
            if grouping.without {
                for name in grouping.labels { labels[name] = nil }
            } else {
                labels = labels.filter { grouping.labels.contains($0.key) }
            }
        }
        return labels
    }

    /// One value per step (`times`, ns) whose window holds samples; `samples` are one series' (time,
    /// value) in time order.
    func evaluate(_ samples: [(Int64, Double)], at times: [Int64]) -> [(Int64, Double)] {
        var out: [(Int64, Double)] = []
        out.reserveCapacity(times.count)
        var lo = 0, hi = 0
        // Prefix sums make the additive functions O(1) a step.
        let additive = [.countOverTime, .rate, .bytesOverTime, .bytesRate, .sumOverTime].contains(function)
        var prefix: [Double] = []
        if additive {
            prefix.reserveCapacity(samples.count + 1)
            prefix.append(0)
            for s in samples { prefix.append(prefix.last! + s.1) }
        }
        let seconds = Double(rangeNs) / 1e9
        for t in times {
            let end = t - offsetNs, start = end - rangeNs
            while hi < samples.count && samples[hi].0 <= end { hi += 1 }
            while lo < hi && samples[lo].0 <= start { lo += 1 }
            guard lo < hi else { continue }
            let value: Double
            if additive {
                let sum = prefix[hi] - prefix[lo]
                value = function == .rate || function == .bytesRate ? sum / seconds : sum
            } else {
                let window = samples[lo..<hi].lazy.map(\.1)
                switch function {
                case .avgOverTime: value = window.reduce(0, +) / Double(hi - lo)
                case .minOverTime: value = window.reduce(.infinity) { $1.isNaN ? $0 : min($0, $1) }
                case .maxOverTime: value = window.reduce(-.infinity) { $1.isNaN ? $0 : max($0, $1) }
                case .firstOverTime: value = samples[lo].1
                case .lastOverTime: value = samples[hi - 1].1
                case .stddevOverTime, .stdvarOverTime:
                    let mean = window.reduce(0, +) / Double(hi - lo)
                    let variance = window.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(hi - lo)
                    value = function == .stddevOverTime ? variance.squareRoot() : variance
                case .quantileOverTime: value = Self.quantile(parameter ?? 0.5, Array(window))
                case .rateCounter: value = Self.counterIncrease(samples[lo..<hi]) / seconds
                default: value = Double(hi - lo)
                }
            }
            out.append((t, value))
        }
        return out
    }

    /// Prometheus's `quantile` of a set (linear interpolation between closest ranks).
    static func quantile(_ q: Double, _ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        let sorted = values.sorted()
        let rank = q * Double(sorted.count - 1)
        let lower = Int(rank.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
        let weight = rank - Double(lower)
        return sorted[lower] * (1 - weight) + sorted[upper] * weight
    }

    /// How much a counter rose across the samples, counting resets as Prometheus's `increase` does.
    static func counterIncrease(_ samples: ArraySlice<(Int64, Double)>) -> Double {
        var total = 0.0
        var previous: Double?
        for (_, v) in samples {
            if let p = previous { total += v >= p ? v - p : v }
            previous = v
        }
        return total
    }
}
