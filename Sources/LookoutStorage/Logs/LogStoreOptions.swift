/// The log store's limits (`logs:` and `limits:` in the config) and its block tunables.
public struct LogStoreOptions: Sendable {
    /// A line older than the newest of its stream by more than this (ns) is refused.
    public var maxOutOfOrderNs: Int64 = 3_600_000_000_000
    /// Streams that may be active (a line within `streamIdleSeconds`) at once; a new stream past it
    /// is refused, naming its labels.
    public var maxActiveStreams = 10_000
    /// A stream with no line for this long stops counting as active.
    public var streamIdleSeconds: Double = 1800
    /// Lines the head holds at most, the part being sealed included; past it appends are refused
    /// (503) until sealing catches up, so memory stays bounded.
    public var maxHeadLines = 2_000_000
    public var maxLabelsPerStream = 15
    public var maxLabelNameLength = 1024
    public var maxLabelValueLength = 2048
    /// How long blocks are kept, in milliseconds (whole blocks are deleted).
    public var retention: Int64 = 15 * 86_400_000
    /// Head lines that make a block: the head is sealed into `logs/` once it holds this many.
    public var blockLines = 250_000
    /// The head is also sealed once its oldest line arrived this many seconds ago.
    public var blockAgeSeconds: Double = 120
    /// After a block is sealed, the data directory is checkpointed once the WAL holds more than this.
    public var checkpointWALBytes: Int64 = 256 << 20
    /// Whether queries consult the pages' trigram filters (off only to measure what they save).
    public var useFilters = true

    public init() {}
}
