#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LookoutModel

/// The metric store as the data directory's WAL participant for record types 1–7 (8–15, the rest of
/// the metrics range, are the `ExemplarStore`'s): replay into
/// the head, and the head's series and chunks in every checkpoint (`docs/format/wal.md`).
extension MetricStore {
    public var walName: String { "metrics" }
    public var walRecordTypes: ClosedRange<UInt8> { 1...7 }

    public func replayRecord(type: UInt8, payload: [UInt8]) throws -> Bool {
        guard var state = replay else { return true }
        replay = nil // apply in place, without copying the state
        defer { replay = state }
        return Self.apply(type: type, payload: payload, to: &state, minValidTime: minValidTime)
    }

    public func didReplay(recordsReplayed: Int) throws {
        guard var state = replay else { return }
        replay = nil
        state.records = recordsReplayed
        try installReplayed(state)
        logger.info("metric store opened", metadata: [
            "storage.path": "\(directory)", "storage.head_series": "\(byLabels.count)",
            "storage.wal_records_replayed": "\(counters.walRecordsReplayed)",
            "storage.replay_seconds": "\(Date().timeIntervalSince(replayStarted))",
        ])
    }

    public func didOpen() throws {
        try writeDuePartitions()
    }

    /// Installs the head rebuilt by WAL replay and indexes its new series.
    func installReplayed(_ state: ReplayState) throws {
        for s in state.series {
            byLabels.insert(s)
            byRef[s.ref] = s
            if let o = s.open { maxT = max(maxT, o.lastT); headPartitions.insert(s.openPartition) }
            for c in s.chunks { maxT = max(maxT, c.maxT); headPartitions.insert(c.partition) }
        }
        for (ref, s) in state.aliases { byRef[ref] = s }
        symbols = state.symbols
        unindexed = state.series.map { ($0.ref, $0.labels) }
        nextRef = max(state.maxRef, try index.maxSeriesID()) + 1
        counters.walRecordsReplayed = state.records
        try indexPending()
        indexHasOtherSeries = try index.seriesCount() > byLabels.count
    }

    /// Writes every head series and chunk as WAL records for a checkpoint of the data directory
    /// (`WALParticipant`); with `final` (at close) every chunk is stored in its smallest codec.
    public func checkpointRecords(into records: inout [UInt8], final: Bool) throws {
        headLock.lock()
        let snapshot = byLabels.values.map { ($0.ref, $0.labels, $0.allChunks) }
        counters.checkpoints += 1
        headLock.unlock()
        var batch: [(ref: UInt64, labels: Labels)] = []
        for (ref, labels, _) in snapshot {
            batch.append((ref, labels))
            if batch.count == 1000 {
                WALRecord.encodeSeries(&records, batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { WALRecord.encodeSeries(&records, batch) }
        for (ref, _, chunks) in snapshot {
            for c in chunks {
                if final && c.codec == .xor {
                    let (codec, bytes) = ChunkCodec.smallest(xor: c.bytes)
                    WALRecord.encodeChunk(&records, ref: ref, codec: codec, chunk: bytes)
                } else {
                    WALRecord.encodeChunk(&records, ref: ref, codec: c.codec, chunk: c.bytes)
                }
            }
        }
    }
}
