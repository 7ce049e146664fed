/// Where exemplars are kept and found: `LookoutStorage.ExemplarStore` (durable, through the WAL).
public protocol ExemplarStorage: Sendable {
    func record(_ exemplars: [SeriesExemplar]) throws
    /// The exemplars of series `matches` admits, with times in `start...end` (ms), by series.
    func query(start: Int64, end: Int64, matches: (Labels) -> Bool) -> [(series: Labels, exemplars: [SeriesExemplar])]
}
