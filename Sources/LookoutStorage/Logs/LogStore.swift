import Dispatch
import Foundation
import Logging
import LookoutModel

/// The log store: a head of recent lines by stream, sealed blocks under `logs/` (`LogBlockFile`),
/// and the log tables of the data directory's index (`LogIndex`). Thread-safe.
///
/// It lives in a `DataDirectory` as the WAL participant for record types 16–31
/// (`docs/format/logs.md`):
/// - type 16, a batch: `seq` (uvarint, increasing) then the batch's `LogRecordCoding`;
/// - type 17, a checkpoint batch: the same, carrying the highest `seq` of the head part it copies.
///
/// Durability rules, as the span store's:
/// 1. A batch is checked against the limits, applied to the head and its record enqueued under one
///    lock, so WAL order is apply order; `append` returns once the record is durable.
/// 2. Sealing moves the whole head aside (appends go on into a new one), writes the block file
///    (fsynced, renamed, directory fsynced), then in one SQLite transaction indexes its pages and
///    sets `logs.flushed_seq` to the highest batch it holds; only then does the head forget it.
/// 3. Replay skips batches with `seq <= logs.flushed_seq`; a block file no transaction indexed
///    (a crash between the two steps) is deleted on open, its lines replayed from the WAL.
/// 4. A checkpoint writes the head (the part being sealed too) as checkpoint batches.
public final class LogStore: LogQuerier, WALParticipant, @unchecked Sendable {
    public let options: LogStoreOptions
    let data: DataDirectory
    let index: LogIndex
    let blocksPath: String
    let logger: Logger

    private let lock = NSLock()
    private var active = LogHead()
    /// The head part a seal is writing, still answered from memory until it is indexed.
    private var sealing: LogHead?
    private var activeSince: Double?
    private var nextSeq: UInt64 = 1
    private var flushedSeq: UInt64 = 0
    /// The newest block whose pages are indexed; a query skips newer ones (it has them from the head).
    private var lastIndexedBlock: Int64 = 0
    private var sealScheduled = false
    private var closed = false
    private let sealLock = NSLock()
    /// Sealed streams: id → labels and the time range of their pages.
    private var streams: [Int64: StreamEntry] = [:]
    private var streamIDs: [Labels: Int64] = [:]
    /// Streams with a line in the last `streamIdleSeconds`: the newest line's time and when it came.
    private var recent: [Labels: (newestNs: Int64, seen: Double)] = [:]
    private var counters = Counters()
    /// During replay: the highest `seq` the checkpoint's batches cover.
    private var checkpointSeq: UInt64 = 0

    static let batchRecord: UInt8 = 16
    static let checkpointBatchRecord: UInt8 = 17
    /// Records per checkpoint batch, so replay's memory per record stays bounded.
    static let checkpointChunk = 10_000

    struct StreamEntry {
        var labels: Labels
        var minTimeNs: Int64
        var maxTimeNs: Int64
    }

    struct Counters {
        var linesAppended = 0
        var walRecordsReplayed = 0
        var refused: [String: Int] = [:]
        var blocksWritten = 0
        var blocksDeleted = 0
        var sealFailures = 0
        var pagesRead = 0
        var pagesSkipped = 0
    }

    /// Why a record was refused; `reason` is the label of `lookout_logs_refused_total`.
    public struct Refusal: Sendable, Equatable {
        /// The record's position in the batch.
        public var index: Int
        public var reason: String
        public var message: String
    }

    /// What an append kept and refused.
    public struct AppendResult: Sendable {
        public var accepted = 0
        public var refused: [Refusal] = []

        public init() {}
    }

    /// Creates the log store of a data directory and registers it there; usable once `data.open()`
    /// has replayed the WAL. Creates `logs/` and deletes block files the index never took.
    public init(data: DataDirectory, options: LogStoreOptions = .init(), logger: Logger) throws {
        self.data = data
        self.options = options
        self.logger = logger
        index = LogIndex(database: data.index)
        blocksPath = data.path + "/logs"
        flushedSeq = try index.flushedSeq()
        nextSeq = flushedSeq + 1
        let indexed = try index.allBlocks()
        lastIndexedBlock = indexed.max() ?? 0
        try BlockDirectory.prepare(blocksPath, indexed: indexed, what: "logs", logger: logger)
        let now = Self.monotonicSeconds(), wallNs = WallClock.nowNanoseconds()
        for s in try index.streams() {
            streamIDs[s.labels] = s.id
            guard let minT = s.minTimeNs, let maxT = s.maxTimeNs else { continue }
            streams[s.id] = StreamEntry(labels: s.labels, minTimeNs: minT, maxTimeNs: maxT)
            if Double(wallNs - maxT) / 1e9 < options.streamIdleSeconds { recent[s.labels] = (maxT, now) }
        }
        try data.register(self)
    }

    // MARK: WAL participant

    public var walName: String { "logs" }
    public var walRecordTypes: ClosedRange<UInt8> { 16...31 }

    public func replayRecord(type: UInt8, payload: [UInt8]) throws -> Bool {
        guard type == Self.batchRecord || type == Self.checkpointBatchRecord else { return true } // a later type
        var r = ByteReader(payload)
        guard let seq = r.uvarint() else { return false }
        if type == Self.checkpointBatchRecord {
            checkpointSeq = max(checkpointSeq, seq)
            guard seq > flushedSeq else { return true }
        } else {
            guard seq > max(flushedSeq, checkpointSeq) else { return true } // in a block or the checkpoint
        }
        guard let records = LogRecordCoding.decode(payload[r.offset...]) else { return false }
        let now = Self.monotonicSeconds()
        active.add(records, seq: seq)
        if activeSince == nil { activeSince = now }
        for record in records { noteRecent(record, now: now) }
        nextSeq = max(nextSeq, seq + 1)
        counters.walRecordsReplayed += 1
        return true
    }

    public func didReplay(recordsReplayed: Int) throws {
        logger.info("log store opened", metadata: ["storage.head_lines": "\(active.count)", "storage.log_streams": "\(streamIDs.count)"])
    }

    public func checkpointRecords(into records: inout [UInt8], final: Bool) throws {
        lock.lock()
        let parts = [sealing, active].compactMap { $0 }.filter { $0.count > 0 }
        lock.unlock()
        for part in parts {
            let all = part.streams.values.flatMap(\.records)
            var start = 0
            while start < all.count {
                let end = min(start + Self.checkpointChunk, all.count)
                Self.frame(&records, type: Self.checkpointBatchRecord, seq: part.maxSeq, Array(all[start..<end]))
                start = end
            }
        }
    }

    static func frame(_ out: inout [UInt8], type: UInt8, seq: UInt64, _ records: [LogRecord]) {
        WALRecord.frame(&out, type: type) { p in
            BinaryCoding.putUVarint(&p, seq)
            LogRecordCoding.encode(records, into: &p)
        }
    }

    // MARK: Append

    /// Stores the records the limits admit and returns once they are durable; the result names
    /// each refused one. Throws `.busy` when the head is full (nothing of the batch is kept).
    public func append(_ records: [LogRecord]) async throws -> AppendResult {
        let (result, walSeq, due) = try apply(records)
        if due {
            DispatchQueue.global().async { [self] in
                do { try sealHead() } catch { logger.error("sealing a log block failed", metadata: ["error": "\(error)"]) }
            }
        }
        if let walSeq { try await data.wal.waitDurable(walSeq) }
        return result
    }

    /// Whether the head is full: an ingest path asks before decoding a request.
    public var isBusy: Bool {
        lock.withLock { active.count + (sealing?.count ?? 0) >= options.maxHeadLines }
    }

    /// Checks, applies and enqueues a batch under the lock; the WAL sequence number to wait for
    /// (nil when nothing was kept) and whether the head is due for sealing.
    func apply(_ records: [LogRecord]) throws -> (AppendResult, UInt64?, Bool) {
        var result = AppendResult()
        var kept: [LogRecord] = []
        kept.reserveCapacity(records.count)
        lock.lock()
        defer { lock.unlock() }
        if closed { throw StorageError(.closed, "the log store is closed") }
        let held = active.count + (sealing?.count ?? 0)
        guard held + records.count <= max(options.maxHeadLines, records.count) else {
            counters.refused["busy", default: 0] += records.count
            throw StorageError(.busy, "the log head holds \(held) lines not yet in blocks (at most \(options.maxHeadLines)); retry later")
        }
        var newest = [Labels: Int64]()
        var newStreams = 0
        for (i, record) in records.enumerated() {
            if let refusal = check(record, index: i, newest: &newest, newStreams: &newStreams) {
                counters.refused[refusal.reason, default: 0] += 1
                result.refused.append(refusal)
            } else {
                kept.append(record)
            }
        }
        guard !kept.isEmpty else { return (result, nil, false) }
        let seq = nextSeq
        var bytes: [UInt8] = []
        Self.frame(&bytes, type: Self.batchRecord, seq: seq, kept)
        let walSeq = try data.wal.enqueue(bytes)
        nextSeq += 1
        let now = Self.monotonicSeconds()
        active.add(kept, seq: seq)
        if activeSince == nil { activeSince = now }
        for record in kept { noteRecent(record, now: now) }
        counters.linesAppended += kept.count
        result.accepted = kept.count
        let due = active.count >= options.blockLines && !sealScheduled
        if due { sealScheduled = true }
        return (result, walSeq, due)
    }

    private func noteRecent(_ record: LogRecord, now: Double) {
        let newest = max(recent[record.labels]?.newestNs ?? .min, record.timestampNs)
        recent[record.labels] = (newest, now)
    }

    /// The limit `record` breaks, if any (under the lock); `newest` and `newStreams` carry what
    /// the batch's earlier records would change.
    private func check(_ record: LogRecord, index: Int, newest: inout [Labels: Int64], newStreams: inout Int) -> Refusal? {
        let labels = record.labels
        guard !labels.isEmpty else {
            return Refusal(index: index, reason: "no_labels", message: "a stream needs at least one label")
        }
        guard labels.count <= options.maxLabelsPerStream else {
            return Refusal(index: index, reason: "max_label_names_per_series",
                           message: "stream \(labels) has \(labels.count) labels, more than limits.max_labels_per_stream (\(options.maxLabelsPerStream))")
        }
        for l in labels {
            guard LabelName.isValid(l.name) else {
                return Refusal(index: index, reason: "invalid_label", message: "invalid label name \"\(l.name)\" in stream \(labels)")
            }
            guard l.name.utf8.count <= options.maxLabelNameLength else {
                return Refusal(index: index, reason: "label_name_too_long",
                               message: "label name \"\(l.name.prefix(40))…\" is longer than limits.max_label_name_length (\(options.maxLabelNameLength))")
            }
            guard l.value.utf8.count <= options.maxLabelValueLength else {
                return Refusal(index: index, reason: "label_value_too_long",
                               message: "label \(l.name) of stream \(labels) is longer than limits.max_label_value_length (\(options.maxLabelValueLength))")
            }
        }
        let known = newest[labels] ?? recent[labels]?.newestNs ?? streamIDs[labels].flatMap { streams[$0]?.maxTimeNs }
        if newest[labels] == nil && recent[labels] == nil {
            guard recent.count + newStreams < options.maxActiveStreams else {
                return Refusal(index: index, reason: "stream_limit",
                               message: "stream \(labels) would be active stream \(recent.count + newStreams + 1), more than limits.max_active_streams (\(options.maxActiveStreams))")
            }
            newStreams += 1
        }
        if let known, record.timestampNs < known - options.maxOutOfOrderNs {
            return Refusal(index: index, reason: "too_far_behind",
                           message: "line at \(record.timestampNs) ns is older than the newest of stream \(labels) by more than logs.max_out_of_order")
        }
        newest[labels] = max(known ?? .min, record.timestampNs)
        return nil
    }

    // MARK: Sealing

    /// Seals the head into a block if it is big or old enough (`force`: if it holds anything).
    public func sealHead(force: Bool = false) throws {
        sealLock.lock()
        defer { sealLock.unlock() }
        lock.lock()
        sealScheduled = false
        if sealing == nil {
            let old = activeSince.map { Self.monotonicSeconds() - $0 >= options.blockAgeSeconds } ?? false
            guard active.count > 0, force || old || active.count >= options.blockLines else {
                lock.unlock()
                return
            }
            sealing = active
            active = LogHead()
            activeSince = nil
        }
        let part = sealing!
        let known = streamIDs
        lock.unlock()
        let id: Int64, created: [Labels: Int64], pages: [LogBlockFile.Page]
        do {
            id = try index.nextBlockID()
            let ordered = part.streams.sorted { $0.key < $1.key }.map { ($0.key, $0.value.records) }
            let block = LogBlockFile.encode(ordered)
            pages = block.pages
            try FileIO.writeAtomically(block.bytes, to: blocksPath + "/" + LogBlockFile.name(id))
            created = try index.insert(block: id, pages: pages, streamIDs: known, flushedSeq: part.maxSeq)
        } catch {
            lock.withLock { counters.sealFailures += 1 }
            data.health.record(.partitionWrite)
            throw error // `sealing` stays; the next seal retries it
        }
        lock.lock()
        for (labels, stream) in created { streamIDs[labels] = stream }
        for page in pages {
            guard let stream = streamIDs[page.labels] else { continue }
            if var entry = streams[stream] {
                entry.minTimeNs = min(entry.minTimeNs, page.minTimeNs)
                entry.maxTimeNs = max(entry.maxTimeNs, page.maxTimeNs)
                streams[stream] = entry
            } else {
                streams[stream] = StreamEntry(labels: page.labels, minTimeNs: page.minTimeNs, maxTimeNs: page.maxTimeNs)
            }
        }
        sealing = nil
        flushedSeq = part.maxSeq
        lastIndexedBlock = id
        counters.blocksWritten += 1
        lock.unlock()
        logger.debug("log block written", metadata: ["storage.block": "\(id)", "storage.lines": "\(part.count)", "storage.pages": "\(pages.count)"])
        if data.walBytes > options.checkpointWALBytes { try data.checkpoint() }
    }

    /// Seals by age and forgets idle streams; called every second by the server.
    public func maintain() {
        do { try sealHead() } catch { logger.error("sealing a log block failed", metadata: ["error": "\(error)"]) }
        let now = Self.monotonicSeconds()
        lock.withLock { recent = recent.filter { now - $0.value.seen < options.streamIdleSeconds } }
    }

    /// Seals the head into a block and stops accepting appends. Call before closing the data directory.
    public func close() throws {
        lock.withLock { closed = true }
        try sealHead(force: true)
    }

    // MARK: Queries

    public func chunks(_ matchers: [LabelMatcher], startNs: Int64, endNs: Int64, mustContain: [String]) throws -> [LogChunk] {
        func selects(_ labels: Labels) -> Bool { matchers.allSatisfy { $0.matches(labels[$0.name] ?? "") } }
        var memory: [LogChunk] = []
        lock.lock()
        for part in [sealing, active].compactMap({ $0 }) {
            for (labels, stream) in part.streams where selects(labels) {
                let lines = stream.lines(from: startNs, through: endNs)
                guard let first = lines.first, let last = lines.last else { continue }
                memory.append(LogChunk(labels: labels, minTimeNs: first.timestampNs, maxTimeNs: last.timestampNs,
                                       lineCount: lines.count, byteCount: lines.reduce(0) { $0 + $1.line.utf8.count },
                                       source: .memory(Array(lines))))
            }
        }
        let indexedThrough = lastIndexedBlock
        var candidates = streams.filter { $0.value.minTimeNs <= endNs && $0.value.maxTimeNs >= startNs && selects($0.value.labels) }
        lock.unlock()
        // Equality matchers narrow by postings first when the stream table is large.
        if candidates.count > 64, let m = matchers.first(where: { $0.kind == .equal && !$0.value.isEmpty }) {
            let ids = try index.postings(m.name, m.value)
            candidates = candidates.filter { ids.contains($0.key) }
        }
        let filters = options.useFilters ? mustContain.filter { $0.utf8.count >= 3 } : []
        var sealed: [LogChunk] = []
        var skipped = 0
        for (id, entry) in candidates.sorted(by: { $0.value.labels < $1.value.labels }) {
            for page in try index.pages(stream: id, startNs: startNs, endNs: endNs, withBloom: !filters.isEmpty)
            where page.address.block <= indexedThrough {
                guard filters.allSatisfy({ TrigramBloom.mayContain(page.bloom, $0) }) else {
                    skipped += 1
                    continue
                }
                sealed.append(LogChunk(labels: entry.labels, minTimeNs: page.minTimeNs, maxTimeNs: page.maxTimeNs,
                                       lineCount: page.lines, byteCount: page.address.rawLength, source: .sealed(page.address)))
            }
        }
        if skipped > 0 { lock.withLock { counters.pagesSkipped += skipped } }
        return sealed + memory
    }

    public func lines(of chunk: LogChunk) throws -> [LogRecord] {
        guard case .sealed(let address) = chunk.source else {
            if case .memory(let lines) = chunk.source { return lines }
            return []
        }
        let path = blocksPath + "/" + LogBlockFile.name(address.block)
        guard let fd = try BlockDirectory.openForReading(path, health: data.health) else { return [] }
        defer { FileIO.close(fd) }
        do {
            let payload = try FileIO.pread(fd, count: address.length, offset: address.offset, path: path)
            let records = try LogBlockFile.decode(address, payload: payload, labels: chunk.labels)
            lock.withLock { counters.pagesRead += 1 }
            return records
        } catch let error as LogBlockFile.Failure {
            data.health.record(.partitionRead)
            throw StorageError(.corruption, error.message, file: path)
        } catch {
            data.health.record(.partitionRead)
            throw error
        }
    }

    /// Lines of the streams `matchers` select with `startNs <= time <= endNs`, by stream, each
    /// stream's in time order. Refuses (`StorageError(.busy)`) before reading past `maxLines`.
    public func select(_ matchers: [LabelMatcher], startNs: Int64, endNs: Int64, maxLines: Int) throws -> [(Labels, [LogRecord])] {
        let chunks = try chunks(matchers, startNs: startNs, endNs: endNs, mustContain: [])
        guard chunks.reduce(0, { $0 + $1.lineCount }) <= maxLines else {
            throw StorageError(.busy, "the query would read more than \(maxLines) lines; narrow its selector or time range")
        }
        var byStream: [Labels: [LogRecord]] = [:]
        for chunk in chunks {
            byStream[chunk.labels, default: []] += try lines(of: chunk).filter { $0.timestampNs >= startNs && $0.timestampNs <= endNs }
        }
        return byStream.sorted { $0.key < $1.key }.map { labels, lines in
            (labels, lines.enumerated().sorted { ($0.element.timestampNs, $0.offset) < ($1.element.timestampNs, $1.offset) }.map(\.element))
        }
    }

    /// Label sets of the streams with lines in the range (sealed or in the head).
    private func streamLabels(startNs: Int64, endNs: Int64) -> Set<Labels> {
        lock.withLock {
            var out = Set(streams.values.filter { $0.minTimeNs <= endNs && $0.maxTimeNs >= startNs }.map(\.labels))
            for part in [sealing, active].compactMap({ $0 }) {
                for (labels, stream) in part.streams where stream.overlaps(startNs, endNs) { out.insert(labels) }
            }
            return out
        }
    }

    public func streams(_ matchers: [LabelMatcher], startNs: Int64, endNs: Int64) -> [Labels] {
        streamLabels(startNs: startNs, endNs: endNs).filter { labels in matchers.allSatisfy { $0.matches(labels[$0.name] ?? "") } }.sorted()
    }

    public func labelNames(startNs: Int64, endNs: Int64) -> [String] {
        Set(streamLabels(startNs: startNs, endNs: endNs).flatMap { $0.map(\.name) }).sorted()
    }

    public func labelValues(_ name: String, startNs: Int64, endNs: Int64) -> [String] {
        Set(streamLabels(startNs: startNs, endNs: endNs).compactMap { $0[name] }).sorted()
    }

    // MARK: Retention and stats

    /// Deletes blocks whose newest line is past retention at `now` (ms).
    public func enforceRetention(now: Int64) throws {
        let cutoff = max(0, now - options.retention) * 1_000_000
        for id in try index.blocks(endedBefore: cutoff) {
            let gone: [Int64]
            do {
                gone = try index.delete(block: id)
                try FileIO.remove(blocksPath + "/" + LogBlockFile.name(id))
            } catch {
                data.health.record(.retention)
                throw error
            }
            lock.withLock {
                for stream in gone {
                    if let labels = streams.removeValue(forKey: stream)?.labels { streamIDs[labels] = nil }
                }
                counters.blocksDeleted += 1
            }
        }
        // Stream time ranges start later once old pages are gone.
        let remaining = try index.streams()
        lock.withLock {
            for s in remaining {
                guard let minT = s.minTimeNs, let maxT = s.maxTimeNs else { continue }
                streams[s.id] = StreamEntry(labels: s.labels, minTimeNs: minT, maxTimeNs: maxT)
            }
        }
    }

    /// Counts lines refused before they reached the store (undecodable, over a rate), so every
    /// refusal is in `lookout_logs_refused_total` by reason.
    public func countRefused(_ reason: String, _ count: Int) {
        guard count > 0 else { return }
        lock.withLock { counters.refused[reason, default: 0] += count }
    }

    /// Counters for `/metrics`.
    public var stats: (lines: Int, streams: Int, appended: Int, refused: [String: Int]) {
        lock.withLock { (active.count + (sealing?.count ?? 0), recent.count, counters.linesAppended, counters.refused) }
    }

    public func selfMetrics() -> [MetricFamily] {
        let s = stats
        let c = lock.withLock { counters }
        let totals = (try? index.totals()) ?? (blocks: 0, lines: 0, bytes: 0, rawBytes: 0, bloomBytes: 0)
        return [
            MetricFamily("lookout_logs_head_lines", .gauge, help: "Log lines held in the head, not yet in a block.", value: Double(s.lines)),
            MetricFamily("lookout_logs_streams", .gauge, help: "Log streams with a line in the last logs idle period.", value: Double(s.streams)),
            MetricFamily("lookout_logs_lines_appended_total", .counter, help: "Log lines stored.", value: Double(s.appended)),
            MetricFamily("lookout_logs_refused_total", .counter, help: "Log lines refused, by reason (a limit of the store, an undecodable line, a rate limit).",
                         samples: s.refused.sorted { $0.key < $1.key }.map { (Labels(["__name__": "lookout_logs_refused_total", "reason": $0.key]), Double($0.value)) }),
            MetricFamily("lookout_log_blocks_written_total", .counter, help: "Log blocks sealed since start.", value: Double(c.blocksWritten)),
            MetricFamily("lookout_log_seal_failures_total", .counter, help: "Log block writes that failed (retried).", value: Double(c.sealFailures)),
            MetricFamily("lookout_log_blocks", .gauge, help: "Log blocks on disk.", value: Double(totals.blocks)),
            MetricFamily("lookout_log_block_lines", .gauge, help: "Log lines in blocks on disk.", value: Double(totals.lines)),
            MetricFamily("lookout_log_block_bytes", .gauge, help: "Bytes of log blocks on disk.", value: Double(totals.bytes)),
            MetricFamily("lookout_log_filter_bytes", .gauge, help: "Bytes of the pages' trigram filters in the index.", value: Double(totals.bloomBytes)),
            MetricFamily("lookout_log_pages_read_total", .counter, help: "Sealed log pages read by queries.", value: Double(c.pagesRead)),
            MetricFamily("lookout_log_pages_skipped_total", .counter,
                         help: "Sealed log pages a query's line filter skipped by their trigram filter.", value: Double(c.pagesSkipped)),
        ]
    }

    static func monotonicSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
