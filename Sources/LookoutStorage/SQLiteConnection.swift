import CSQLite

/// A SQLite connection with cached prepared statements. Not thread-safe by itself: `SeriesIndex`
/// serialises every use behind its lock.
final class SQLiteConnection {
    private var db: OpaquePointer?
    private var cache: [String: OpaquePointer] = [:]
    let path: String

    init(path: String) throws {
        self.path = path
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        if rc != SQLITE_OK {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "rc \(rc)"
            sqlite3_close(db)
            db = nil
            throw StorageError(.index, "cannot open SQLite: \(message)", file: path)
        }
    }

    func exec(_ sql: String) throws {
        var err: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(db, sql, nil, nil, &err) != SQLITE_OK {
            let message = err.map { String(cString: $0) } ?? "unknown"
            sqlite3_free(err)
            throw StorageError(.index, "\(message) in: \(sql)", file: path)
        }
    }

    /// A cached prepared statement, reset and with bindings cleared.
    func statement(_ sql: String) throws -> Statement {
        if let s = cache[sql] {
            sqlite3_reset(s)
            sqlite3_clear_bindings(s)
            return Statement(handle: s, connection: self)
        }
        var s: OpaquePointer?
        if sqlite3_prepare_v2(db, sql, -1, &s, nil) != SQLITE_OK {
            throw error("prepare \(sql)")
        }
        cache[sql] = s
        return Statement(handle: s!, connection: self)
    }

    /// The first column of the first row of `sql`, or nil without rows; the statement is reset
    /// afterwards, so it holds no lock on the tables it read.
    func scalar(_ sql: String) throws -> Int64? {
        let s = try statement(sql)
        defer { sqlite3_reset(s.handle) }
        return try s.step() ? s.int64(0) : nil
    }

    func error(_ what: String) -> StorageError {
        StorageError(.index, "\(what): \(String(cString: sqlite3_errmsg(db)))", file: path)
    }

    func transaction<T>(_ body: () throws -> T) throws -> T {
        try exec("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try exec("COMMIT")
            return result
        } catch {
            try? exec("ROLLBACK")
            throw error
        }
    }

    var changes: Int { Int(sqlite3_changes(db)) }

    func close() {
        for s in cache.values { sqlite3_finalize(s) }
        cache.removeAll()
        if db != nil {
            sqlite3_close(db)
            db = nil
        }
    }

    deinit { close() }

    /// A prepared statement: bind parameters (1-based), then `step()` through rows.
    struct Statement {
        let handle: OpaquePointer
        let connection: SQLiteConnection

        private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

        @discardableResult
        func bind(_ index: Int32, _ value: Int64) -> Statement {
            sqlite3_bind_int64(handle, index, value)
            return self
        }

        @discardableResult
        func bind(_ index: Int32, _ value: String) -> Statement {
            sqlite3_bind_text(handle, index, value, -1, Statement.transient)
            return self
        }

        @discardableResult
        func bind(_ index: Int32, _ bytes: [UInt8]) -> Statement {
            bytes.withUnsafeBytes { b in
                _ = sqlite3_bind_blob(handle, index, b.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(b.count), Statement.transient)
            }
            return self
        }

        func blob(_ column: Int32) -> [UInt8] {
            let count = Int(sqlite3_column_bytes(handle, column))
            guard count > 0, let p = sqlite3_column_blob(handle, column) else { return [] }
            return Array(UnsafeRawBufferPointer(start: p, count: count))
        }

        /// True while a row is available.
        func step() throws -> Bool {
            let rc = sqlite3_step(handle)
            if rc == SQLITE_ROW { return true }
            if rc == SQLITE_DONE { return false }
            throw connection.error("step")
        }

        func run() throws {
            while try step() {}
        }

        func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

        func text(_ column: Int32) -> String {
            guard let p = sqlite3_column_text(handle, column) else { return "" }
            return String(cString: p)
        }
    }
}
