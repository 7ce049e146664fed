/// A handle on one series for the append fast path (`MetricStore.appendSync(refs:)`): the series id
/// in `index.sqlite` and in WAL records.
public struct SeriesRef: Sendable, Hashable {
    public let id: UInt64

    public init(id: UInt64) { self.id = id }
}
