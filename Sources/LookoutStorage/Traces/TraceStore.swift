import Dispatch
import Foundation
import Logging
import LookoutModel
import Synchronization

/// The span store: a head of recent spans, sealed blocks under `traces/` (`SpanBlockFile`), and
/// the span tables of the data directory's index (`SpanIndex`). Thread-safe.
///
/// It lives in a `DataDirectory` as the WAL participant for record types 32–47:
/// - type 32, a batch: `seq` (uvarint, increasing) then the batch's `SpanColumns`.
///
/// Durability rules (`docs/format/spans.md`):
/// 1. A batch is applied to the head and its record enqueued under one lock, so WAL order is apply
///    order; `append` returns once the record is durable per the data directory's fsync mode.
/// 2. Sealing moves the whole head aside (appends go on into a new one), writes the block file
///    (fsynced, renamed, directory fsynced), then in one SQLite transaction indexes it and sets
///    `spans.flushed_seq` to the highest batch it holds; only then does the head forget it.
/// 3. Replay skips batches with `seq <= spans.flushed_seq`; a block file no transaction indexed
///    (a crash between the two steps) is deleted on open, its spans replayed from the WAL.
/// 4. A checkpoint writes the head (the part being sealed too) as batch records, each with the
///    highest sequence number it holds, so rule 3 stays exact.
public final class TraceStore: SpanStorage, WALParticipant, @unchecked Sendable {
    public let options: TraceStoreOptions
    let data: DataDirectory
    let index: SpanIndex
    let blocksPath: String
    let logger: Logger

    private let lock = NSLock()
    private var active = TraceHead()
    /// The head part a seal is writing, still answered from memory until it is indexed.
    private var sealing: TraceHead?
    private var nextSeq: UInt64 = 1
    private var flushedSeq: UInt64 = 0
    private var sealScheduled = false
    private var closed = false
    private let sealLock = NSLock()
    private var counters = Counters()
    private let shared = SharedInstances()

    struct Counters {
        var spansAppended = 0
        var batchesAppended = 0
        var blocksWritten = 0
        var blocksDeleted = 0
        var walRecordsReplayed = 0
        var sealFailures = 0
        var refusedBusy = 0
    }

    static let batchRecord: UInt8 = 32
    /// A batch written by a checkpoint (the head's state), carrying the highest `seq` of its head part.
    static let checkpointBatchRecord: UInt8 = 33
    /// During replay: the highest `seq` the checkpoint's batches cover.
    private var checkpointSeq: UInt64 = 0

    /// Creates the span store of a data directory and registers it there; usable once `data.open()`
    /// has replayed the WAL. Creates `traces/` and deletes block files the index never took.
    public init(data: DataDirectory, options: TraceStoreOptions = .init(), logger: Logger) throws {
        self.data = data
        self.options = options
        self.logger = logger
        index = SpanIndex(database: data.index)
        blocksPath = data.path + "/traces"
        flushedSeq = try index.flushedSeq()
        nextSeq = flushedSeq + 1
        try BlockDirectory.prepare(blocksPath, indexed: try index.allBlocks(), what: "traces", logger: logger)
        try data.register(self)
    }

    // MARK: WAL participant

    public var walName: String { "spans" }
    public var walRecordTypes: ClosedRange<UInt8> { 32...47 }

    public func replayRecord(type: UInt8, payload: [UInt8]) throws -> Bool {
        guard type == Self.batchRecord || type == Self.checkpointBatchRecord else { return true } // a later type
        var r = ByteReader(payload)
        guard let seq = r.uvarint() else { return false }
        // A checkpoint holds every batch up to its highest `seq` that no block holds, and may also
        // hold batches logged after the rotation it follows: those are skipped when met again.
        if type == Self.checkpointBatchRecord {
            checkpointSeq = max(checkpointSeq, seq)
            guard seq > flushedSeq else { return true }
        } else {
            guard seq > max(flushedSeq, checkpointSeq) else { return true }
        }
        guard let spans = SpanColumns.decode(Array(payload[r.offset...])) else { return false }
        active.add(spans, seq: seq, now: Self.monotonicSeconds())
        nextSeq = max(nextSeq, seq + 1)
        counters.walRecordsReplayed += 1
        return true
    }

    public func didReplay(recordsReplayed: Int) throws {
        logger.info("span store opened", metadata: [
            "storage.head_spans": "\(active.spans.count)", "storage.wal_records_replayed": "\(recordsReplayed)",
        ])
    }

    public func checkpointRecords(into records: inout [UInt8], final: Bool) throws {
        lock.lock()
        let parts = [sealing, active].compactMap { $0 }.filter { !$0.isEmpty }
        lock.unlock()
        for part in parts {
            // Chunks of at most `blockSpans` keep any one record (and replay's memory) bounded.
            var start = 0
            while start < part.spans.count {
                let end = min(start + options.blockSpans, part.spans.count)
                Self.frameBatch(&records, type: Self.checkpointBatchRecord, seq: part.maxSeq,
                                columns: Self.columns(Array(part.spans[start..<end])))
                start = end
            }
        }
    }

    static func columns(_ spans: [Span]) -> [UInt8] {
        var bytes: [UInt8] = []
        SpanColumns.encode(spans, into: &bytes)
        return bytes
    }

    static func frameBatch(_ out: inout [UInt8], type: UInt8 = batchRecord, seq: UInt64, columns: [UInt8]) {
        WALRecord.frame(&out, type: type) { p in
            BinaryCoding.putUVarint(&p, seq)
            p += columns
        }
    }

    // MARK: Append

    public func append(spans: [Span]) async throws {
        guard !spans.isEmpty else { return }
        var spans = spans
        shared.share(&spans) // so a block encodes each distinct resource once, found by identity
        let columns = Self.columns(spans) // outside the lock
        let (walSeq, due) = try apply(spans, columns: columns)
        if due {
            DispatchQueue.global().async { [self] in
                do { try sealHead() } catch { logger.error("sealing a span block failed", metadata: ["error": "\(error)"]) }
            }
        }
        try await data.wal.waitDurable(walSeq)
    }

    /// Whether the head already holds `maxHeadSpans` spans not yet in blocks: an ingest path asks
    /// before decoding a request, so a request `append` would refuse costs no decoding.
    public var isBusy: Bool {
        lock.withLock { active.spans.count + (sealing?.spans.count ?? 0) >= options.maxHeadSpans }
    }

    /// Applies a batch to the head and enqueues its record, under the lock (rule 1); returns the WAL
    /// sequence number to wait for and whether the head is now due for sealing.
    func apply(_ spans: [Span], columns: [UInt8]) throws -> (UInt64, Bool) {
        var record: [UInt8] = []
        record.reserveCapacity(columns.count + 20)
        lock.lock()
        defer { lock.unlock() }
        if closed { throw StorageError(.closed, "the span store is closed") }
        let held = active.spans.count + (sealing?.spans.count ?? 0)
        guard held + spans.count <= max(options.maxHeadSpans, spans.count) else {
            counters.refusedBusy += 1
            throw StorageError(.busy, "the span head holds \(held) spans not yet in blocks (at most \(options.maxHeadSpans)): block writes are behind")
        }
        let seq = nextSeq
        Self.frameBatch(&record, seq: seq, columns: columns)
        let walSeq = try data.wal.enqueue(record)
        nextSeq += 1
        active.add(spans, seq: seq, now: Self.monotonicSeconds())
        counters.spansAppended += spans.count
        counters.batchesAppended += 1
        let due = active.spans.count >= options.blockSpans && !sealScheduled
        if due { sealScheduled = true }
        return (walSeq, due)
    }

    // MARK: Sealing

    /// Seals the head into a block if it is big or old enough (`force`: if it holds anything).
    public func sealHead(force: Bool = false) throws {
        sealLock.lock()
        defer { sealLock.unlock() }
        lock.lock()
        sealScheduled = false
        if sealing == nil {
            let old = active.firstArrival.map { Self.monotonicSeconds() - $0 >= options.blockAgeSeconds } ?? false
            guard !active.isEmpty, force || old || active.spans.count >= options.blockSpans else {
                lock.unlock()
                return
            }
            sealing = active
            active = TraceHead()
        }
        let part = sealing!
        lock.unlock()
        do {
            try writeBlock(part)
        } catch {
            lock.lock()
            counters.sealFailures += 1
            lock.unlock()
            data.health.record(.partitionWrite)
            throw error // `sealing` stays; the next seal retries it
        }
        lock.lock()
        sealing = nil
        flushedSeq = part.maxSeq
        counters.blocksWritten += 1
        lock.unlock()
        if data.walBytes > options.checkpointWALBytes { try data.checkpoint() }
    }

    private func writeBlock(_ part: TraceHead) throws {
        // Block order by index: no span is moved or copied to sort them.
        let spans = part.spans
        let order = spans.indices.sorted { a, b in
            (spans[a].traceID, spans[a].startUnixNano) < (spans[b].traceID, spans[b].startUnixNano)
        }
        let bytes = SpanBlockFile.encode(spans, order: order)
        let id = try index.nextBlockID()
        try FileIO.writeAtomically(bytes, to: blocksPath + "/" + SpanBlockFile.name(id))
        var minStart = UInt64.max, maxStart: UInt64 = 0
        for i in spans.indices {
            minStart = min(minStart, spans[i].startUnixNano)
            maxStart = max(maxStart, spans[i].startUnixNano)
        }
        let block = SpanIndex.Block(id: id, minStart: spans.isEmpty ? 0 : minStart, maxStart: maxStart,
                                    spans: spans.count, bytes: bytes.count)
        try index.insert(block, spans: spans, order: order, attributes: Self.indexedAttributes(spans), flushedSeq: part.maxSeq)
        logger.debug("span block written", metadata: ["storage.block": "\(id)", "storage.spans": "\(spans.count)",
                                                      "storage.bytes": "\(bytes.count)"])
    }

    /// The attribute values worth offering in tag search: short, scalar, at most
    /// `SpanIndex.maxValuesPerKey` per key in one block.
    static func indexedAttributes(_ spans: [Span]) -> [(SpanAttributeScope, String, AttributeValue)] {
        struct Key: Hashable {
            var scope: SpanAttributeScope
            var key: String
        }
        var seen: [Key: Set<AttributeValue>] = [:]
        var out: [(SpanAttributeScope, String, AttributeValue)] = []
        func add(_ scope: SpanAttributeScope, _ a: Attribute) {
            switch a.value {
            case .string(let s): guard s.utf8.count <= SpanIndex.maxValueBytes else { return }
            case .int, .double, .bool: break
            default: return
            }
            // One lookup of the key; its value set is changed in place.
            func insert(_ value: AttributeValue, into values: inout Set<AttributeValue>) -> Bool {
                values.count < SpanIndex.maxValuesPerKey && values.insert(value).inserted
            }
            guard insert(a.value, into: &seen[Key(scope: scope, key: a.key), default: []]) else { return }
            out.append((scope, a.key, a.value))
        }
        var resources = Set<ObjectIdentifier>() // spans of one request share one instance
        for i in spans.indices {
            if resources.insert(ObjectIdentifier(spans[i].resource)).inserted {
                for a in spans[i].resource.attributes { add(.resource, a) }
            }
            for a in spans[i].attributes { add(.span, a) }
        }
        return out
    }

    // MARK: Queries

    public func spans(of trace: TraceID) throws -> [Span] {
        lock.lock()
        var found = active.spans(of: trace) + (sealing?.spans(of: trace) ?? [])
        lock.unlock()
        for block in try index.blocks(of: trace) {
            found += try readBlock(block, trace: trace)
        }
        var seen = Set<SpanID>()
        return found.filter { seen.insert($0.spanID).inserted }
    }

    /// The spans of `trace` in block `id`: the header, the directory and the pages that may hold it.
    func readBlock(_ id: Int64, trace: TraceID) throws -> [Span] {
        let path = blocksPath + "/" + SpanBlockFile.name(id)
        guard let fd = try BlockDirectory.openForReading(path, health: data.health) else { return [] }
        defer { FileIO.close(fd) }
        do {
            let read = { (offset: Int64, count: Int) throws -> [UInt8] in try FileIO.pread(fd, count: count, offset: offset, path: path) }
            var spans: [Span] = []
            for page in try SpanBlockFile.directory(read) where page.mayHold(trace) {
                spans += try SpanBlockFile.decode(page: page, payload: try read(page.offset, page.length)) { $0 == trace }
            }
            return spans
        } catch let error as SpanBlockFile.Failure {
            data.health.record(.partitionRead)
            throw StorageError(.corruption, error.message, file: path)
        } catch {
            data.health.record(.partitionRead)
            throw error
        }
    }

    public func candidateTraces(_ filter: SpanIndexFilter) throws -> [(trace: TraceID, startUnixNano: UInt64)] {
        var found = try index.candidates(filter)
        lock.lock()
        for part in [active, sealing].compactMap({ $0 }) {
            for s in part.spans where filter.admits(s) {
                found[s.traceID] = min(found[s.traceID] ?? .max, s.startUnixNano)
            }
        }
        lock.unlock()
        let newestFirst = found.sorted { ($0.value, $0.key) > ($1.value, $1.key) }.map { (trace: $0.key, startUnixNano: $0.value) }
        return filter.limit.map { Array(newestFirst.prefix($0)) } ?? newestFirst
    }

    private func headSpans() -> [Span] {
        lock.lock()
        defer { lock.unlock() }
        return active.spans + (sealing?.spans ?? [])
    }

    public func services() throws -> [String] {
        var names = Set(try index.operations().map(\.service))
        for s in headSpans() { names.insert(s.serviceName) }
        return names.sorted()
    }

    public func operations(service: String) throws -> [(name: String, kind: SpanKind)] {
        struct Op: Hashable { var name: String; var kind: SpanKind }
        var ops = Set(try index.operations().filter { $0.service == service }.map { Op(name: $0.name, kind: $0.kind) })
        for s in headSpans() where s.serviceName == service { ops.insert(Op(name: s.name, kind: s.kind)) }
        return ops.sorted { ($0.name, $0.kind.rawValue) < ($1.name, $1.kind.rawValue) }.map { ($0.name, $0.kind) }
    }

    public func attributeKeys() throws -> [(scope: SpanAttributeScope, key: String)] {
        struct Key: Hashable { var scope: SpanAttributeScope; var key: String }
        var keys = Set(try index.attributes().map { Key(scope: $0.scope, key: $0.key) })
        for (scope, key, _) in Self.indexedAttributes(headSpans()) { keys.insert(Key(scope: scope, key: key)) }
        return keys.sorted { ($0.scope.rawValue, $0.key) < ($1.scope.rawValue, $1.key) }.map { ($0.scope, $0.key) }
    }

    public func attributeValues(scope: SpanAttributeScope?, key: String) throws -> [AttributeValue] {
        var values = Set(try index.attributes().filter { $0.key == key && (scope == nil || $0.scope == scope) }.map(\.value))
        for (s, k, v) in Self.indexedAttributes(headSpans()) where k == key && (scope == nil || s == scope) { values.insert(v) }
        return values.sorted { $0.text < $1.text }
    }

    // MARK: Retention and stats

    /// Deletes blocks whose newest span is past retention at `now` (ms).
    public func enforceRetention(now: Int64) throws {
        let cutoff = UInt64(max(0, now - options.retention)) * 1_000_000
        for id in try index.blocks(startedBefore: cutoff) {
            do {
                try index.delete(block: id)
                try FileIO.remove(blocksPath + "/" + SpanBlockFile.name(id))
            } catch {
                data.health.record(.retention)
                throw error
            }
            lock.lock()
            counters.blocksDeleted += 1
            lock.unlock()
        }
    }

    /// Seals by age; called every second by the server.
    public func maintain() {
        do { try sealHead() } catch { logger.error("sealing a span block failed", metadata: ["error": "\(error)"]) }
    }

    /// The store's families for `/metrics`.
    public func selfMetrics() -> [MetricFamily] {
        lock.lock()
        let c = counters
        let headSpans = active.spans.count + (sealing?.spans.count ?? 0)
        lock.unlock()
        let totals = (try? index.totals()) ?? (blocks: 0, spans: 0, bytes: 0)
        return [
            MetricFamily("lookout_spans_appended_total", .counter, help: "Spans stored since start.", value: Double(c.spansAppended)),
            MetricFamily("lookout_span_head_spans", .gauge, help: "Spans in the head, not yet in a block.", value: Double(headSpans)),
            MetricFamily("lookout_span_blocks_written_total", .counter, help: "Span blocks sealed since start.", value: Double(c.blocksWritten)),
            MetricFamily("lookout_span_blocks", .gauge, help: "Span blocks on disk.", value: Double(totals.blocks)),
            MetricFamily("lookout_span_block_spans", .gauge, help: "Spans in blocks on disk.", value: Double(totals.spans)),
            MetricFamily("lookout_span_block_bytes", .gauge, help: "Bytes of span blocks on disk.", value: Double(totals.bytes)),
            MetricFamily("lookout_span_seal_failures_total", .counter, help: "Span block writes that failed (retried).", value: Double(c.sealFailures)),
            MetricFamily("lookout_span_appends_refused_total", .counter,
                         help: "Span batches refused because the head was full (block writes behind).", value: Double(c.refusedBusy)),
        ]
    }

    /// Seals the head into a block and stops accepting appends. Call before closing the data directory.
    public func close() throws {
        lock.lock()
        closed = true
        lock.unlock()
        try sealHead(force: true)
    }

    static func monotonicSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
