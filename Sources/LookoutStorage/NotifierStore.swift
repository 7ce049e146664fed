import Foundation
import CSQLite
import LookoutModel

/// The notifier's outbox, silences and notification log in `index.sqlite` (tables `notify_*`,
/// `docs/format/index.md`): an entry is durable once `enqueue` returns (`synchronous=FULL`), so a
/// notification accepted before a crash is delivered after the restart.
public final class NotifierStore: NotificationStorage, @unchecked Sendable {
    let index: IndexDatabase

    public init(data: DataDirectory) {
        index = data.index
    }

    public func enqueue(_ entries: [OutboxEntry]) throws {
        try index.withConnection { db in
            // Durable on return even on power loss, as partition commits are.
            try db.exec("PRAGMA synchronous=FULL")
            defer { try? db.exec("PRAGMA synchronous=NORMAL") }
            try db.transaction {
                for e in entries {
                    try db.statement("""
                        INSERT OR IGNORE INTO notify_outbox(id, receiver, integration, integration_index, body, created_at,
                            next_attempt_at, attempts, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """).bind(1, e.id).bind(2, e.receiver).bind(3, e.integration).bind(4, Int64(e.integrationIndex))
                        .bind(5, e.body).bind(6, e.createdAt).bind(7, e.nextAttemptAt).bind(8, Int64(e.attempts))
                        .bind(9, e.lastError).run()
                }
            }
        }
    }

    public func due(at now: Int64, limit: Int) throws -> [OutboxEntry] {
        try index.withConnection { db in
            let s = try db.statement("""
                SELECT id, receiver, integration, integration_index, body, created_at, next_attempt_at, attempts, last_error
                FROM notify_outbox WHERE next_attempt_at <= ? ORDER BY created_at LIMIT ?
                """).bind(1, now).bind(2, Int64(limit))
            defer { sqlite3_reset(s.handle) }
            var out: [OutboxEntry] = []
            while try s.step() {
                var e = OutboxEntry(id: s.text(0), receiver: s.text(1), integration: s.text(2), integrationIndex: Int(s.int64(3)),
                                    body: s.blob(4), createdAt: s.int64(5), nextAttemptAt: s.int64(6))
                e.attempts = Int(s.int64(7))
                e.lastError = s.text(8)
                out.append(e)
            }
            return out
        }
    }

    public func complete(_ id: String) throws {
        try index.withConnection { db in try db.statement("DELETE FROM notify_outbox WHERE id = ?").bind(1, id).run() }
    }

    public func reschedule(_ id: String, at: Int64, attempts: Int, error: String) throws {
        try index.withConnection { db in
            try db.statement("UPDATE notify_outbox SET next_attempt_at = ?, attempts = ?, last_error = ? WHERE id = ?")
                .bind(1, at).bind(2, Int64(attempts)).bind(3, error).bind(4, id).run()
        }
    }

    public func outboxStats() throws -> (depth: Int, oldestCreatedAt: Int64?) {
        try index.withConnection { db in
            let s = try db.statement("SELECT count(*), min(created_at) FROM notify_outbox")
            defer { sqlite3_reset(s.handle) }
            guard try s.step() else { return (0, nil) }
            let depth = Int(s.int64(0))
            return (depth, depth == 0 ? nil : s.int64(1))
        }
    }

    public func save(silence: SilenceRecord) throws {
        let json = String(decoding: try JSONEncoder().encode(silence), as: UTF8.self)
        try index.withConnection { db in
            try db.statement("INSERT OR REPLACE INTO notify_silences(id, ends_at, record) VALUES (?, ?, ?)")
                .bind(1, silence.id).bind(2, silence.endsAt).bind(3, json).run()
        }
    }

    public func silences() throws -> [SilenceRecord] {
        let texts: [String] = try index.withConnection { db in
            let s = try db.statement("SELECT record FROM notify_silences")
            var out: [String] = []
            while try s.step() { out.append(s.text(0)) }
            return out
        }
        return try texts.map { try JSONDecoder().decode(SilenceRecord.self, from: Data($0.utf8)) }
    }

    public func deleteSilences(endedBefore time: Int64) throws {
        try index.withConnection { db in try db.statement("DELETE FROM notify_silences WHERE ends_at < ?").bind(1, time).run() }
    }

    public func logEntry(_ key: String) throws -> NotificationLogEntry? {
        let text: String? = try index.withConnection { db in
            let s = try db.statement("SELECT entry FROM notify_log WHERE key = ?").bind(1, key)
            defer { sqlite3_reset(s.handle) }
            return try s.step() ? s.text(0) : nil
        }
        return try text.map { try JSONDecoder().decode(NotificationLogEntry.self, from: Data($0.utf8)) }
    }

    public func save(logEntry: NotificationLogEntry) throws {
        let json = String(decoding: try JSONEncoder().encode(logEntry), as: UTF8.self)
        try index.withConnection { db in
            try db.statement("INSERT OR REPLACE INTO notify_log(key, entry) VALUES (?, ?)").bind(1, logEntry.key).bind(2, json).run()
        }
    }
}
