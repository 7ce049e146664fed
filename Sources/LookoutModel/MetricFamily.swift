/// One family of a component's metrics about itself, as `/metrics` shows it: its metadata and
/// samples (labels include `__name__`, so a histogram's `_bucket`, `_sum` and `_count` fit).
public struct MetricFamily: Sendable {
    public var metadata: MetricMetadata
    public var samples: [(labels: Labels, value: Double)]

    public init(_ name: String, _ type: MetricType, help: String, samples: [(labels: Labels, value: Double)]) {
        metadata = MetricMetadata(family: name, type: type, help: help)
        self.samples = samples
    }

    /// A family of one sample named `name`, with `labels` besides.
    public init(_ name: String, _ type: MetricType, help: String, value: Double, labels: Labels = .empty) {
        self.init(name, type, help: help, samples: [(labels.setting(Labels.metricName, to: name), value)])
    }
}
