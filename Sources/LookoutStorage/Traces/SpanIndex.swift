import LookoutModel

/// The span store's tables in the data directory's `index.sqlite` (`docs/format/index.md`): sealed
/// blocks with their trace ids, trace id → blocks, one search row per (service, span name, kind,
/// block) whose entries give each trace's earliest start and longest duration for that operation,
/// and a bounded set of attribute keys and values for tag search.
struct SpanIndex: Sendable {
    let database: IndexDatabase

    /// Attribute values kept per key; more are not indexed (tag search offers the first ones).
    static let maxValuesPerKey = 200
    /// Attribute values longer than this are not indexed.
    static let maxValueBytes = 256
    /// Attribute keys (per scope) indexed at most.
    static let maxKeys = 1000

    /// Values indexed per "scope key".
    static func valueCounts(_ db: SQLiteConnection) throws -> [String: Int] {
        let s = try db.statement("SELECT scope, key, count(*) FROM span_attributes GROUP BY scope, key")
        var counts: [String: Int] = [:]
        while try s.step() { counts["\(s.int64(0)) \(s.text(1))"] = Int(s.int64(2)) }
        return counts
    }

    struct Block: Sendable {
        var id: Int64
        var minStart: UInt64
        var maxStart: UInt64
        var spans: Int
        var bytes: Int
    }

    /// The next free block id.
    func nextBlockID() throws -> Int64 {
        try database.withConnection { db in (try db.scalar("SELECT max(id) FROM span_blocks") ?? 0) + 1 }
    }

    func flushedSeq() throws -> UInt64 { UInt64(bitPattern: try database.meta("spans.flushed_seq") ?? 0) }

    /// Indexes a block file already durable on disk, and records that WAL batches up to `flushedSeq`
    /// are in blocks, in one transaction. `order` lists `spans` in block order (by trace id).
    func insert(_ block: Block, spans: [Span], order: [Int], attributes: [(SpanAttributeScope, String, AttributeValue)],
                flushedSeq: UInt64) throws {
        // The block's distinct trace ids, in order; search entries name a trace by its index here.
        // `order` is sorted by trace, so a trace's index changes where its id does.
        var traces: [TraceID] = []
        traces.reserveCapacity(order.count / 4)
        struct Operation: Hashable { var service: String; var name: String; var kind: SpanKind }
        var entries: [Operation: [Int: Entry]] = [:]
        func merge(_ entry: inout Entry, start: UInt64, duration: UInt64) {
            entry = Entry(earliest: min(entry.earliest, start), latest: max(entry.latest, start),
                          maxDuration: max(entry.maxDuration, duration))
        }
        for i in order {
            if traces.last != spans[i].traceID { traces.append(spans[i].traceID) }
            let op = Operation(service: spans[i].resource.serviceName, name: spans[i].name, kind: spans[i].kind)
            let start = spans[i].startUnixNano
            merge(&entries[op, default: [:]][traces.count - 1, default: Entry(earliest: .max, latest: 0, maxDuration: 0)],
                  start: start, duration: spans[i].endUnixNano &- start)
        }
        var traceBlob: [UInt8] = []
        traceBlob.reserveCapacity(traces.count * 16)
        for t in traces {
            BinaryCoding.putUInt64LE(&traceBlob, t.high)
            BinaryCoding.putUInt64LE(&traceBlob, t.low)
        }
        try database.withConnection { db in
            // Durable before the head drops these spans and a checkpoint may delete their WAL records.
            try db.exec("PRAGMA synchronous=FULL")
            defer { try? db.exec("PRAGMA synchronous=NORMAL") }
            let indexedValues = try Self.valueCounts(db)
            try db.transaction {
                try db.statement("INSERT INTO span_blocks(id, min_start, max_start, spans, bytes, traces) VALUES (?, ?, ?, ?, ?, ?)")
                    .bind(1, block.id).bind(2, Int64(clamping: block.minStart)).bind(3, Int64(clamping: block.maxStart))
                    .bind(4, Int64(block.spans)).bind(5, Int64(block.bytes)).bind(6, traceBlob).run()
                for t in traces {
                    try db.statement("INSERT OR IGNORE INTO span_traces(trace_hi, trace_lo, block) VALUES (?, ?, ?)")
                        .bind(1, Int64(bitPattern: t.high)).bind(2, Int64(bitPattern: t.low)).bind(3, block.id).run()
                }
                for (op, byTrace) in entries {
                    try db.statement("INSERT INTO span_search(service, name, kind, block, entries) VALUES (?, ?, ?, ?, ?)")
                        .bind(1, op.service).bind(2, op.name).bind(3, Int64(op.kind.rawValue)).bind(4, block.id)
                        .bind(5, Self.encodeEntries(byTrace, minStart: block.minStart)).run()
                }
                var counts = indexedValues
                for (scope, key, value) in attributes {
                    let k = "\(scope == .resource ? 0 : 1) \(key)"
                    let held = counts[k] ?? 0
                    // At most `maxValuesPerKey` values per key and `maxKeys` keys in the whole table.
                    guard held < Self.maxValuesPerKey, held > 0 || counts.count < Self.maxKeys else { continue }
                    try db.statement("INSERT OR IGNORE INTO span_attributes(scope, key, value, type) VALUES (?, ?, ?, ?)")
                        .bind(1, scope == .resource ? 0 : 1).bind(2, key).bind(3, value.text).bind(4, Self.typeCode(value)).run()
                    if db.changes > 0 { counts[k] = held + 1 }
                }
                try db.statement("INSERT OR REPLACE INTO meta(key, value) VALUES ('spans.flushed_seq', ?)")
                    .bind(1, Int64(bitPattern: flushedSeq)).run()
            }
        }
    }

    /// One trace's spans of one operation in one block.
    struct Entry {
        var earliest: UInt64
        var latest: UInt64
        var maxDuration: UInt64
    }

    /// Search entries of one (service, name, kind) in one block: `uvarint count`, then per trace,
    /// by index: `uvarint` index delta, `uvarint` earliest start − the block's `min_start` (µs),
    /// `uvarint` latest − earliest start (µs), `uvarint` longest duration (µs). Times are rounded
    /// down to the µs and compared widened by one, so a search finds a superset, and the traces
    /// it shows are checked span by span.
    static func encodeEntries(_ byTrace: [Int: Entry], minStart: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        BinaryCoding.putUVarint(&out, UInt64(byTrace.count))
        var previous = 0
        for (index, e) in byTrace.sorted(by: { $0.key < $1.key }) {
            BinaryCoding.putUVarint(&out, UInt64(index - previous))
            previous = index
            BinaryCoding.putUVarint(&out, (e.earliest &- minStart) / 1000)
            BinaryCoding.putUVarint(&out, (e.latest &- e.earliest) / 1000)
            BinaryCoding.putUVarint(&out, e.maxDuration / 1000)
        }
        return out
    }

    /// The blocks holding spans of `trace`.
    func blocks(of trace: TraceID) throws -> [Int64] {
        try database.withConnection { db in
            let s = try db.statement("SELECT block FROM span_traces WHERE trace_hi = ? AND trace_lo = ?")
                .bind(1, Int64(bitPattern: trace.high)).bind(2, Int64(bitPattern: trace.low))
            var blocks: [Int64] = []
            while try s.step() { blocks.append(s.int64(0)) }
            return blocks
        }
    }

    /// Traces whose search entries admit the filter, with their earliest matching start. The
    /// rows are read under the index lock; their entries are decoded after it is released.
    func candidates(_ filter: SpanIndexFilter) throws -> [TraceID: UInt64] {
        var sql = """
            SELECT b.id, b.min_start, s.entries FROM span_search s JOIN span_blocks b ON b.id = s.block
            WHERE b.max_start >= ? AND b.min_start <= ?
            """
        if filter.service != nil { sql += " AND s.service = ?" }
        if filter.spanName != nil { sql += " AND s.name = ?" }
        let rows: [(block: Int64, minStart: UInt64, entries: [UInt8])] = try database.withConnection { db in
            let s = try db.statement(sql).bind(1, Int64(clamping: filter.startUnixNano)).bind(2, Int64(clamping: filter.endUnixNano))
            var i: Int32 = 3
            if let service = filter.service { s.bind(i, service); i += 1 }
            if let name = filter.spanName { s.bind(i, name) }
            var rows: [(Int64, UInt64, [UInt8])] = []
            while try s.step() { rows.append((s.int64(0), UInt64(s.int64(1)), s.blob(2))) }
            return rows
        }
        var found: [TraceID: UInt64] = [:]
        var traceLists: [Int64: [UInt8]] = [:]
        let minDuration = (filter.minDurationNano ?? 0) / 1000
        for row in rows {
            var r = ByteReader(row.entries)
            guard let count = r.uvarint() else { throw StorageError(.corruption, "span_search entries of block \(row.block) do not decode") }
            var index = 0
            for _ in 0..<count {
                guard let delta = r.uvarint(), let start = r.uvarint(), let spread = r.uvarint(), let duration = r.uvarint() else {
                    throw StorageError(.corruption, "span_search entries of block \(row.block) do not decode")
                }
                index += Int(delta)
                let earliest = row.minStart &+ start * 1000
                let latest = earliest &+ (spread + 1) * 1000 // widened by the µs rounding
                guard duration >= minDuration, latest >= filter.startUnixNano, earliest <= filter.endUnixNano else { continue }
                if traceLists[row.block] == nil { traceLists[row.block] = try traces(ofBlock: row.block) }
                let list = traceLists[row.block]!
                // A block retention deleted since the rows were read: its traces are gone.
                if list.isEmpty { break }
                guard 16 * index + 16 <= list.count else {
                    throw StorageError(.corruption, "span_search of block \(row.block) names trace \(index) of \(list.count / 16)")
                }
                var t = ByteReader(list, offset: 16 * index)
                let trace = TraceID(high: t.uint64LE()!, low: t.uint64LE()!)
                found[trace] = min(found[trace] ?? .max, max(earliest, filter.startUnixNano))
            }
        }
        return found
    }

    /// A block's distinct trace ids, 16 bytes each, in block order.
    func traces(ofBlock block: Int64) throws -> [UInt8] {
        try database.withConnection { db in
            let s = try db.statement("SELECT traces FROM span_blocks WHERE id = ?").bind(1, block)
            return try s.step() ? s.blob(0) : []
        }
    }

    func operations() throws -> [(service: String, name: String, kind: SpanKind)] {
        try database.withConnection { db in
            let s = try db.statement("SELECT DISTINCT service, name, kind FROM span_search")
            var all: [(String, String, SpanKind)] = []
            while try s.step() { all.append((s.text(0), s.text(1), SpanKind(rawValue: UInt8(clamping: s.int64(2))) ?? .unspecified)) }
            return all
        }
    }

    func attributes() throws -> [(scope: SpanAttributeScope, key: String, value: AttributeValue)] {
        try database.withConnection { db in
            let s = try db.statement("SELECT scope, key, value, type FROM span_attributes")
            var all: [(SpanAttributeScope, String, AttributeValue)] = []
            while try s.step() {
                all.append((s.int64(0) == 0 ? .resource : .span, s.text(1), Self.value(s.text(2), type: s.int64(3))))
            }
            return all
        }
    }

    /// Blocks whose newest span started before `cutoff`.
    func blocks(startedBefore cutoff: UInt64) throws -> [Int64] {
        try database.withConnection { db in
            let s = try db.statement("SELECT id FROM span_blocks WHERE max_start < ?").bind(1, Int64(clamping: cutoff))
            var ids: [Int64] = []
            while try s.step() { ids.append(s.int64(0)) }
            return ids
        }
    }

    /// Stored blocks and their bytes.
    func totals() throws -> (blocks: Int, spans: Int, bytes: Int) {
        try database.withConnection { db in
            let s = try db.statement("SELECT count(*), coalesce(sum(spans), 0), coalesce(sum(bytes), 0) FROM span_blocks")
            _ = try s.step()
            return (Int(s.int64(0)), Int(s.int64(1)), Int(s.int64(2)))
        }
    }

    /// Forgets a block (its file is deleted after).
    func delete(block: Int64) throws {
        let list = try traces(ofBlock: block)
        try database.withConnection { db in
            // Durable before the block's file is deleted.
            try db.exec("PRAGMA synchronous=FULL")
            defer { try? db.exec("PRAGMA synchronous=NORMAL") }
            try db.transaction {
                var r = ByteReader(list)
                while r.remaining >= 16 {
                    try db.statement("DELETE FROM span_traces WHERE trace_hi = ? AND trace_lo = ? AND block = ?")
                        .bind(1, Int64(bitPattern: r.uint64LE()!)).bind(2, Int64(bitPattern: r.uint64LE()!)).bind(3, block).run()
                }
                try db.statement("DELETE FROM span_search WHERE block = ?").bind(1, block).run()
                try db.statement("DELETE FROM span_blocks WHERE id = ?").bind(1, block).run()
            }
        }
    }

    /// Every indexed block id, for finding files no transaction committed (a crash after the file).
    func allBlocks() throws -> Set<Int64> {
        try database.withConnection { db in
            let s = try db.statement("SELECT id FROM span_blocks")
            var ids = Set<Int64>()
            while try s.step() { ids.insert(s.int64(0)) }
            return ids
        }
    }

    static func typeCode(_ v: AttributeValue) -> Int64 {
        switch v {
        case .string: 0
        case .int: 1
        case .double: 2
        case .bool: 3
        default: 4
        }
    }

    static func value(_ text: String, type: Int64) -> AttributeValue {
        switch type {
        case 1: Int64(text).map { .int($0) } ?? .string(text)
        case 2: Double(text).map { .double($0) } ?? .string(text)
        case 3: .bool(text == "true")
        default: .string(text)
        }
    }
}
