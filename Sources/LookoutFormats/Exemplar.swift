import LookoutModel

/// An OpenMetrics exemplar attached to a sample, e.g. `# {trace_id="abc"} 0.3 1.7e9`.
///
/// Equality compares values by bit pattern.
public struct Exemplar: Sendable, Equatable {
    public var labels: Labels
    public var value: Double
    /// Milliseconds since the epoch, nil when absent.
    public var timestamp: Int64?

    public init(labels: Labels, value: Double, timestamp: Int64? = nil) {
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }

    public static func == (lhs: Exemplar, rhs: Exemplar) -> Bool {
        lhs.labels == rhs.labels && lhs.value.bitPattern == rhs.value.bitPattern
            && lhs.timestamp == rhs.timestamp
    }
}
