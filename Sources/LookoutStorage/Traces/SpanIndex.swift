import LookoutModel

/// The span store's tables in the data directory's `index.sqlite` (`docs/format/index.md`): sealed
/// blocks, trace id → blocks, one search row per (block, trace, service, span name) with the
/// earliest start and the longest duration, the (service, name, kind) operations, and a bounded
/// set of attribute keys and values for tag search.
struct SpanIndex: Sendable {
    let database: IndexDatabase

    /// Attribute values kept per key; more are not indexed (tag search offers the first ones).
    static let maxValuesPerKey = 200
    /// Attribute values longer than this are not indexed.
    static let maxValueBytes = 256

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
    /// are in blocks, in one transaction.
    func insert(_ block: Block, spans: [Span], attributes: [(SpanAttributeScope, String, AttributeValue)], flushedSeq: UInt64) throws {
        struct SearchKey: Hashable {
            var trace: TraceID
            var service: String
            var name: String
        }
        var search: [SearchKey: (start: UInt64, maxDuration: UInt64)] = [:]
        var traces = Set<TraceID>()
        var operations = Set<[String]>()
        for s in spans {
            traces.insert(s.traceID)
            let key = SearchKey(trace: s.traceID, service: s.serviceName, name: s.name)
            let old = search[key] ?? (.max, 0)
            search[key] = (min(old.start, s.startUnixNano), max(old.maxDuration, s.durationNano))
            operations.insert([s.serviceName, s.name, String(s.kind.rawValue)])
        }
        try database.withConnection { db in
            try db.transaction {
                try db.statement("INSERT INTO span_blocks(id, min_start, max_start, spans, bytes) VALUES (?, ?, ?, ?, ?)")
                    .bind(1, block.id).bind(2, Int64(clamping: block.minStart)).bind(3, Int64(clamping: block.maxStart))
                    .bind(4, Int64(block.spans)).bind(5, Int64(block.bytes)).run()
                for t in traces {
                    try db.statement("INSERT OR IGNORE INTO span_traces(trace_hi, trace_lo, block) VALUES (?, ?, ?)").bind(1, Int64(bitPattern: t.high)).bind(2, Int64(bitPattern: t.low)).bind(3, block.id).run()
                }
                for (key, value) in search {
                    try db.statement("INSERT INTO span_search(block, trace_hi, trace_lo, service, name, start, max_duration) VALUES (?, ?, ?, ?, ?, ?, ?)")
                        .bind(1, block.id).bind(2, Int64(bitPattern: key.trace.high)).bind(3, Int64(bitPattern: key.trace.low))
                        .bind(4, key.service).bind(5, key.name).bind(6, Int64(clamping: value.start))
                        .bind(7, Int64(clamping: value.maxDuration)).run()
                }
                for op in operations {
                    try db.statement("INSERT OR IGNORE INTO span_operations(service, name, kind) VALUES (?, ?, ?)")
                        .bind(1, op[0]).bind(2, op[1]).bind(3, Int64(op[2])!).run()
                }
                for (scope, key, value) in attributes {
                    try db.statement("INSERT OR IGNORE INTO span_attributes(scope, key, value, type) VALUES (?, ?, ?, ?)")
                        .bind(1, scope == .resource ? 0 : 1).bind(2, key).bind(3, value.text).bind(4, Self.typeCode(value)).run()
                }
                try db.statement("INSERT OR REPLACE INTO meta(key, value) VALUES ('spans.flushed_seq', ?)")
                    .bind(1, Int64(bitPattern: flushedSeq)).run()
            }
        }
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

    /// Traces whose search rows admit the filter, with their earliest matching start.
    func candidates(_ filter: SpanIndexFilter) throws -> [TraceID: UInt64] {
        var sql = "SELECT trace_hi, trace_lo, min(start) FROM span_search WHERE start >= ? AND start <= ?"
        if filter.service != nil { sql += " AND service = ?" }
        if filter.spanName != nil { sql += " AND name = ?" }
        if filter.minDurationNano != nil { sql += " AND max_duration >= ?" }
        sql += " GROUP BY trace_hi, trace_lo"
        return try database.withConnection { db in
            let s = try db.statement(sql).bind(1, Int64(clamping: filter.startUnixNano)).bind(2, Int64(clamping: filter.endUnixNano))
            var i: Int32 = 3
            if let service = filter.service { s.bind(i, service); i += 1 }
            if let name = filter.spanName { s.bind(i, name); i += 1 }
            if let d = filter.minDurationNano { s.bind(i, Int64(clamping: d)) }
            var found: [TraceID: UInt64] = [:]
            while try s.step() {
                found[TraceID(high: UInt64(bitPattern: s.int64(0)), low: UInt64(bitPattern: s.int64(1)))] = UInt64(s.int64(2))
            }
            return found
        }
    }

    func operations() throws -> [(service: String, name: String, kind: SpanKind)] {
        try database.withConnection { db in
            let s = try db.statement("SELECT service, name, kind FROM span_operations")
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
        try database.withConnection { db in
            try db.transaction {
                try db.statement("DELETE FROM span_traces WHERE block = ?").bind(1, block).run()
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
