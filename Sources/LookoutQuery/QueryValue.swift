import LookoutModel

/// One element of an instant vector: a series' labels and its value at the evaluation time.
public struct InstantSample: Sendable, Equatable {
    public var labels: Labels
    public var sample: Sample

    public init(labels: Labels, sample: Sample) {
        self.labels = labels
        self.sample = sample
    }
}

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
