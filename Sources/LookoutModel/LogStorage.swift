/// The read side of a log store as the LogQL engine sees it: the chunks of lines a selector and a
/// time range need, cheap to list (from the index and the head, nothing decompressed), then read
/// one at a time, so a query holds one chunk of lines at once and can stop early.
/// `LookoutStorage.LogStore` implements it; `InMemoryLogStore` is the fake for tests.
public protocol LogQuerier: Sendable {
    /// Chunks of the streams `matchers` select that may hold lines in `startNs...endNs`. A sealed
    /// chunk whose filter proves it holds none of `mustContain` (substrings every wanted line has)
    /// is left out. Each stream's chunks come in time order.
    func chunks(_ matchers: [LabelMatcher], startNs: Int64, endNs: Int64, mustContain: [String]) throws -> [LogChunk]

    /// Every line of `chunk`, in time order (the caller keeps those in its range).
    func lines(of chunk: LogChunk) throws -> [LogRecord]

    /// The label sets of the streams `matchers` select with lines in the range, sorted.
    func streams(_ matchers: [LabelMatcher], startNs: Int64, endNs: Int64) throws -> [Labels]

    /// Label names of streams with lines in the range, sorted.
    func labelNames(startNs: Int64, endNs: Int64) throws -> [String]

    /// Values of label `name` among streams with lines in the range, sorted.
    func labelValues(_ name: String, startNs: Int64, endNs: Int64) throws -> [String]
}

/// A run of one stream's lines in time order: a page of a sealed block, or lines still in memory.
public struct LogChunk: Sendable {
    public var labels: Labels
    public var minTimeNs: Int64
    public var maxTimeNs: Int64
    /// Lines in the chunk (all of them, not only those in a query's range).
    public var lineCount: Int
    /// Bytes of its lines' text, uncompressed (a page's: its raw columns).
    public var byteCount: Int
    public var source: Source

    public enum Source: Sendable {
        /// Lines held in memory (the head).
        case memory([LogRecord])
        /// A page of a sealed block, as the store that listed it addresses it.
        case sealed(LogPageAddress)
    }

    public init(labels: Labels, minTimeNs: Int64, maxTimeNs: Int64, lineCount: Int, byteCount: Int, source: Source) {
        self.labels = labels
        self.minTimeNs = minTimeNs
        self.maxTimeNs = maxTimeNs
        self.lineCount = lineCount
        self.byteCount = byteCount
        self.source = source
    }
}

/// Where a sealed page's bytes are: a block and a byte range in it, with its decompressed size and
/// checksum. Only the store that made it reads it.
public struct LogPageAddress: Sendable, Hashable {
    public var block: Int64
    public var offset: Int64
    public var length: Int
    public var rawLength: Int
    public var crc: UInt32

    public init(block: Int64, offset: Int64, length: Int, rawLength: Int, crc: UInt32) {
        self.block = block
        self.offset = offset
        self.length = length
        self.rawLength = rawLength
        self.crc = crc
    }
}
