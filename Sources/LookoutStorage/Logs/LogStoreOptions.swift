/// The log store's limits (`logs:` and `limits:` in the config).
public struct LogStoreOptions: Sendable {
    /// A line older than the newest of its stream by more than this (ns) is refused.
    public var maxOutOfOrderNs: Int64 = 3_600_000_000_000
    /// Streams that may hold lines at once; a new stream past it is refused, naming its labels.
    public var maxActiveStreams = 10_000
    /// Lines the head holds at most; past it appends are refused (503) until room is made.
    public var maxHeadLines = 2_000_000
    public var maxLabelsPerStream = 15
    public var maxLabelNameLength = 1024
    public var maxLabelValueLength = 2048

    public init() {}
}
