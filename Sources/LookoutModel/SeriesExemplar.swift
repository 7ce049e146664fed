/// One exemplar as stored and queried: the series it belongs to (`traces_spanmetrics_latency_bucket{…}`
/// or a scraped series), its own labels (`trace_id`, `span_id`), value and time.
public struct SeriesExemplar: Sendable, Hashable {
    public var series: Labels
    public var labels: Labels
    public var value: Double
    public var timestampMs: Int64

    public init(series: Labels, labels: Labels, value: Double, timestampMs: Int64) {
        self.series = series
        self.labels = labels
        self.value = value
        self.timestampMs = timestampMs
    }
}
