import Foundation
import LookoutModel

/// Where one on-disk chunk record lives (a row of the `metric_chunks` table).
struct ChunkLocation: Sendable, Equatable {
    var seriesID: UInt64
    var partition: Int64
    /// File number in the partition directory: `metrics/<partition>/chunks-<file, 6 digits>`.
    var file: Int64
    var offset: Int64
    var length: Int64
    var minT: Int64
    var maxT: Int64
}

/// The metric store's tables in the data directory's `index.sqlite`: series and their labels, label
/// postings, chunk locations and `metrics.flushed_until` (schema in `docs/format/index.md`).
///
/// Rules:
/// 1. The database runs in WAL journal mode with `synchronous=NORMAL`: a commit is atomic; the last
///    series inserts may be lost on power failure, which is safe because they are re-derived from the
///    metric WAL on replay.
/// 2. All writes of one partition (series, chunk rows, `metrics.flushed_until`) are one transaction, committed
///    with `synchronous=FULL` (durable) after the partition file is durable and before the WAL
///    segments holding its samples are deleted. Retention deletions are committed the same way before
///    partition files are removed.
///
/// Thread-safety: every use goes through `IndexDatabase.withConnection`, which serialises it.
final class SeriesIndex: @unchecked Sendable {
    let database: IndexDatabase
    /// Series ids by matcher, as last read from `metric_label_postings`; emptied whenever a series
    /// is added or removed, and when it would hold more than `postingsCacheLimit` ids in all (about
    /// 4 MiB), so repeated queries skip SQLite for their postings. Guarded by the database's lock.
    private var postingsCache: [LabelMatcher: Set<UInt64>] = [:]
    private var postingsCacheIDs = 0
    static let postingsCacheLimit = 262_144

    /// Key in `meta`: end (exclusive, ms) of the newest written partition.
    static let flushedUntilKey = "metrics.flushed_until"

    init(database: IndexDatabase) {
        self.database = database
    }

    private func locked<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try database.withConnection(body)
    }

    /// The end (exclusive, ms) of the newest written partition, or nil before the first.
    func flushedUntil() throws -> Int64? { try database.meta(Self.flushedUntilKey) }

    func maxSeriesID() throws -> UInt64 {
        try locked { db in
            let s = try db.statement("SELECT COALESCE(MAX(id), 0) FROM metric_series")
            _ = try s.step()
            return UInt64(s.int64(0))
        }
    }

    func seriesCount() throws -> Int {
        try locked { db in
            let s = try db.statement("SELECT COUNT(*) FROM metric_series")
            _ = try s.step()
            return Int(s.int64(0))
        }
    }

    func seriesID(for labels: Labels) throws -> UInt64? {
        try locked { db in
            let s = try db.statement("SELECT id FROM metric_series WHERE labels = ? ORDER BY id DESC LIMIT 1")
                .bind(1, LabelsText.encode(labels))
            return try s.step() ? UInt64(s.int64(0)) : nil
        }
    }

    private func insertSeriesLocked(_ db: SQLiteConnection, _ series: [(ref: UInt64, labels: Labels)]) throws {
        for (ref, labels) in series {
            try db.statement("INSERT OR IGNORE INTO metric_series(id, labels) VALUES (?, ?)")
                .bind(1, Int64(ref)).bind(2, LabelsText.encode(labels)).run()
            guard db.changes > 0 else { continue }
            clearPostingsCache()
            for label in labels {
                try db.statement("INSERT OR IGNORE INTO metric_label_postings(name, value, series_id) VALUES (?, ?, ?)")
                    .bind(1, label.name).bind(2, label.value).bind(3, Int64(ref)).run()
            }
        }
    }

    /// Test hook: runs before `insertSeries` writes, as SQLite failing on a full disk would.
    var insertFault: (@Sendable () throws -> Void)?

    /// Inserts series rows and their postings (existing ids are left alone), in one transaction.
    func insertSeries(_ series: [(ref: UInt64, labels: Labels)]) throws {
        try insertFault?()
        guard !series.isEmpty else { return }
        try locked { db in try db.transaction { try insertSeriesLocked(db, series) } }
    }

    /// Records a written partition: its series, its chunk rows and the new `flushed_until`, atomically.
    func commitPartition(series: [(ref: UInt64, labels: Labels)], chunks: [ChunkLocation], flushedUntil: Int64) throws {
        try locked { db in
            try db.exec("PRAGMA synchronous=FULL")
            defer { try? db.exec("PRAGMA synchronous=NORMAL") }
            try db.transaction {
                try insertSeriesLocked(db, series)
                for c in chunks {
                    try db.statement("""
                        INSERT OR REPLACE INTO metric_chunks(series_id, partition, file, offset, length, min_t, max_t)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """)
                        .bind(1, Int64(c.seriesID)).bind(2, c.partition).bind(3, c.file).bind(4, c.offset)
                        .bind(5, c.length).bind(6, c.minT).bind(7, c.maxT).run()
                }
                try db.statement("INSERT OR REPLACE INTO meta(key, value) VALUES ('metrics.flushed_until', ?)")
                    .bind(1, flushedUntil).run()
            }
        }
    }

    /// Series ids that may match `matchers`: the intersection of the postings of every matcher that
    /// does not match the empty string; nil means "every series" (no such matcher). Callers still
    /// check the matchers against the labels. Regexes run on the label's values with the index
    /// unlocked, checking `deadline` as they go.
    func candidates(_ matchers: [LabelMatcher], deadline: ContinuousClock.Instant? = nil) throws -> Set<UInt64>? {
        var result: Set<UInt64>?
        for m in matchers where !m.matchesEmpty {
            let ids = try postings(m, deadline: deadline)
            result = result.map { $0.intersection(ids) } ?? ids
            if result?.isEmpty == true { return result }
        }
        return result
    }

    /// The ids of series with a label `m` matches (a matcher that does not match "").
    private func postings(_ m: LabelMatcher, deadline: ContinuousClock.Instant?) throws -> Set<UInt64> {
        var matched: [String] = [m.value]
        if m.kind != .equal {
            var values: [String] = []
            let cached: Set<UInt64>? = try locked { db in
                if let cached = postingsCache[m] { return cached }
                let s = try db.statement("SELECT DISTINCT value FROM metric_label_postings WHERE name = ?").bind(1, m.name)
                while try s.step() { values.append(s.text(0)) }
                return nil
            }
            if let cached { return cached }
            matched.removeAll()
            for (i, v) in values.enumerated() {
                if i & 255 == 255, let deadline, ContinuousClock.now > deadline { throw SelectLimitError.timeout }
                if m.matches(v) { matched.append(v) }
            }
        }
        return try locked { db in
            var ids = Set<UInt64>()
            if let cached = postingsCache[m] { return cached }
            for v in matched {
                let p = try db.statement("SELECT series_id FROM metric_label_postings WHERE name = ? AND value = ?")
                    .bind(1, m.name).bind(2, v)
                while try p.step() { ids.insert(UInt64(p.int64(0))) }
            }
            guard ids.count <= Self.postingsCacheLimit else { return ids }
            if postingsCacheIDs + ids.count > Self.postingsCacheLimit { clearPostingsCache() }
            postingsCache[m] = ids
            postingsCacheIDs += ids.count
            return ids
        }
    }

    private func clearPostingsCache() {
        postingsCache.removeAll()
        postingsCacheIDs = 0
    }

    func allSeriesIDs() throws -> Set<UInt64> {
        try locked { db in
            var ids = Set<UInt64>()
            let s = try db.statement("SELECT id FROM metric_series")
            while try s.step() { ids.insert(UInt64(s.int64(0))) }
            return ids
        }
    }

    func labels(_ id: UInt64) throws -> Labels? {
        try locked { db in
            let s = try db.statement("SELECT labels FROM metric_series WHERE id = ?").bind(1, Int64(id))
            return try s.step() ? LabelsText.decode(s.text(0)) : nil
        }
    }

    /// Chunk rows of a series overlapping `[start, end]`, by `min_t`.
    func chunks(series id: UInt64, start: Int64, end: Int64) throws -> [ChunkLocation] {
        try locked { db in
            let s = try db.statement("""
                SELECT partition, file, offset, length, min_t, max_t FROM metric_chunks
                WHERE series_id = ? AND min_t <= ? AND max_t >= ? ORDER BY min_t
                """).bind(1, Int64(id)).bind(2, end).bind(3, start)
            var out: [ChunkLocation] = []
            while try s.step() {
                out.append(ChunkLocation(seriesID: id, partition: s.int64(0), file: s.int64(1), offset: s.int64(2),
                                         length: s.int64(3), minT: s.int64(4), maxT: s.int64(5)))
            }
            return out
        }
    }

    func hasChunks(series id: UInt64, start: Int64, end: Int64) throws -> Bool {
        try locked { db in
            let s = try db.statement("SELECT 1 FROM metric_chunks WHERE series_id = ? AND min_t <= ? AND max_t >= ? LIMIT 1")
                .bind(1, Int64(id)).bind(2, end).bind(3, start)
            return try s.step()
        }
    }

    /// Deletes the chunk rows of `partitions`, then series (and postings) left without chunks unless
    /// `keep` holds them (series still in the head), in one transaction.
    func deletePartitions(_ partitions: [Int64], keep: Set<UInt64>) throws {
        try locked { db in
            try db.exec("PRAGMA synchronous=FULL")
            defer { try? db.exec("PRAGMA synchronous=NORMAL") }
            try db.transaction {
                for p in partitions {
                    try db.statement("DELETE FROM metric_chunks WHERE partition = ?").bind(1, p).run()
                }
                var orphans: [(Int64, String)] = []
                let s = try db.statement(
                    "SELECT id, labels FROM metric_series WHERE NOT EXISTS (SELECT 1 FROM metric_chunks WHERE series_id = metric_series.id)")
                while try s.step() {
                    let id = s.int64(0)
                    if !keep.contains(UInt64(id)) { orphans.append((id, s.text(1))) }
                }
                if !orphans.isEmpty { clearPostingsCache() }
                for (id, text) in orphans {
                    for label in LabelsText.decode(text) ?? .empty {
                        try db.statement("DELETE FROM metric_label_postings WHERE name = ? AND value = ? AND series_id = ?")
                            .bind(1, label.name).bind(2, label.value).bind(3, id).run()
                    }
                    try db.statement("DELETE FROM metric_series WHERE id = ?").bind(1, id).run()
                }
            }
        }
    }
}
