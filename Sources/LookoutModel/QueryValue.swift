
/// The result of a query, shaped like Prometheus's `resultType`s.
public enum QueryValue: Sendable, Equatable {
    /// Instant query result; each sample stamped with the evaluation time.
    case vector([InstantSample])
    /// Range query result, or an instant query of a range vector; series sorted by labels.
    case matrix([SeriesData])
    case scalar(Sample)
    /// Value and evaluation time in milliseconds.
    case string(String, Int64)
}
