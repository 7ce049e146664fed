#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LookoutModel
import Synchronization

/// `MetricQuerier` over the head and the written partitions.
extension MetricStore {
    /// Series matching every matcher with their samples in `[start, end]`, sorted by labels.
    public func select(_ matchers: [LabelMatcher], start: Int64, end: Int64) throws -> [SeriesData] {
        try select(matchers, start: start, end: end, hints: .none)
    }

    /// `select` reading lazily within `hints`: chunk by chunk, thinned by the grid as decoded, with
    /// the sample limit and the deadline checked after every chunk, so a refused query stops
    /// having read about as many samples as its limit allows.
    public func select(_ matchers: [LabelMatcher], start: Int64, end: Int64, hints: SelectHints) throws -> [SeriesData] {
        guard start <= end else { return [] }
        let ids = try candidateIDs([matchers], deadline: hints.deadline)
        try hints.checkDeadline()
        // The candidates come from the postings of every matcher that does not match "", so they
        // satisfy those already; only the others (`!=`, `!~`, `=~` matching "") are checked, after
        // the head lock is released, so no regex runs while appends wait.
        let residual = matchers.filter(\.matchesEmpty)
        // `headOnly`: the head holds the series from before `start`, and partitions hold only
        // samples older than the head's (appends older than a written partition's end are
        // refused), so the index need not be asked for chunks.
        var found: [(id: UInt64, labels: Labels, head: [HeadChunk], headOnly: Bool)] = []
        var diskOnly: [UInt64] = []
        headLock.lock()
        for id in ids {
            if let s = byRef[id] {
                let headOnly = (s.minT ?? .max) <= start
                var head: [HeadChunk] = []
                for c in s.chunks where c.minT <= end && c.maxT >= start { head.append(c) }
                if let o = s.open, o.firstT <= end, o.lastT >= start {
                    head.append(HeadChunk(partition: s.openPartition, minT: o.firstT, maxT: o.lastT, bytes: o.bytes))
                }
                if headOnly && head.isEmpty { continue }
                found.append((id, s.labels, head, headOnly))
            } else {
                diskOnly.append(id)
            }
        }
        headLock.unlock()
        if !residual.isEmpty { found.removeAll { !residual.matches($0.labels) } }
        for id in diskOnly {
            try hints.checkDeadline()
            guard let labels = try index.labels(id), residual.matches(labels) else { continue }
            found.append((id, labels, [], false))
        }
        var reader = ChunkReader(directory: directory)
        defer { reader.closeAll() }
        var selection = SelectionBuffer(start: start, end: end, hints: hints)
        defer { samplesRead.add(selection.decoded, ordering: .relaxed) }
        var out: [SeriesData] = []
        out.reserveCapacity(found.count)
        for (id, labels, head, headOnly) in found {
            for location in headOnly ? [] : try index.chunks(series: id, start: start, end: end) {
                do {
                    try reader.read(location, until: end) { t, v in selection.add(t, v) }
                } catch {
                    data.health.record(.partitionRead)
                    throw error
                }
                try selection.endChunk()
            }
            for chunk in head {
                do {
                    try chunk.codec.decode(chunk.bytes, until: end) { t, v in selection.add(t, v) }
                } catch {
                    throw StorageError(.corruption, "head chunk of series \(id) does not decode: \(error.message)")
                }
                try selection.endChunk()
            }
            let samples = try selection.endSeries()
            guard !samples.isEmpty else { continue }
            out.append(SeriesData(labels: labels, samples: samples))
        }
        return Self.sortedMergingLabels(out)
    }

    /// `series` sorted by labels, with series of equal labels (one label set stored under two
    /// ids) merged in their original order, so that for a timestamp both hold the earlier wins.
    static func sortedMergingLabels(_ series: [SeriesData]) -> [SeriesData] {
        let order = series.indices.sorted { a, b in
            let x = series[a].labels, y = series[b].labels
            return x != y ? x < y : a < b
        }
        var out: [SeriesData] = []
        out.reserveCapacity(series.count)
        for i in order {
            if let last = out.last, last.labels == series[i].labels {
                out[out.count - 1].samples = sortedUnique(last.samples + series[i].samples)
            } else {
                out.append(series[i])
            }
        }
        return out
    }

    /// Label sets of series matching any matcher list (all series when empty) with samples in range.
    public func series(matching: [[LabelMatcher]], start: Int64, end: Int64) throws -> [Labels] {
        guard start <= end else { return [] }
        let lists = matching.isEmpty ? [[]] : matching
        let ids = try candidateIDs(lists)
        var result = Set<Labels>()
        var diskOnly: [UInt64] = []
        headLock.lock()
        for id in ids {
            if let s = byRef[id] {
                guard lists.contains(where: { $0.matches(s.labels) }) else { continue }
                if let minT = s.minT, minT <= end, s.lastT >= start {
                    result.insert(s.labels)
                } else {
                    diskOnly.append(id)
                }
            } else {
                diskOnly.append(id)
            }
        }
        headLock.unlock()
        for id in diskOnly {
            guard let labels = try index.labels(id), !result.contains(labels),
                  lists.contains(where: { $0.matches(labels) }) else { continue }
            if try index.hasChunks(series: id, start: start, end: end) { result.insert(labels) }
        }
        return result.sorted()
    }

    /// Ids of series (head and disk) that may match any of the lists.
    /// Reads never wait on index writes: series the index could not take yet (a full disk) are
    /// matched in the head.
    private func candidateIDs(_ lists: [[LabelMatcher]], deadline: ContinuousClock.Instant? = nil) throws -> Set<UInt64> {
        indexPendingOrRetryLater()
        var ids = Set<UInt64>()
        headLock.lock()
        let unindexed = self.unindexed
        headLock.unlock()
        for (ref, labels) in unindexed where lists.contains(where: { $0.matches(labels) }) { ids.insert(ref) }
        var all: Set<UInt64>?
        for list in lists {
            if let c = try index.candidates(list, deadline: deadline) {
                ids.formUnion(c)
            } else {
                if all == nil { all = try index.allSeriesIDs() }
                ids.formUnion(all!)
            }
        }
        return ids
    }

    static func sortedUnique(_ samples: [Sample]) -> [Sample] {
        var sorted = true
        for i in samples.indices.dropFirst() where samples[i - 1].timestamp >= samples[i].timestamp {
            sorted = false
            break
        }
        if sorted { return samples }
        let ordered = samples.enumerated().sorted {
            $0.element.timestamp != $1.element.timestamp ? $0.element.timestamp < $1.element.timestamp : $0.offset < $1.offset
        }
        var out: [Sample] = []
        out.reserveCapacity(samples.count)
        for (_, s) in ordered where out.last?.timestamp != s.timestamp { out.append(s) }
        return out
    }
}

/// Reads chunk records from partition files, keeping files open for the duration of one query.
struct ChunkReader {
    let directory: String
    private struct FileKey: Hashable { var partition: Int64, file: Int64 }
    private var fds: [FileKey: Int32] = [:]

    init(directory: String) { self.directory = directory }

    func path(_ location: ChunkLocation) -> String {
        directory + "/" + PartitionFile.relativePath(partition: location.partition, file: location.file)
    }

    mutating func read(_ location: ChunkLocation, until: Int64 = .max, _ body: (Int64, Double) -> Void) throws {
        let key = FileKey(partition: location.partition, file: location.file)
        let fd: Int32
        if let open = fds[key] {
            fd = open
        } else {
            let path = path(location)
            do {
                fd = try FileIO.open(path, flags: O_RDONLY)
            } catch {
                // Only a file that is gone was deleted by retention after the index was read; any
                // other failure (EMFILE, EACCES, EIO, ENOTDIR) would make the answer quietly short.
                if access(path, F_OK) != 0 && errno == ENOENT { return }
                throw error
            }
            fds[key] = fd
        }
        // The location comes from index.sqlite: check it before it sizes a buffer.
        guard location.offset >= Int64(PartitionFile.headerSize),
              location.length >= Int64(PartitionFile.recordHeaderSize + 4),
              location.length <= PartitionFile.maxRecordLength else {
            throw StorageError(.corruption, "index row has impossible chunk length \(location.length)",
                               file: path(location), offset: location.offset)
        }
        // Paths are built for error messages only: this runs for every chunk a query reads.
        let bytes = try FileIO.pread(fd, count: Int(location.length), offset: location.offset, path: path(location))
        try PartitionFile.decodeRecord(bytes, path: path(location), offset: location.offset, until: until, body)
    }

    mutating func closeAll() {
        for fd in fds.values { FileIO.close(fd) }
        fds.removeAll()
    }
}
