/// What a running Lookout holds of its metric store: the read and write contracts, whether a
/// reader would now wait on a partition write (so an event loop can do its reads elsewhere),
/// retention, and the store's families for `/metrics`. `LookoutStorage.MetricStore` implements it.
public protocol MetricStorage: MetricQuerier, MetricAppender {
    var readersWouldWait: Bool { get }
    /// Why appends fail now (a storage write fault), or nil while storage is writable.
    var writeFault: String? { get }
    func selfMetrics() -> [MetricFamily]
    /// Deletes the data that is past the store's retention at `now` (ms).
    func enforceRetention(now: Int64) throws
}
