/// When an append's WAL record is fsynced before the append returns.
public enum FsyncMode: Sendable, Equatable {
    /// Group commit: concurrent appends share one fsync; an append returns once its record is durable.
    case batch
    /// Every append writes and fsyncs its own record before returning.
    case always
    /// Appends return after `write(2)`; a background timer fsyncs every `milliseconds`.
    case interval(milliseconds: Int64)
}

/// Settings of the data directory's write-ahead log, shared by every signal's store.
public struct WALOptions: Sendable, Equatable {
    /// Durability of an acknowledged append.
    public var fsync: FsyncMode = .batch
    /// Size at which a WAL segment file is closed and a new one started.
    public var segmentBytes: Int64 = 64 << 20

    public init(fsync: FsyncMode = .batch, segmentBytes: Int64 = 64 << 20) {
        self.fsync = fsync
        self.segmentBytes = segmentBytes
    }
}
