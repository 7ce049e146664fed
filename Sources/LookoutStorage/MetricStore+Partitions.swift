#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LookoutModel

/// Partitions: writing the head's finished time partitions to `metrics/` and the index, and
/// compacting the chunks still in the head, on a background thread.
extension MetricStore {
    /// Whether a partition write or a retention deletion holds a lock queries take: a
    /// caller that must not wait (an event loop) can do its reads elsewhere meanwhile.
    public var readersWouldWait: Bool { longLockHolds.load(ordering: .relaxed) > 0 }

    /// Writes due partitions and compacts the head on a background thread (at most one such thread at a
    /// time), so an async append does not block a cooperative thread on file, SQLite or zlib work.
    func startBackgroundWorkIfDue() {
        let now = DispatchTime.now().uptimeNanoseconds
        headLock.lock()
        let compactionDue = now &- lastCompaction >= MetricStore.compactionIntervalNanos
        headLock.unlock()
        guard compactionDue || duePartition() != nil else { return }
        headLock.lock()
        let start = !backgroundWorkScheduled
        backgroundWorkScheduled = true
        headLock.unlock()
        guard start else { return }
        Thread.detachNewThread { [self] in
            do { try writeDuePartitions() } catch {
                data.health.record(.partitionWrite)
                logger.error("writing partition failed", metadata: ["storage.error": "\(error)"])
            }
            compactHead()
            headLock.lock()
            backgroundWorkScheduled = false
            headLock.unlock()
        }
    }

    static let compactionIntervalNanos: UInt64 = 10_000_000_000

    /// Merges each series' cut head chunks of one partition into one chunk in the smallest codec
    /// (`ChunkCodec.smallest`), to keep the head small: one buffer per series and partition, and
    /// decimal-looking values shrink 3–8×. Queries, checkpoints and partition writes decode any codec.
    func compactHead() {
        headLock.lock()
        lastCompaction = DispatchTime.now().uptimeNanoseconds
        var work: [(series: MemSeries, partition: Int64, chunks: [HeadChunk])] = []
        for s in byLabels.values where !s.chunks.isEmpty {
            var i = 0
            while i < s.chunks.count {
                var j = i + 1
                while j < s.chunks.count && s.chunks[j].partition == s.chunks[i].partition { j += 1 }
                if j - i > 1 || (s.chunks[i].codec == .xor && !s.chunks[i].compacted) {
                    work.append((s, s.chunks[i].partition, Array(s.chunks[i..<j])))
                }
                i = j
            }
        }
        headLock.unlock()
        var start = 0
        while start < work.count {
            let slice = work[start..<min(work.count, start + 4096)]
            start += 4096
            var results: [(series: MemSeries, partition: Int64, old: [Int64], chunk: HeadChunk)] = []
            for w in slice {
                guard let merged = try? Self.merge(w.chunks), merged.count == 1 else { continue }
                let (codec, data) = ChunkCodec.smallest(xor: merged[0].bytes)
                var chunk = w.chunks[0]
                if codec != .xor || w.chunks.count > 1 {
                    chunk = HeadChunk(partition: w.partition, minT: merged[0].minT, maxT: merged[0].maxT,
                                      bytes: data.withUnsafeBufferPointer { Array($0) }, codec: codec)
                }
                // A lone XOR chunk that stays XOR is marked too, so it is not tried again.
                chunk.compacted = true
                results.append((w.series, w.partition, w.chunks.map(\.minT), chunk))
            }
            headLock.lock()
            for r in results {
                let s = r.series
                // Replace only if the partition's chunks are still the ones compacted.
                guard let first = s.chunks.firstIndex(where: { $0.partition == r.partition }),
                      s.chunks.filter({ $0.partition == r.partition }).map(\.minT) == r.old else { continue }
                s.chunks.removeAll { $0.partition == r.partition }
                s.chunks.insert(r.chunk, at: first)
                s.trimChunkList()
            }
            headLock.unlock()
        }
    }

    /// Waits until no background partition write is scheduled (tests use it before simulating a crash).
    func waitForBackgroundWork() {
        while true {
            headLock.lock()
            let busy = backgroundWorkScheduled
            headLock.unlock()
            if !busy { return }
            usleep(1000)
        }
    }

    /// The oldest head partition whose window plus grace is over, judged by the newest head sample but
    /// never by a time past the wall clock: a far-future sample already in the head (from before
    /// `futureLimit()`, or replayed) must not make current partitions due and reject later samples.
    func duePartition() -> Int64? {
        let now = options.clock()
        headLock.lock()
        defer { headLock.unlock() }
        guard let p = headPartitions.min() else { return nil }
        return p + options.partitionDuration + options.effectiveGrace <= min(maxT, now) ? p : nil
    }

    /// Writes every partition whose window plus grace is over.
    func writeDuePartitions() throws {
        guard partitionWriteLock.try() else { return }
        defer { partitionWriteLock.unlock() }
        headLock.lock()
        let isClosed = closed
        headLock.unlock()
        if isClosed { return }
        while let p = duePartition() {
            try writePartition(p)
        }
    }

    /// Writes partition `p` from the head to `metrics/<p>/chunks-000001`, indexes it, drops it from the
    /// head and checkpoints the WAL.
    func writePartition(_ p: Int64) throws {
        longLockHolds.add(1, ordering: .relaxed)
        defer { longLockHolds.subtract(1, ordering: .relaxed) }
        let end = p + options.partitionDuration
        var collected: [(ref: UInt64, labels: Labels, chunks: [HeadChunk])] = []
        headLock.lock()
        minValidTime = max(minValidTime, end)
        for s in byLabels.values {
            if s.open != nil && s.openPartition == p { s.cut() }
            let cs = s.chunks.filter { $0.partition == p }
            if !cs.isEmpty { collected.append((s.ref, s.labels, cs)) }
        }
        headPartitions.remove(p)
        headLock.unlock()
        do {
            try writeCollected(p, collected)
        } catch {
            // The chunks are still in the head (and the WAL): retry with the next append.
            headLock.lock()
            headPartitions.insert(p)
            headLock.unlock()
            throw error
        }
    }

    func writeCollected(_ p: Int64, _ collected: [(ref: UInt64, labels: Labels, chunks: [HeadChunk])]) throws {
        let end = p + options.partitionDuration
        var collected = collected
        collected.sort { $0.ref < $1.ref }
        var entries: [PartitionFile.Entry] = []
        entries.reserveCapacity(collected.count)
        for (ref, _, chunks) in collected {
            for merged in try Self.merge(chunks) {
                entries.append(PartitionFile.Entry(seriesID: ref, minT: merged.minT, maxT: merged.maxT, xorChunk: merged.bytes))
            }
        }
        let relative = PartitionFile.relativePath(partition: p, file: 1)
        let (bytes, records) = PartitionFile.build(entries, compress: options.compressSegments)
        if !entries.isEmpty {
            try PartitionFile.write(bytes, to: directory + "/" + relative)
        }
        var rows: [ChunkLocation] = []
        rows.reserveCapacity(entries.count)
        for (e, r) in zip(entries, records) {
            rows.append(ChunkLocation(seriesID: e.seriesID, partition: p, file: 1, offset: r.offset,
                                      length: r.length, minT: e.minT, maxT: e.maxT))
        }
        try index.commitPartition(series: collected.map { ($0.ref, $0.labels) }, chunks: rows, flushedUntil: end)

        headLock.lock()
        var dropped = 0
        for s in Array(byLabels.values) {
            s.chunks.removeAll { $0.partition <= p }
            s.trimChunkList()
            if s.chunks.isEmpty && s.open == nil {
                byLabels.remove(s)
                dropped += 1
            }
        }
        if dropped > 0 {
            // The series just dropped are the ones with no chunks left (no label hashing here).
            byRef.removeAll { $0.open == nil && $0.chunks.isEmpty }
            indexHasOtherSeries = true
        }
        counters.partitionsWritten += 1
        headLock.unlock()
        logger.info("partition written", metadata: [
            "storage.partition": "\(p)", "storage.series": "\(collected.count)",
            "storage.bytes": "\(bytes.count)", "storage.head_series_dropped": "\(dropped)",
        ])
        try data.checkpoint()
    }

    /// Re-encodes a series' chunks of one partition as few chunks as possible (≤ 65,535 samples each).
    static func merge(_ chunks: [HeadChunk]) throws -> [HeadChunk] {
        if chunks.count == 1 && chunks[0].codec == .xor { return chunks }
        var out: [HeadChunk] = []
        var enc = XORChunkEncoder()
        func finish() {
            guard enc.count > 0 else { return }
            out.append(HeadChunk(partition: chunks[0].partition, minT: enc.firstT, maxT: enc.lastT, bytes: enc.bytes))
            enc = XORChunkEncoder()
        }
        for c in chunks {
            do {
                try c.codec.decode(c.bytes) { t, v in
                    if enc.isFull { finish() }
                    enc.append(t, v)
                }
            } catch {
                throw StorageError(.corruption, "head chunk does not decode: \(error.message)")
            }
        }
        finish()
        return out
    }
}
