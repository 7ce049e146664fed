import LookoutModel

/// A cut (full or partition-closed) head chunk: immutable bytes in `codec` and its time range.
/// Cut chunks start as XOR and may be compacted in the background (`MetricStore.compactHead()`).
struct HeadChunk: Sendable {
    var partition: Int64
    var minT: Int64
    var maxT: Int64
    var bytes: [UInt8]
    var codec: ChunkCodec = .xor
}

/// One series in the head: its labels, cut chunks not yet written to a partition, and the open
/// chunk being appended to. Guarded by the head lock of `MetricStore` (never touched without it).
final class MemSeries {
    let ref: UInt64
    let labels: Labels
    var chunks: [HeadChunk] = []
    var open: XORChunkEncoder?
    var openPartition: Int64 = 0
    var lastT: Int64 = .min
    var lastBits: UInt64 = 0

    init(ref: UInt64, labels: Labels) {
        self.ref = ref
        self.labels = labels
    }

    var minT: Int64? { chunks.first?.minT ?? open?.firstT }

    /// Outcome of appending one sample.
    enum Outcome { case appended, outOfOrder, duplicate, ignored }

    /// Appends a sample, cutting the open chunk when full or when `t` is in another partition.
    /// `newPartition` is called with the partition start whenever a chunk is opened.
    @inline(__always)
    func append(_ t: Int64, _ v: Double, partitionDuration: Int64, samplesPerChunk: Int,
                newPartition: (Int64) -> Void) -> Outcome {
        if t <= lastT {
            if t < lastT { return .outOfOrder }
            return v.bitPattern == lastBits ? .ignored : .duplicate
        }
        let partition = MemSeries.partitionStart(t, partitionDuration)
        if let o = open, o.count >= samplesPerChunk || partition != openPartition || o.isFull {
            cut()
        }
        if open == nil {
            open = XORChunkEncoder(reservingCapacity: 32)
            openPartition = partition
            newPartition(partition)
        }
        open!.append(t, v)
        lastT = t
        lastBits = v.bitPattern
        return .appended
    }

    /// Moves the open chunk to `chunks`, trimmed to its size.
    func cut() {
        guard let o = open else { return }
        let exact = o.bytes.withUnsafeBufferPointer { Array($0) }
        chunks.append(HeadChunk(partition: openPartition, minT: o.firstT, maxT: o.lastT, bytes: exact))
        open = nil
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
