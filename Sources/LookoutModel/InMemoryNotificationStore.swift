import Synchronization

/// `NotificationStorage` in memory, for tests.
public final class InMemoryNotificationStore: NotificationStorage {
    private let state = Mutex<(outbox: [OutboxEntry], silences: [String: SilenceRecord], log: [String: NotificationLogEntry])>(([], [:], [:]))

    public init() {}

    public var outbox: [OutboxEntry] { state.withLock { $0.outbox } }

    public func enqueue(_ entries: [OutboxEntry]) throws { state.withLock { $0.outbox += entries } }

    public func due(at now: Int64, limit: Int) throws -> [OutboxEntry] {
        state.withLock { s in Array(s.outbox.filter { $0.nextAttemptAt <= now }.sorted { $0.createdAt < $1.createdAt }.prefix(limit)) }
    }

    public func complete(_ id: String) throws { state.withLock { $0.outbox.removeAll { $0.id == id } } }

    public func reschedule(_ id: String, at: Int64, attempts: Int, error: String) throws {
        state.withLock { s in
            guard let i = s.outbox.firstIndex(where: { $0.id == id }) else { return }
            s.outbox[i].nextAttemptAt = at
            s.outbox[i].attempts = attempts
            s.outbox[i].lastError = error
        }
    }

    public func outboxStats() throws -> (depth: Int, oldestCreatedAt: Int64?) {
        state.withLock { s in (s.outbox.count, s.outbox.map(\.createdAt).min()) }
    }

    public func save(silence: SilenceRecord) throws { state.withLock { $0.silences[silence.id] = silence } }
    public func silences() throws -> [SilenceRecord] { state.withLock { Array($0.silences.values) } }
    public func deleteSilences(endedBefore time: Int64) throws {
        state.withLock { s in s.silences = s.silences.filter { $0.value.endsAt >= time } }
    }

    public func logEntry(_ key: String) throws -> NotificationLogEntry? { state.withLock { $0.log[key] } }
    public func save(logEntry: NotificationLogEntry) throws { state.withLock { $0.log[logEntry.key] = logEntry } }
}
