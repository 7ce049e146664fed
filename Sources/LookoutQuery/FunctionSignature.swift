/// The signature of a PromQL function: argument types, how many trailing ones are optional, and
/// the result type.
struct FunctionSignature: Sendable {
    var argTypes: [ValueType]
    /// 0: exact count; n > 0: the last n arguments are optional; -1: the last repeats without bound.
    var variadic: Int = 0
    var returnType: ValueType = .vector
}

extension PromQLFunction {
    /// What the function takes and returns, as Prometheus 2.42's function table says. Names live
    /// only in `PromQLFunction`, `VectorFunction` and `RangeFunction`.
    var signature: FunctionSignature {
        switch self {
        case .time, .pi: return FunctionSignature(argTypes: [], returnType: .scalar)
        case .scalar: return FunctionSignature(argTypes: [.vector], returnType: .scalar)
        case .vector: return FunctionSignature(argTypes: [.scalar])
        case .absentOverTime: return FunctionSignature(argTypes: [.matrix])
        case .range(let f):
            switch f {
            case .quantileOverTime: return FunctionSignature(argTypes: [.scalar, .matrix])
            case .predictLinear: return FunctionSignature(argTypes: [.matrix, .scalar])
            case .holtWinters: return FunctionSignature(argTypes: [.matrix, .scalar, .scalar])
            default: return FunctionSignature(argTypes: [.matrix])
            }
        case .instant(let f):
            switch f {
            case .dayOfMonth, .dayOfWeek, .dayOfYear, .daysInMonth, .hour, .minute, .month, .year:
                return FunctionSignature(argTypes: [.vector], variadic: 1)
            case .round: return FunctionSignature(argTypes: [.vector, .scalar], variadic: 1)
            case .clamp: return FunctionSignature(argTypes: [.vector, .scalar, .scalar])
            case .clampMin, .clampMax: return FunctionSignature(argTypes: [.vector, .scalar])
            case .labelReplace: return FunctionSignature(argTypes: [.vector, .string, .string, .string, .string])
            case .labelJoin: return FunctionSignature(argTypes: [.vector, .string, .string, .string], variadic: -1)
            case .histogramQuantile: return FunctionSignature(argTypes: [.scalar, .vector])
            case .histogramFraction: return FunctionSignature(argTypes: [.scalar, .scalar, .vector])
            default: return FunctionSignature(argTypes: [.vector])
            }
        }
    }
}
