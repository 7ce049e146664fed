/// The type a PromQL expression evaluates to, named as in Prometheus's error messages.
public enum ValueType: String, Sendable, Equatable {
    case scalar = "scalar"
    case vector = "instant vector"
    case matrix = "range vector"
    case string = "string"
}
