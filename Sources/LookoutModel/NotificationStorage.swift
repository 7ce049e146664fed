/// A notification waiting to be delivered: the request body, where it goes, and its retry state.
/// Its `id` is the `webhook-id` (and the key receivers deduplicate on), the same on every attempt.
public struct OutboxEntry: Sendable, Equatable {
    public var id: String
    public var receiver: String
    /// `webhook`, `pagerduty` or `alertmanager`, with the integration's index in the receiver, so
    /// secrets are read from the config at send time and never stored.
    public var integration: String
    public var integrationIndex: Int
    public var body: [UInt8]
    public var createdAt: Int64
    public var nextAttemptAt: Int64
    public var attempts: Int = 0
    public var lastError: String = ""

    public init(id: String, receiver: String, integration: String, integrationIndex: Int, body: [UInt8],
                createdAt: Int64, nextAttemptAt: Int64? = nil) {
        self.id = id
        self.receiver = receiver
        self.integration = integration
        self.integrationIndex = integrationIndex
        self.body = body
        self.createdAt = createdAt
        self.nextAttemptAt = nextAttemptAt ?? createdAt
    }
}

/// A silence, as Alertmanager's: matchers and a time range. Times in ms.
public struct SilenceRecord: Sendable, Equatable, Codable {
    public struct Matcher: Sendable, Equatable, Codable {
        public var name: String
        public var value: String
        public var isRegex: Bool
        public var isEqual: Bool
        public init(name: String, value: String, isRegex: Bool, isEqual: Bool = true) {
            self.name = name
            self.value = value
            self.isRegex = isRegex
            self.isEqual = isEqual
        }
    }

    public var id: String
    public var matchers: [Matcher]
    public var startsAt: Int64
    public var endsAt: Int64
    public var updatedAt: Int64
    public var createdBy: String
    public var comment: String

    public init(id: String, matchers: [Matcher], startsAt: Int64, endsAt: Int64, updatedAt: Int64, createdBy: String, comment: String) {
        self.id = id
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.updatedAt = updatedAt
        self.createdBy = createdBy
        self.comment = comment
    }
}

/// What was last notified for one alert group on one integration (Alertmanager's nflog), so a
/// restart neither repeats an unchanged notification nor forgets to send a change.
public struct NotificationLogEntry: Sendable, Equatable, Codable {
    public var key: String
    public var firing: [UInt64]
    public var resolved: [UInt64]
    public var sentAt: Int64

    public init(key: String, firing: [UInt64], resolved: [UInt64], sentAt: Int64) {
        self.key = key
        self.firing = firing
        self.resolved = resolved
        self.sentAt = sentAt
    }
}

/// The notifier's durable state: the outbox, silences and the notification log.
/// `LookoutStorage.NotifierStore` keeps them in `index.sqlite`; `InMemoryNotificationStore` is the fake.
public protocol NotificationStorage: Sendable {
    func enqueue(_ entries: [OutboxEntry]) throws
    /// Entries whose next attempt is due at `now`, oldest first.
    func due(at now: Int64, limit: Int) throws -> [OutboxEntry]
    /// Removes a delivered (or abandoned) entry.
    func complete(_ id: String) throws
    func reschedule(_ id: String, at: Int64, attempts: Int, error: String) throws
    /// How many entries wait, and the creation time of the oldest.
    func outboxStats() throws -> (depth: Int, oldestCreatedAt: Int64?)

    func save(silence: SilenceRecord) throws
    func silences() throws -> [SilenceRecord]
    /// Forgets silences that ended before `time`.
    func deleteSilences(endedBefore time: Int64) throws

    func logEntry(_ key: String) throws -> NotificationLogEntry?
    func save(logEntry: NotificationLogEntry) throws
}
