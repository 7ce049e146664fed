import Foundation
import Logging
import LookoutModel
import Synchronization

/// Delivers the outbox: each due notification is POSTed to its integration; a 2xx removes it;
/// 5xx, 429 and no answer retry with exponential backoff and full jitter (or after `Retry-After`);
/// another 4xx is given up on and logged with the receiver's answer. Each integration has a
/// circuit breaker: after `breakerThreshold` failures in a row it is left alone for
/// `breakerCooldown`, then tried again with one notification. Ids never change between attempts.
public final class DeliveryWorker: Sendable {
    let dispatcher: Dispatcher
    let transport: any NotificationTransport
    let logger: Logger
    /// A random delay in `0...max` ms, for the jitter; tests fix it.
    let jitter: @Sendable (Int64) -> Int64
    static let baseDelay: Int64 = 500
    static let maxDelay: Int64 = 60_000
    /// Notifications still undelivered this long after they were written are given up on.
    static let maxAge: Int64 = 24 * 3_600_000
    static let breakerThreshold = 5
    static let breakerCooldown: Int64 = 30_000
    static let batch = 64

    struct Breaker: Sendable {
        var failures = 0
        var openUntil: Int64 = 0
    }

    private let breakers = Mutex<[String: Breaker]>([:])

    public init(dispatcher: Dispatcher, transport: any NotificationTransport, logger: Logger,
                jitter: @escaping @Sendable (Int64) -> Int64 = { Int64.random(in: 0...max(0, $0)) }) {
        self.dispatcher = dispatcher
        self.transport = transport
        self.logger = logger
        self.jitter = jitter
    }

    func openCircuits(now: Int64) -> Int {
        breakers.withLock { $0.values.filter { $0.openUntil > now }.count }
    }

    /// Attempts every notification due at `now`; returns how many were delivered.
    @discardableResult
    public func deliverDue(now: Int64) async -> Int {
        let due: [OutboxEntry]
        do {
            due = try dispatcher.storage.due(at: now, limit: Self.batch)
        } catch {
            logger.error("cannot read the outbox", metadata: ["error": "\(error)"])
            return 0
        }
        let config = dispatcher.config
        return await withTaskGroup(of: Bool.self) { group in
            for entry in due {
                group.addTask { await self.attempt(entry, config: config, now: now) }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
    }

    private func attempt(_ entry: OutboxEntry, config: AlertingConfig, now: Int64) async -> Bool {
        let breakerKey = "\(entry.receiver)/\(entry.integration)/\(entry.integrationIndex)"
        let storage = dispatcher.storage
        guard let request = Self.request(for: entry, config: config, now: now) else {
            dispatcher.metrics.failed(entry.integration, reason: "unconfigured")
            logger.warning("dropping a notification whose receiver is no longer configured",
                           metadata: ["receiver": "\(entry.receiver)", "integration": "\(entry.integration)", "id": "\(entry.id)"])
            try? storage.complete(entry.id)
            return false
        }
        if now - entry.createdAt > Self.maxAge {
            dispatcher.metrics.failed(entry.integration, reason: "expired")
            logger.error("giving up on a notification after retrying for a day",
                         metadata: ["receiver": "\(entry.receiver)", "id": "\(entry.id)", "last_error": "\(entry.lastError)"])
            try? storage.complete(entry.id)
            return false
        }
        let openUntil = breakers.withLock { b -> Int64? in
            guard let breaker = b[breakerKey], breaker.openUntil > now else { return nil }
            return breaker.openUntil
        }
        if let openUntil {
            try? storage.reschedule(entry.id, at: openUntil, attempts: entry.attempts, error: "circuit open: " + entry.lastError)
            return false
        }
        dispatcher.metrics.attempt(entry.integration)
        let result = await transport.post(url: request.url, headers: request.headers, body: entry.body, timeout: request.timeout)
        let retry: (delay: Int64?, reason: String)?
        switch result {
        case .answered(let status, _, _) where (200..<300).contains(status):
            breakers.withLock { $0[breakerKey] = nil }
            try? storage.complete(entry.id)
            dispatcher.metrics.delivered(entry.integration)
            logger.info("notification delivered", metadata: [
                "receiver": "\(entry.receiver)", "integration": "\(entry.integration)", "id": "\(entry.id)",
                "attempts": "\(entry.attempts + 1)", "status": "\(status)",
            ])
            return true
        case .answered(let status, let retryAfter, let body) where status == 429 || status >= 500:
            retry = (retryAfter, "HTTP \(status): \(body.prefix(200))")
        case .answered(let status, _, let body):
            dispatcher.metrics.failed(entry.integration, reason: "rejected")
            logger.error("receiver refused a notification; not retrying", metadata: [
                "receiver": "\(entry.receiver)", "integration": "\(entry.integration)", "id": "\(entry.id)",
                "status": "\(status)", "answer": "\(body.prefix(500))",
            ])
            try? storage.complete(entry.id)
            return false
        case .failed(let message):
            retry = (nil, message)
        }
        guard let retry else { return false }
        let attempts = entry.attempts + 1
        let backoff = min(Self.maxDelay, Self.baseDelay << min(attempts, 20))
        let delay = max(100, retry.delay ?? jitter(backoff))
        breakers.withLock { b in
            var breaker = b[breakerKey] ?? Breaker()
            breaker.failures += 1
            if breaker.failures >= Self.breakerThreshold {
                breaker.openUntil = now + Self.breakerCooldown
                breaker.failures = Self.breakerThreshold - 1 // one more failure after the cooldown re-opens it
            }
            b[breakerKey] = breaker
        }
        dispatcher.metrics.retried(entry.integration)
        logger.warning("notification delivery failed; will retry", metadata: [
            "receiver": "\(entry.receiver)", "integration": "\(entry.integration)", "id": "\(entry.id)",
            "attempts": "\(attempts)", "retry_in_ms": "\(delay)", "error": "\(retry.reason)",
        ])
        try? storage.reschedule(entry.id, at: now + delay, attempts: attempts, error: retry.reason)
        return false
    }

    struct Request {
        var url: String
        var headers: [(String, String)]
        var timeout: Int64
    }

    /// Where an entry goes and its headers, from the current config (secrets are never stored).
    static func request(for entry: OutboxEntry, config: AlertingConfig, now: Int64) -> Request? {
        guard let receiver = config.receiver(named: entry.receiver) else { return nil }
        var headers = [("Content-Type", "application/json"), ("User-Agent", "Lookout/1")]
        switch entry.integration {
        case "webhook":
            guard receiver.webhooks.indices.contains(entry.integrationIndex) else { return nil }
            let webhook = receiver.webhooks[entry.integrationIndex]
            let timestamp = now / 1000
            headers += [("webhook-id", entry.id), ("webhook-timestamp", "\(timestamp)")]
            if let key = webhook.hmacSecret {
                headers.append(("webhook-signature", WebhookSigner.signature(key: key, id: entry.id, timestamp: timestamp, body: entry.body)))
            }
            if let token = webhook.bearerToken { headers.append(("Authorization", "Bearer " + token)) }
            return Request(url: webhook.url, headers: headers, timeout: webhook.timeout)
        case "pagerduty":
            guard receiver.pagerDuty.indices.contains(entry.integrationIndex) else { return nil }
            let pd = receiver.pagerDuty[entry.integrationIndex]
            return Request(url: pd.url, headers: headers, timeout: pd.timeout)
        case "alertmanager":
            guard receiver.alertmanagers.indices.contains(entry.integrationIndex) else { return nil }
            let am = receiver.alertmanagers[entry.integrationIndex]
            let base = am.url.hasSuffix("/") ? String(am.url.dropLast()) : am.url
            return Request(url: base + "/api/v2/alerts", headers: headers, timeout: am.timeout)
        default:
            return nil
        }
    }

    /// Lookout's own view of the outbox for `/metrics`.
    public func selfMetrics(now: Int64) -> [MetricFamily] {
        let stats = (try? dispatcher.storage.outboxStats()) ?? (depth: 0, oldestCreatedAt: nil)
        let age = stats.oldestCreatedAt.map { Double(max(0, now - $0)) / 1000 } ?? 0
        return dispatcher.metrics.families(outboxDepth: stats.depth, oldestAgeSeconds: age, openCircuits: openCircuits(now: now))
    }

    /// Delivers until cancelled, checking the outbox every 250 ms.
    public func run() async {
        while !Task.isCancelled {
            await deliverDue(now: WallClock.nowMilliseconds())
            try? await Task.sleep(for: .milliseconds(250))
        }
    }
}
