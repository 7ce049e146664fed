import LookoutModel

/// One sample of a scrape: its labels (including `__name__`), value, optional timestamp in
/// milliseconds since the epoch, and optional OpenMetrics exemplar.
///
/// Equality compares values by bit pattern, so `NaN == NaN` (as `LookoutModel.Sample` does).
public struct ScrapedSample: Sendable, Equatable {
    public var labels: Labels
    public var value: Double
    /// Milliseconds since the epoch; OpenMetrics float seconds are rounded to the nearest ms.
    public var timestamp: Int64?
    public var exemplar: Exemplar?

    public init(labels: Labels, value: Double, timestamp: Int64? = nil, exemplar: Exemplar? = nil) {
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
        self.exemplar = exemplar
    }

    public static func == (lhs: ScrapedSample, rhs: ScrapedSample) -> Bool {
        lhs.labels == rhs.labels && lhs.value.bitPattern == rhs.value.bitPattern
            && lhs.timestamp == rhs.timestamp && lhs.exemplar == rhs.exemplar
    }
}
