/// What happened to the samples of one append batch.
public struct AppendResult: Sendable, Equatable {
    /// Samples stored.
    public var appended: Int
    /// Samples rejected because they were older than the series' newest sample (or than the
    /// partitions already written to disk), or out of bounds (`outOfBounds`).
    public var outOfOrder: Int
    /// Of `outOfOrder`, the samples rejected because their timestamp was more than a partition duration
    /// ahead of the wall clock (or beyond ±2^60 ms).
    public var outOfBounds: Int
    /// Samples rejected because their series already had a different value at that timestamp.
    public var duplicates: Int
    /// Series created by this batch.
    public var seriesAdded: Int

    public init(appended: Int = 0, outOfOrder: Int = 0, duplicates: Int = 0, seriesAdded: Int = 0,
                outOfBounds: Int = 0) {
        self.appended = appended
        self.outOfOrder = outOfOrder
        self.outOfBounds = outOfBounds
        self.duplicates = duplicates
        self.seriesAdded = seriesAdded
    }
}
