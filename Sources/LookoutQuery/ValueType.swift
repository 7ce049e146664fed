/// The type a PromQL expression evaluates to, named as in Prometheus's error messages.
public enum ValueType: String, Sendable, Equatable {
    case scalar = "scalar"
    case vector = "instant vector"
    case matrix = "range vector"
    case string = "string"

    /// The name Prometheus's Go code uses in some messages (`matrix`, `vector`).
    var goName: String {
        switch self {
        case .scalar: return "scalar"
        case .vector: return "vector"
        case .matrix: return "matrix"
        case .string: return "string"
        }
    }
}
