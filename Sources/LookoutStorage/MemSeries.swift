import LookoutModel

/// A cut (full or partition-closed) head chunk: immutable bytes in `codec` and its time range.
/// Cut chunks start as XOR and may be compacted in the background (`MetricStore.compactHead()`).
struct HeadChunk: Sendable {
    var partition: Int64
    var minT: Int64
    var maxT: Int64
    var bytes: [UInt8]
    var codec: ChunkCodec = .xor
    /// Already the smallest codec for its samples: `compactHead()` leaves it alone.
    var compacted = false
}

/// One series in the head: its labels, cut chunks not yet written to a partition, and the open
/// chunk being appended to. Guarded by the head lock of `MetricStore` (never touched without it).
///
/// Every head series has one instance, so it stores nothing derivable (the newest sample is the open
/// chunk's last one, or the last cut chunk's) and its labels as symbol ids.
final class MemSeries {
    let ref: UInt64
    /// The label set as ids in `symbols` (`LabelSymbols.encode(_:)`).
    let labelIDs: [UInt32]
    let symbols: LabelSymbols
    var chunks: [HeadChunk] = []
    var open: XORChunkEncoder?
    var openPartition: Int64 = 0

    /// Timestamp of the newest sample (`.min` before the first).
    var lastT: Int64 {
        if let o = open { return o.lastT }
        return chunks.last?.maxT ?? .min
    }

    /// Bit pattern of the newest sample's value (0 before the first). Decodes the last cut chunk when
    /// no chunk is open; only a sample at `lastT` asks.
    var lastBits: UInt64 {
        if let o = open { return o.lastValueBits }
        guard let c = chunks.last else { return 0 }
        var bits: UInt64 = 0
        try? c.codec.decode(c.bytes) { _, v in bits = v.bitPattern }
        return bits
    }

    init(ref: UInt64, labels: Labels, symbols: LabelSymbols) {
        self.ref = ref
        self.labelIDs = symbols.encode(labels)
        self.symbols = symbols
    }

    /// The series' label set, rebuilt from `symbols` (one small allocation; the strings are shared).
    var labels: Labels { symbols.decode(labelIDs) }

    var minT: Int64? { chunks.first?.minT ?? open?.firstT }

    /// Outcome of appending one sample.
    enum Outcome { case appended, outOfOrder, duplicate, ignored }

    /// Appends a sample, cutting the open chunk when full or when `t` is in another partition.
    /// `newPartition` is called with the partition start whenever a chunk is opened.
    @inline(__always)
    func append(_ t: Int64, _ v: Double, partitionDuration: Int64, samplesPerChunk: Int,
                newPartition: (Int64) -> Void) -> Outcome {
        let lastT = self.lastT
        if t <= lastT {
            if t < lastT { return .outOfOrder }
            return v.bitPattern == lastBits ? .ignored : .duplicate
        }
        let partition = MemSeries.partitionStart(t, partitionDuration)
        if let o = open, o.count >= samplesPerChunk || partition != openPartition || o.isFull {
            cut()
        }
        if open == nil {
            open = XORChunkEncoder(reservingCapacity: 24)
            openPartition = partition
            newPartition(partition)
        }
        open!.append(t, v)
        return .appended
    }

    /// Moves the open chunk to `chunks`, trimmed to its size.
    func cut() {
        guard let o = open else { return }
        let exact = o.bytes.withUnsafeBufferPointer { Array($0) }
        chunks.append(HeadChunk(partition: openPartition, minT: o.firstT, maxT: o.lastT, bytes: exact))
        open = nil
    }

    /// Drops the spare capacity of `chunks` (appends double it; compaction and partition writes
    /// shrink the list), so a long-lived series keeps no room for chunks it no longer has.
    func trimChunkList() {
        guard chunks.capacity > chunks.count else { return }
        chunks = chunks.isEmpty ? [] : chunks.withUnsafeBufferPointer { Array($0) }
    }

    /// All chunks, the open one as a snapshot, in time order.
    var allChunks: [HeadChunk] {
        var out = chunks
        if let o = open { out.append(HeadChunk(partition: openPartition, minT: o.firstT, maxT: o.lastT, bytes: o.bytes)) }
        return out
    }

    static func partitionStart(_ t: Int64, _ duration: Int64) -> Int64 {
        let q = t / duration
        return (t % duration < 0 ? q - 1 : q) * duration
    }
}
