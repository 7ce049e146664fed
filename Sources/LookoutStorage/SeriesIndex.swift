import Foundation
import LookoutModel

/// Where one on-disk chunk record lives (a row of the `chunks` table).
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

/// The SQLite index `index.sqlite`: series and their labels, label postings, chunk locations and the
/// store's metadata (schema in `docs/format/index.md`).
///
/// Rules:
/// 1. The database runs in WAL journal mode with `synchronous=NORMAL`: a commit is atomic; the last
///    series inserts may be lost on power failure, which is safe because they are re-derived from the
///    metric WAL on replay.
/// 2. All writes of one partition (series, chunk rows, `flushed_until`) are one transaction, committed
///    with `synchronous=FULL` (durable) after the partition file is durable and before the WAL
///    segments holding its samples are deleted. Retention deletions are committed the same way before
///    partition files are removed.
///
/// Thread-safety: one connection, every use serialised by `lock`.
final class SeriesIndex: @unchecked Sendable {
    private let lock = NSLock()
    private let db: SQLiteConnection
    private var closed = false
    /// Series ids by matcher, as last read from `label_postings`; emptied whenever a series is
    /// added or removed, and when it would hold more than `postingsCacheLimit` ids in all (about
    /// 4 MiB), so repeated queries skip SQLite for their postings.
    private var postingsCache: [LabelMatcher: Set<UInt64>] = [:]
    private var postingsCacheIDs = 0
    static let postingsCacheLimit = 262_144

    init(path: String) throws {
        db = try SQLiteConnection(path: path)
        try db.exec("PRAGMA busy_timeout=5000")
        try db.exec("PRAGMA journal_mode=WAL")
        try db.exec("PRAGMA synchronous=NORMAL")
        try db.exec("""
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS series(id INTEGER PRIMARY KEY, labels TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS series_by_labels ON series(labels);
            CREATE TABLE IF NOT EXISTS label_postings(name TEXT NOT NULL, value TEXT NOT NULL,
                series_id INTEGER NOT NULL, PRIMARY KEY(name, value, series_id)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS chunks(series_id INTEGER NOT NULL, min_t INTEGER NOT NULL,
                max_t INTEGER NOT NULL, partition INTEGER NOT NULL, file INTEGER NOT NULL,
                offset INTEGER NOT NULL, length INTEGER NOT NULL,
                PRIMARY KEY(series_id, min_t)) WITHOUT ROWID;
            INSERT OR IGNORE INTO meta(key, value) VALUES ('format_version', 1);
            """)
    }

    private func locked<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        if closed { throw StorageError(.closed, "the index is closed", file: db.path) }
        return try body()
    }

    func meta(_ key: String) throws -> Int64? {
        try locked {
            let s = try db.statement("SELECT value FROM meta WHERE key = ?").bind(1, key)
            return try s.step() ? s.int64(0) : nil
        }
    }

    func maxSeriesID() throws -> UInt64 {
        try locked {
            let s = try db.statement("SELECT COALESCE(MAX(id), 0) FROM series")
            _ = try s.step()
            return UInt64(s.int64(0))
        }
    }

    func seriesCount() throws -> Int {
        try locked {
            let s = try db.statement("SELECT COUNT(*) FROM series")
            _ = try s.step()
            return Int(s.int64(0))
        }
    }

    func seriesID(for labels: Labels) throws -> UInt64? {
        try locked {
            let s = try db.statement("SELECT id FROM series WHERE labels = ? ORDER BY id DESC LIMIT 1")
                .bind(1, LabelsText.encode(labels))
            return try s.step() ? UInt64(s.int64(0)) : nil
        }
    }

    private func insertSeriesLocked(_ series: [(ref: UInt64, labels: Labels)]) throws {
        for (ref, labels) in series {
            try db.statement("INSERT OR IGNORE INTO series(id, labels) VALUES (?, ?)")
                .bind(1, Int64(ref)).bind(2, LabelsText.encode(labels)).run()
            guard db.changes > 0 else { continue }
            clearPostingsCache()
            for label in labels {
                try db.statement("INSERT OR IGNORE INTO label_postings(name, value, series_id) VALUES (?, ?, ?)")
                    .bind(1, label.name).bind(2, label.value).bind(3, Int64(ref)).run()
            }
        }
    }

    /// Inserts series rows and their postings (existing ids are left alone), in one transaction.
    func insertSeries(_ series: [(ref: UInt64, labels: Labels)]) throws {
        guard !series.isEmpty else { return }
        try locked { try db.transaction { try insertSeriesLocked(series) } }
    }

    /// Records a written partition: its series, its chunk rows and the new `flushed_until`, atomically.
    func commitPartition(series: [(ref: UInt64, labels: Labels)], chunks: [ChunkLocation], flushedUntil: Int64) throws {
        try locked {
            try db.exec("PRAGMA synchronous=FULL")
            defer { try? db.exec("PRAGMA synchronous=NORMAL") }
            try db.transaction {
                try insertSeriesLocked(series)
                for c in chunks {
                    try db.statement("""
                        INSERT OR REPLACE INTO chunks(series_id, partition, file, offset, length, min_t, max_t)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """)
                        .bind(1, Int64(c.seriesID)).bind(2, c.partition).bind(3, c.file).bind(4, c.offset)
                        .bind(5, c.length).bind(6, c.minT).bind(7, c.maxT).run()
                }
                try db.statement("INSERT OR REPLACE INTO meta(key, value) VALUES ('flushed_until', ?)")
                    .bind(1, flushedUntil).run()
            }
        }
    }

    /// Series ids that may match `matchers`: the intersection of the postings of every matcher that
    /// does not match the empty string; nil means "every series" (no such matcher). Callers still
    /// check the matchers against the labels.
    func candidates(_ matchers: [LabelMatcher]) throws -> Set<UInt64>? {
        try locked {
            var result: Set<UInt64>?
            for m in matchers where !m.matchesEmpty {
                let ids = try postingsLocked(m)
                result = result.map { $0.intersection(ids) } ?? ids
                if result?.isEmpty == true { return result }
            }
            return result
        }
    }

    /// The ids of series with a label `m` matches (a matcher that does not match "").
    private func postingsLocked(_ m: LabelMatcher) throws -> Set<UInt64> {
        if let cached = postingsCache[m] { return cached }
        var ids = Set<UInt64>()
        if m.kind == .equal {
            let s = try db.statement("SELECT series_id FROM label_postings WHERE name = ? AND value = ?")
                .bind(1, m.name).bind(2, m.value)
            while try s.step() { ids.insert(UInt64(s.int64(0))) }
        } else {
            var values: [String] = []
            let s = try db.statement("SELECT DISTINCT value FROM label_postings WHERE name = ?").bind(1, m.name)
            while try s.step() { values.append(s.text(0)) }
            for v in values where m.matches(v) {
                let p = try db.statement("SELECT series_id FROM label_postings WHERE name = ? AND value = ?")
                    .bind(1, m.name).bind(2, v)
                while try p.step() { ids.insert(UInt64(p.int64(0))) }
            }
        }
        guard ids.count <= Self.postingsCacheLimit else { return ids }
        if postingsCacheIDs + ids.count > Self.postingsCacheLimit { clearPostingsCache() }
        postingsCache[m] = ids
        postingsCacheIDs += ids.count
        return ids
    }

    private func clearPostingsCache() {
        postingsCache.removeAll()
        postingsCacheIDs = 0
    }

    func allSeriesIDs() throws -> Set<UInt64> {
        try locked {
            var ids = Set<UInt64>()
            let s = try db.statement("SELECT id FROM series")
            while try s.step() { ids.insert(UInt64(s.int64(0))) }
            return ids
        }
    }

    func labels(_ id: UInt64) throws -> Labels? {
        try locked {
            let s = try db.statement("SELECT labels FROM series WHERE id = ?").bind(1, Int64(id))
            return try s.step() ? LabelsText.decode(s.text(0)) : nil
        }
    }

    /// Chunk rows of a series overlapping `[start, end]`, by `min_t`.
    func chunks(series id: UInt64, start: Int64, end: Int64) throws -> [ChunkLocation] {
        try locked {
            let s = try db.statement("""
                SELECT partition, file, offset, length, min_t, max_t FROM chunks
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
        try locked {
            let s = try db.statement("SELECT 1 FROM chunks WHERE series_id = ? AND min_t <= ? AND max_t >= ? LIMIT 1")
                .bind(1, Int64(id)).bind(2, end).bind(3, start)
            return try s.step()
        }
    }

    /// Deletes the chunk rows of `partitions`, then series (and postings) left without chunks unless
    /// `keep` holds them (series still in the head), in one transaction.
    func deletePartitions(_ partitions: [Int64], keep: Set<UInt64>) throws {
        try locked {
            try db.exec("PRAGMA synchronous=FULL")
            defer { try? db.exec("PRAGMA synchronous=NORMAL") }
            try db.transaction {
                for p in partitions {
                    try db.statement("DELETE FROM chunks WHERE partition = ?").bind(1, p).run()
                }
                var orphans: [(Int64, String)] = []
                let s = try db.statement(
                    "SELECT id, labels FROM series WHERE NOT EXISTS (SELECT 1 FROM chunks WHERE series_id = series.id)")
                while try s.step() {
                    let id = s.int64(0)
                    if !keep.contains(UInt64(id)) { orphans.append((id, s.text(1))) }
                }
                if !orphans.isEmpty { clearPostingsCache() }
                for (id, text) in orphans {
                    for label in LabelsText.decode(text) ?? .empty {
                        try db.statement("DELETE FROM label_postings WHERE name = ? AND value = ? AND series_id = ?")
                            .bind(1, label.name).bind(2, label.value).bind(3, id).run()
                    }
                    try db.statement("DELETE FROM series WHERE id = ?").bind(1, id).run()
                }
            }
        }
    }

    func checkpoint() throws {
        try locked { try db.exec("PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    func close() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        db.close()
    }
}
