/// A handle on one series for appending by reference (`MetricAppender`): the store's id of the
/// series (in the metric store, its id in `index.sqlite` and in WAL records). Valid for the life of
/// the store's data; callers cache it per label set.
public struct SeriesRef: Sendable, Hashable {
    public let id: UInt64

    public init(id: UInt64) { self.id = id }
}
