/// Tunables of a `TraceStore`.
public struct TraceStoreOptions: Sendable {
    /// How long span blocks are kept, in milliseconds (whole blocks are deleted).
    public var retention: Int64 = 15 * 86_400_000
    /// Head spans that make a block: the head is sealed into `traces/` once it holds this many.
    public var blockSpans = 50_000
    /// The head is also sealed once its oldest span arrived this many seconds ago.
    public var blockAgeSeconds: Double = 300
    /// After a block is sealed, the data directory is checkpointed (dropping older WAL segments)
    /// once the WAL holds more than this many bytes.
    public var checkpointWALBytes: Int64 = 256 << 20
    /// Spans the head may hold, the part being sealed included; appends beyond it are refused
    /// (`StorageError.Code.busy`, answered 503) until sealing catches up — as when the disk refuses
    /// block writes — so memory stays bounded.
    public var maxHeadSpans = 200_000

    public init(retention: Int64 = 15 * 86_400_000, blockSpans: Int = 50_000, blockAgeSeconds: Double = 300) {
        self.retention = retention
        self.blockSpans = blockSpans
        self.blockAgeSeconds = blockAgeSeconds
    }
}
