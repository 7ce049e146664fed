import LookoutModel

/// A scrape target's series, found by the raw bytes of their sample lines: `name{labels}` exactly as
/// the target writes them, each mapped to a slot number and the labels parsed the first time.
/// `ExpositionParser.parse(_:cache:)` hashes those bytes and, for a series it has seen before,
/// skips parsing, sorting and allocating its label set, as Prometheus's scrape cache does.
///
/// Slots are dense, numbered from 0 in order of first sight; `compact(keeping:)` drops series a
/// target no longer serves and renumbers the rest, so the cache stays in proportion to what it
/// serves now.
public struct SeriesBytesCache: Sendable {
    private var keys: ByteInterner
    /// The parsed labels (`__name__` included, no target labels) of each slot.
    public private(set) var labels: [Labels] = []

    public init() {
        self.init(capacity: 1024)
    }

    /// A cache sized for `capacity` series (0: the placeholder a plain parse carries).
    init(capacity: Int) {
        keys = ByteInterner(capacity: capacity, keepsStrings: false)
    }

    /// Series known.
    public var count: Int { labels.count }

    func find(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32? { keys.find(p, n) }

    /// Adds a series whose bytes were just parsed to `labels`; returns its slot.
    mutating func insert(_ p: UnsafePointer<UInt8>, _ n: Int, _ parsed: Labels) -> Int32 {
        let slot = keys.intern(p, n, validate: false)!
        if Int(slot) == labels.count { labels.append(parsed) }
        return slot
    }

    /// Keeps the slots for which `keep` is true, renumbered densely in their old order; returns
    /// each old slot's new number, or -1 for a slot dropped.
    public mutating func compact(keeping keep: (Int32) -> Bool) -> [Int32] {
        var fresh = ByteInterner(capacity: Swift.max(1024, labels.count / 2), keepsStrings: false)
        var freshLabels: [Labels] = []
        var mapping = [Int32](repeating: -1, count: labels.count)
        for old in 0..<Int32(labels.count) where keep(old) {
            mapping[Int(old)] = keys.withBytes(of: old) { p, n in fresh.intern(p, n, validate: false)! }
            freshLabels.append(labels[Int(old)])
        }
        keys = fresh
        labels = freshLabels
        return mapping
    }
}

/// One sample of a body parsed with a `SeriesBytesCache`: its series' slot instead of its labels.
public struct CachedSample: Sendable, Equatable {
    public var slot: Int32
    public var value: Double
    /// Milliseconds since the epoch, when the line has a timestamp.
    public var timestamp: Int64?

    public init(slot: Int32, value: Double, timestamp: Int64?) {
        self.slot = slot
        self.value = value
        self.timestamp = timestamp
    }

    public static func == (lhs: CachedSample, rhs: CachedSample) -> Bool {
        lhs.slot == rhs.slot && lhs.value.bitPattern == rhs.value.bitPattern && lhs.timestamp == rhs.timestamp
    }
}

/// A body parsed with a `SeriesBytesCache`: samples by slot, and the families' metadata.
public struct CachedExposition: Sendable {
    public var samples: [CachedSample] = []
    public var metadata: [MetricMetadata] = []
    /// OpenMetrics exemplars, by the slot of their sample's series.
    public var exemplars: [(slot: Int32, exemplar: Exemplar)] = []
}
