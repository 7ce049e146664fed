import Foundation

/// The data directory's one SQLite index, `index.sqlite`, shared by every signal's store: one
/// connection, one lock, and the schema brought to `IndexSchema.version` on open. Each store keeps
/// its own tables, named after its signal (`metric_series`, …), and its own keys in `meta`
/// (`metrics.flushed_until`, …). Schema: `docs/format/index.md`.
///
/// Thread-safety: every use of `connection` is serialised by `withConnection`.
final class IndexDatabase: @unchecked Sendable {
    let path: String
    private let lock = NSLock()
    private let connection: SQLiteConnection
    private var closed = false

    init(path: String) throws {
        self.path = path
        connection = try SQLiteConnection(path: path)
        do {
            try connection.exec("PRAGMA busy_timeout=5000")
            try connection.exec("PRAGMA journal_mode=WAL")
            try connection.exec("PRAGMA synchronous=NORMAL")
            try IndexSchema.migrate(connection)
        } catch {
            connection.close()
            throw error
        }
    }

    /// Runs `body` holding the connection; throws once the index is closed.
    func withConnection<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        if closed { throw StorageError(.closed, "the index is closed", file: path) }
        return try body(connection)
    }

    /// An integer from `meta`, or nil.
    func meta(_ key: String) throws -> Int64? {
        try withConnection { db in
            let s = try db.statement("SELECT value FROM meta WHERE key = ?").bind(1, key)
            return try s.step() ? s.int64(0) : nil
        }
    }

    /// The schema version (`PRAGMA user_version`).
    func schemaVersion() throws -> Int64 {
        try withConnection { db in try IndexSchema.version(of: db) }
    }

    /// Moves SQLite's own WAL into the database file (`wal_checkpoint(TRUNCATE)`).
    func checkpoint() throws {
        try withConnection { db in try db.exec("PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    func close() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        connection.close()
    }
}
