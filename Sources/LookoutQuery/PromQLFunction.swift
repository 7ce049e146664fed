/// A PromQL function, resolved when the expression is parsed so that evaluation dispatches on it
/// without comparing names at every step.
public enum PromQLFunction: Sendable, Equatable {
    case time, pi, vector, scalar
    case absentOverTime
    case range(RangeFunction)
    case instant(VectorFunction)

    /// The function called `name`, or nil for a name PromQL does not know.
    public init?(name: String) {
        if let known = PromQLFunction.byName[name] { self = known } else { return nil }
    }

    public var name: String {
        switch self {
        case .time: return "time"
        case .pi: return "pi"
        case .vector: return "vector"
        case .scalar: return "scalar"
        case .absentOverTime: return "absent_over_time"
        case .range(let f): return f.rawValue
        case .instant(let f): return f.rawValue
        }
    }

    static let byName: [String: PromQLFunction] = {
        var table: [String: PromQLFunction] = ["time": .time, "pi": .pi, "vector": .vector, "scalar": .scalar,
                                               "absent_over_time": .absentOverTime]
        for f in RangeFunction.allCases { table[f.rawValue] = .range(f) }
        for f in VectorFunction.allCases { table[f.rawValue] = .instant(f) }
        return table
    }()
}

/// The functions over instant vectors and scalars.
public enum VectorFunction: String, Sendable, CaseIterable {
    case abs
    case ceil
    case floor
    case exp
    case ln
    case log2
    case log10
    case sqrt
    case sgn
    case acos
    case acosh
    case asin
    case asinh
    case atan
    case atanh
    case cos
    case cosh
    case sin
    case sinh
    case tan
    case tanh
    case deg
    case rad
    case round
    case clamp
    case clampMin = "clamp_min"
    case clampMax = "clamp_max"
    case timestamp
    case sort
    case sortDesc = "sort_desc"
    case absent
    case histogramCount = "histogram_count"
    case histogramSum = "histogram_sum"
    case histogramFraction = "histogram_fraction"
    case labelReplace = "label_replace"
    case labelJoin = "label_join"
    case histogramQuantile = "histogram_quantile"
    case dayOfMonth = "day_of_month"
    case dayOfWeek = "day_of_week"
    case dayOfYear = "day_of_year"
    case daysInMonth = "days_in_month"
    case hour
    case minute
    case month
    case year
}

/// The functions over range vectors (all but `absent_over_time`).
public enum RangeFunction: String, Sendable, CaseIterable {
    case avgOverTime = "avg_over_time"
    case changes
    case countOverTime = "count_over_time"
    case delta
    case deriv
    case holtWinters = "holt_winters"
    case idelta
    case increase
    case irate
    case lastOverTime = "last_over_time"
    case maxOverTime = "max_over_time"
    case minOverTime = "min_over_time"
    case predictLinear = "predict_linear"
    case presentOverTime = "present_over_time"
    case quantileOverTime = "quantile_over_time"
    case rate
    case resets
    case stddevOverTime = "stddev_over_time"
    case stdvarOverTime = "stdvar_over_time"
    case sumOverTime = "sum_over_time"

    /// Whether the series-by-series fast paths may slide this function's window: the ones with
    /// scalar parameters are evaluated step by step.
    var slides: Bool {
        switch self {
        case .holtWinters, .quantileOverTime, .predictLinear: return false
        default: return true
        }
    }
}
