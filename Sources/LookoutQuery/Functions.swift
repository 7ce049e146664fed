/// The signature of a PromQL function: argument types, how many trailing ones are optional, and
/// the result type.
struct FunctionSignature: Sendable {
    var argTypes: [ValueType]
    /// 0: exact count; n > 0: the last n arguments are optional; -1: the last repeats without bound.
    var variadic: Int = 0
    var returnType: ValueType = .vector
}

/// The table of known functions.
enum Functions {
    static let all: [String: FunctionSignature] = {
        var t: [String: FunctionSignature] = [:]
        let vectorMath = ["abs", "ceil", "floor", "exp", "ln", "log2", "log10", "sqrt", "sgn", "timestamp", "sort",
                          "sort_desc", "absent", "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh",
                          "sin", "sinh", "tan", "tanh", "deg", "rad", "histogram_count", "histogram_sum"]
        for name in vectorMath { t[name] = FunctionSignature(argTypes: [.vector]) }
        let overTime = ["rate", "irate", "increase", "delta", "idelta", "deriv", "resets", "changes", "avg_over_time",
                        "min_over_time", "max_over_time", "sum_over_time", "count_over_time", "stddev_over_time",
                        "stdvar_over_time", "last_over_time", "present_over_time", "absent_over_time"]
        for name in overTime { t[name] = FunctionSignature(argTypes: [.matrix]) }
        for name in ["day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month", "year"] {
            t[name] = FunctionSignature(argTypes: [.vector], variadic: 1)
        }
        t["quantile_over_time"] = FunctionSignature(argTypes: [.scalar, .matrix])
        t["predict_linear"] = FunctionSignature(argTypes: [.matrix, .scalar])
        t["holt_winters"] = FunctionSignature(argTypes: [.matrix, .scalar, .scalar])
        t["round"] = FunctionSignature(argTypes: [.vector, .scalar], variadic: 1)
        t["clamp"] = FunctionSignature(argTypes: [.vector, .scalar, .scalar])
        t["clamp_min"] = FunctionSignature(argTypes: [.vector, .scalar])
        t["clamp_max"] = FunctionSignature(argTypes: [.vector, .scalar])
        t["time"] = FunctionSignature(argTypes: [], returnType: .scalar)
        t["pi"] = FunctionSignature(argTypes: [], returnType: .scalar)
        t["scalar"] = FunctionSignature(argTypes: [.vector], returnType: .scalar)
        t["vector"] = FunctionSignature(argTypes: [.scalar])
        t["label_replace"] = FunctionSignature(argTypes: [.vector, .string, .string, .string, .string])
        t["label_join"] = FunctionSignature(argTypes: [.vector, .string, .string, .string], variadic: -1)
        t["histogram_quantile"] = FunctionSignature(argTypes: [.scalar, .vector])
        t["histogram_fraction"] = FunctionSignature(argTypes: [.scalar, .scalar, .vector])
        return t
    }()
}
