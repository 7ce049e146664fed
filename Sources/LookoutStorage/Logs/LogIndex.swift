import LookoutModel

/// The log store's tables in the data directory's `index.sqlite` (`docs/format/index.md`, v3):
/// streams (label set ↔ id) with their label postings, sealed blocks, and one row per page — its
/// stream, time range, address in its block and trigram filter — so a query finds the pages of the
/// streams it selects in its range, and skips by filter, without opening a block.
struct LogIndex: Sendable {
    let database: IndexDatabase

    /// A page row as the index returns it.
    struct PageRow: Sendable {
        var stream: Int64
        var minTimeNs: Int64
        var maxTimeNs: Int64
        var address: LogPageAddress
        var lines: Int
        var bloom: [UInt8]
    }

    func flushedSeq() throws -> UInt64 { UInt64(bitPattern: try database.meta("logs.flushed_seq") ?? 0) }

    func nextBlockID() throws -> Int64 {
        try database.withConnection { db in (try db.scalar("SELECT max(id) FROM log_blocks") ?? 0) + 1 }
    }

    /// Every stream: id, labels, and the time range of its pages (nil before its first page).
    func streams() throws -> [(id: Int64, labels: Labels, minTimeNs: Int64?, maxTimeNs: Int64?)] {
        try database.withConnection { db in
            let s = try db.statement("""
                SELECT s.id, s.labels, min(p.min_t), max(p.max_t), count(p.stream)
                FROM log_streams s LEFT JOIN log_pages p ON p.stream = s.id GROUP BY s.id
                """)
            var out: [(Int64, Labels, Int64?, Int64?)] = []
            while try s.step() {
                guard let labels = LabelsText.decode(s.text(1)) else {
                    throw StorageError(.corruption, "log stream \(s.int64(0)) has unreadable labels \"\(s.text(1).prefix(80))\"", file: database.path)
                }
                let hasPages = s.int64(4) > 0
                out.append((s.int64(0), labels, hasPages ? s.int64(2) : nil, hasPages ? s.int64(3) : nil))
            }
            return out
        }
    }

    /// Ids of the streams holding label `name="value"`.
    func postings(_ name: String, _ value: String) throws -> Set<Int64> {
        try database.withConnection { db in
            let s = try db.statement("SELECT stream FROM log_label_postings WHERE name = ? AND value = ?").bind(1, name).bind(2, value)
            var ids = Set<Int64>()
            while try s.step() { ids.insert(s.int64(0)) }
            return ids
        }
    }

    /// The pages of `stream` that overlap `startNs...endNs`, in time order; `withBloom` also reads filters.
    func pages(stream: Int64, startNs: Int64, endNs: Int64, withBloom: Bool) throws -> [PageRow] {
        try database.withConnection { db in
            let s = try db.statement("""
                SELECT min_t, max_t, block, offset, length, raw_length, lines, crc\(withBloom ? ", bloom" : "")
                FROM log_pages WHERE stream = ? AND min_t <= ? AND max_t >= ? ORDER BY min_t, block, offset
                """).bind(1, stream).bind(2, endNs).bind(3, startNs)
            var out: [PageRow] = []
            while try s.step() {
                let address = LogPageAddress(block: s.int64(2), offset: s.int64(3), length: Int(s.int64(4)), rawLength: Int(s.int64(5)),
                                             crc: UInt32(truncatingIfNeeded: s.int64(7)))
                out.append(PageRow(stream: stream, minTimeNs: s.int64(0), maxTimeNs: s.int64(1), address: address,
                                   lines: Int(s.int64(6)), bloom: withBloom ? s.blob(8) : []))
            }
            return out
        }
    }

    /// Indexes a block file already durable on disk, in one transaction that also creates the new
    /// streams among `pages` and records that WAL batches up to `flushedSeq` are in blocks; returns
    /// the ids of the streams created, by labels.
    func insert(block id: Int64, pages: [LogBlockFile.Page], streamIDs known: [Labels: Int64], flushedSeq: UInt64) throws -> [Labels: Int64] {
        try database.withConnection { db in
            // Durable before the head drops these lines and a checkpoint may delete their WAL records.
            try db.exec("PRAGMA synchronous=FULL")
            defer { try? db.exec("PRAGMA synchronous=NORMAL") }
            return try db.transaction {
                var created: [Labels: Int64] = [:]
                var minT = Int64.max, maxT = Int64.min, lines = 0, bytes = 0, raw = 0, bloom = 0
                for page in pages {
                    var stream = known[page.labels] ?? created[page.labels]
                    if stream == nil {
                        let text = LabelsText.encode(page.labels)
                        let find = try db.statement("SELECT id FROM log_streams WHERE labels = ?").bind(1, text)
                        if try find.step() {
                            stream = find.int64(0)
                        } else {
                            try db.statement("INSERT INTO log_streams(labels) VALUES (?)").bind(1, text).run()
                            let newID = try db.scalar("SELECT last_insert_rowid()")!
                            for l in page.labels {
                                try db.statement("INSERT OR IGNORE INTO log_label_postings(name, value, stream) VALUES (?, ?, ?)")
                                    .bind(1, l.name).bind(2, l.value).bind(3, newID).run()
                            }
                            stream = newID
                        }
                        created[page.labels] = stream
                    }
                    try db.statement("""
                        INSERT INTO log_pages(stream, min_t, block, offset, max_t, length, raw_length, lines, crc, bloom)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """).bind(1, stream!).bind(2, page.minTimeNs).bind(3, id).bind(4, page.offset).bind(5, page.maxTimeNs)
                        .bind(6, Int64(page.length)).bind(7, Int64(page.rawLength)).bind(8, Int64(page.lines))
                        .bind(9, Int64(page.crc)).bind(10, page.bloom).run()
                    minT = min(minT, page.minTimeNs)
                    maxT = max(maxT, page.maxTimeNs)
                    lines += page.lines
                    bytes += page.length
                    raw += page.rawLength
                    bloom += page.bloom.count
                }
                try db.statement("INSERT INTO log_blocks(id, min_t, max_t, lines, bytes, raw_bytes, bloom_bytes) VALUES (?, ?, ?, ?, ?, ?, ?)")
                    .bind(1, id).bind(2, minT).bind(3, maxT).bind(4, Int64(lines)).bind(5, Int64(bytes)).bind(6, Int64(raw))
                    .bind(7, Int64(bloom)).run()
                try db.statement("INSERT OR REPLACE INTO meta(key, value) VALUES ('logs.flushed_seq', ?)")
                    .bind(1, Int64(bitPattern: flushedSeq)).run()
                return created
            }
        }
    }

    /// Blocks whose newest line is before `cutoffNs`.
    func blocks(endedBefore cutoffNs: Int64) throws -> [Int64] {
        try database.withConnection { db in
            let s = try db.statement("SELECT id FROM log_blocks WHERE max_t < ? ORDER BY id").bind(1, cutoffNs)
            var ids: [Int64] = []
            while try s.step() { ids.append(s.int64(0)) }
            return ids
        }
    }

    /// Forgets a block and the streams left without pages (its file is deleted after); returns the
    /// ids of the streams forgotten.
    func delete(block id: Int64) throws -> [Int64] {
        try database.withConnection { db in
            try db.exec("PRAGMA synchronous=FULL")
            defer { try? db.exec("PRAGMA synchronous=NORMAL") }
            return try db.transaction {
                try db.statement("DELETE FROM log_pages WHERE block = ?").bind(1, id).run()
                try db.statement("DELETE FROM log_blocks WHERE id = ?").bind(1, id).run()
                let s = try db.statement("SELECT id FROM log_streams WHERE id NOT IN (SELECT DISTINCT stream FROM log_pages)")
                var gone: [Int64] = []
                while try s.step() { gone.append(s.int64(0)) }
                for stream in gone {
                    try db.statement("DELETE FROM log_label_postings WHERE stream = ?").bind(1, stream).run()
                    try db.statement("DELETE FROM log_streams WHERE id = ?").bind(1, stream).run()
                }
                return gone
            }
        }
    }

    func allBlocks() throws -> Set<Int64> {
        try database.withConnection { db in
            let s = try db.statement("SELECT id FROM log_blocks")
            var ids = Set<Int64>()
            while try s.step() { ids.insert(s.int64(0)) }
            return ids
        }
    }

    /// Blocks, lines, stored bytes, raw (uncompressed page) bytes and filter bytes on disk.
    func totals() throws -> (blocks: Int, lines: Int, bytes: Int, rawBytes: Int, bloomBytes: Int) {
        try database.withConnection { db in
            let s = try db.statement("""
                SELECT count(*), coalesce(sum(lines), 0), coalesce(sum(bytes), 0), coalesce(sum(raw_bytes), 0),
                       coalesce(sum(bloom_bytes), 0) FROM log_blocks
                """)
            _ = try s.step()
            return (Int(s.int64(0)), Int(s.int64(1)), Int(s.int64(2)), Int(s.int64(3)), Int(s.int64(4)))
        }
    }
}
