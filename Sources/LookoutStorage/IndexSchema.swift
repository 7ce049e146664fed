/// The versions of `index.sqlite`'s schema and the migrations between them, applied in order on
/// open, each in its own transaction that also sets `PRAGMA user_version`. A signal that needs tables
/// adds a migration at the end; a version is never changed once released. `docs/format/index.md`
/// lists what each version holds.
enum IndexSchema {
    struct Migration: Sendable {
        /// The `user_version` this migration brings the database to.
        let version: Int64
        let summary: String
        let apply: @Sendable (SQLiteConnection) throws -> Void
    }

    static let migrations: [Migration] = [
        Migration(version: 1, summary: "metric tables named per signal", apply: metricTables),
        Migration(version: 2, summary: "span blocks, trace ids, search entries and attributes", apply: spanTables),
        Migration(version: 3, summary: "log streams, postings, blocks and pages", apply: logTables),
        Migration(version: 4, summary: "notifier outbox, silences and notification log", apply: notifierTables),
    ]

    /// The version a database has once opened by this build.
    static var version: Int64 { migrations.last!.version }

    static func version(of db: SQLiteConnection) throws -> Int64 {
        try db.scalar("PRAGMA user_version") ?? 0
    }

    /// Brings `db` to `version`; refuses a database written by a newer Lookout.
    static func migrate(_ db: SQLiteConnection) throws {
        let current = try version(of: db)
        guard current <= version else {
            throw StorageError(.index, "index.sqlite has schema version \(current), newer than this Lookout's \(version); "
                               + "open it with the release that wrote it", file: db.path)
        }
        for m in migrations where m.version > current {
            try db.transaction {
                try m.apply(db)
                try db.exec("PRAGMA user_version = \(m.version)")
            }
        }
    }

    /// Version 1. A database from before the shared data directory (`user_version` 0, tables
    /// `series`, `label_postings`, `chunks`, key `flushed_until`) has its tables renamed; a new
    /// database gets them created.
    private static func metricTables(_ db: SQLiteConnection) throws {
        if try db.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'series'") != nil {
            try db.exec("""
                ALTER TABLE series RENAME TO metric_series;
                ALTER TABLE label_postings RENAME TO metric_label_postings;
                ALTER TABLE chunks RENAME TO metric_chunks;
                DROP INDEX IF EXISTS series_by_labels;
                UPDATE meta SET key = 'metrics.flushed_until' WHERE key = 'flushed_until';
                DELETE FROM meta WHERE key = 'format_version';
                """)
        }
        try db.exec("""
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS metric_series(id INTEGER PRIMARY KEY, labels TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS metric_series_by_labels ON metric_series(labels);
            CREATE TABLE IF NOT EXISTS metric_label_postings(name TEXT NOT NULL, value TEXT NOT NULL,
                series_id INTEGER NOT NULL, PRIMARY KEY(name, value, series_id)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS metric_chunks(series_id INTEGER NOT NULL, min_t INTEGER NOT NULL,
                max_t INTEGER NOT NULL, partition INTEGER NOT NULL, file INTEGER NOT NULL,
                offset INTEGER NOT NULL, length INTEGER NOT NULL,
                PRIMARY KEY(series_id, min_t)) WITHOUT ROWID;
            """)
    }

    /// Version 4: the notifier's durable state (`NotifierStore`, `docs/format/index.md`).
    private static func notifierTables(_ db: SQLiteConnection) throws {
        try db.exec("""
            CREATE TABLE notify_outbox(id TEXT PRIMARY KEY, receiver TEXT NOT NULL, integration TEXT NOT NULL,
                integration_index INTEGER NOT NULL, body BLOB NOT NULL, created_at INTEGER NOT NULL,
                next_attempt_at INTEGER NOT NULL, attempts INTEGER NOT NULL, last_error TEXT NOT NULL);
            CREATE INDEX notify_outbox_due ON notify_outbox(next_attempt_at);
            CREATE TABLE notify_silences(id TEXT PRIMARY KEY, ends_at INTEGER NOT NULL, record TEXT NOT NULL);
            CREATE TABLE notify_log(key TEXT PRIMARY KEY, entry TEXT NOT NULL);
            """)
    }

    /// Version 2: the span store's tables (`TraceStore`, `docs/format/index.md`).
    private static func spanTables(_ db: SQLiteConnection) throws {
        try db.exec("""
            CREATE TABLE span_blocks(id INTEGER PRIMARY KEY, min_start INTEGER NOT NULL, max_start INTEGER NOT NULL,
                spans INTEGER NOT NULL, bytes INTEGER NOT NULL, traces BLOB NOT NULL);
            CREATE TABLE span_traces(trace_hi INTEGER NOT NULL, trace_lo INTEGER NOT NULL, block INTEGER NOT NULL,
                PRIMARY KEY(trace_hi, trace_lo, block)) WITHOUT ROWID;
            CREATE TABLE span_search(service TEXT NOT NULL, name TEXT NOT NULL, kind INTEGER NOT NULL, block INTEGER NOT NULL,
                entries BLOB NOT NULL, PRIMARY KEY(service, name, kind, block)) WITHOUT ROWID;
            CREATE TABLE span_attributes(scope INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                type INTEGER NOT NULL, PRIMARY KEY(scope, key, value, type)) WITHOUT ROWID;
            """)
    }

    /// Version 3: the log store's tables (`LogStore`, `docs/format/index.md`).
    private static func logTables(_ db: SQLiteConnection) throws {
        try db.exec("""
            CREATE TABLE log_streams(id INTEGER PRIMARY KEY, labels TEXT NOT NULL UNIQUE);
            CREATE TABLE log_label_postings(name TEXT NOT NULL, value TEXT NOT NULL, stream INTEGER NOT NULL,
                PRIMARY KEY(name, value, stream)) WITHOUT ROWID;
            CREATE TABLE log_blocks(id INTEGER PRIMARY KEY, min_t INTEGER NOT NULL, max_t INTEGER NOT NULL, lines INTEGER NOT NULL,
                bytes INTEGER NOT NULL, raw_bytes INTEGER NOT NULL, bloom_bytes INTEGER NOT NULL);
            CREATE TABLE log_pages(stream INTEGER NOT NULL, min_t INTEGER NOT NULL, block INTEGER NOT NULL, offset INTEGER NOT NULL,
                max_t INTEGER NOT NULL, length INTEGER NOT NULL, raw_length INTEGER NOT NULL, lines INTEGER NOT NULL,
                crc INTEGER NOT NULL, bloom BLOB NOT NULL, PRIMARY KEY(stream, min_t, block, offset)) WITHOUT ROWID;
            CREATE INDEX log_pages_by_block ON log_pages(block);
            """)
    }
}
