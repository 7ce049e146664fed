import Foundation
import Logging
import LookoutModel
import Synchronization

/// Alertmanager's dispatcher in process: takes alerts (from the rules or `POST /api/v2/alerts`),
/// routes them, groups them per route and group labels, and on each group's timers (group_wait,
/// group_interval, repeat_interval) writes the notifications that are due into the durable outbox,
/// leaving out silenced, inhibited and muted alerts and what the notification log says was sent.
/// Time comes from `tick(now:)` and the `now` of each call, so tests drive it without sleeping.
public final class Dispatcher: Sendable {
    struct Group: Sendable {
        var key: String
        var route: ResolvedRoute
        var labels: Labels
        var fingerprints: Set<UInt64>
        var nextFlush: Int64
    }

    struct State: Sendable {
        var config: AlertingConfig
        var alerts: [UInt64: NotifierAlert] = [:]
        var groups: [String: Group] = [:]
        var silences: [String: SilenceRecord] = [:]
    }

    let storage: any NotificationStorage
    let externalURL: String
    let logger: Logger
    let metrics = NotifyMetrics()
    private let state: Mutex<State>
    /// Resolved alerts stay visible in the API this long after they end.
    static let resolvedRetention: Int64 = 15 * 60_000
    /// Expired silences are kept (and listed) this long, as Alertmanager's `data.retention`.
    static let silenceRetention: Int64 = 120 * 3_600_000
    /// At most this many alerts are held; new label sets past it are refused (counted).
    public static let maxAlerts = 100_000

    public init(config: AlertingConfig, storage: any NotificationStorage, externalURL: String, logger: Logger) throws {
        self.storage = storage
        self.externalURL = externalURL
        self.logger = logger
        var initial = State(config: config)
        for silence in try storage.silences() { initial.silences[silence.id] = silence }
        state = Mutex(initial)
    }

    public var config: AlertingConfig { state.withLock { $0.config } }

    /// Swaps in a reloaded `alerting:`; groups are rebuilt from the held alerts on the new routes.
    public func update(config: AlertingConfig, now: Int64) {
        state.withLock { s in
            s.config = config
            let old = s.groups
            s.groups = [:]
            for alert in s.alerts.values { Self.place(alert, in: &s, now: now) }
            for (key, group) in old where s.groups[key] != nil { s.groups[key]!.nextFlush = group.nextFlush }
        }
    }

    /// Takes alerts at `now`, merging each into the one with its labels, as Alertmanager does, and
    /// writes the forwards to their receivers' `alertmanager_configs` into the outbox.
    public func receive(_ incoming: [NotifierAlert], now: Int64) {
        var forwards: [String: [NotifierAlert]] = [:]
        state.withLock { s in
            for var alert in incoming {
                if let existing = s.alerts[alert.fingerprint] {
                    // An update of a still-active alert keeps its original start.
                    if !existing.isResolved(at: now), existing.startsAt < alert.startsAt { alert.startsAt = existing.startsAt }
                } else if s.alerts.count >= Self.maxAlerts {
                    metrics.count(refused: 1)
                    continue
                }
                alert.updatedAt = now
                s.alerts[alert.fingerprint] = alert
                for route in Self.place(alert, in: &s, now: now) {
                    if let receiver = s.config.receiver(named: route.receiver), !receiver.alertmanagers.isEmpty {
                        forwards[receiver.name, default: []].append(alert)
                    }
                }
            }
        }
        metrics.count(received: incoming.count)
        var entries: [OutboxEntry] = []
        let receivers = state.withLock { s in forwards.keys.compactMap { s.config.receiver(named: $0) } }
        for receiver in receivers {
            let body = NotificationPayloads.postableAlerts(forwards[receiver.name]!)
            for index in receiver.alertmanagers.indices {
                entries.append(OutboxEntry(id: "msg_" + UUID().uuidString.lowercased(), receiver: receiver.name,
                                           integration: "alertmanager", integrationIndex: index, body: body, createdAt: now))
            }
        }
        enqueue(entries)
    }

    /// Puts an alert into the group of each route it matches, creating groups as needed.
    @discardableResult
    static func place(_ alert: NotifierAlert, in s: inout State, now: Int64) -> [ResolvedRoute] {
        let routes = s.config.route.match(alert.labels)
        for route in routes {
            let labels = route.groupLabels(alert.labels)
            let key = route.key + ":" + labels.description
            if s.groups[key] == nil {
                // A group seen for the first time waits group_wait, so alerts that arrive together go together.
                s.groups[key] = Group(key: key, route: route, labels: labels, fingerprints: [], nextFlush: now + route.groupWait)
            }
            s.groups[key]!.fingerprints.insert(alert.fingerprint)
        }
        return routes
    }

    /// Flushes every group whose timer is due, writing its notifications into the outbox.
    public func tick(now: Int64) {
        // The flushes read the notification log from storage, so they run on a snapshot, outside the lock.
        let (snapshot, due) = state.withLock { s in (s, s.groups.keys.sorted().filter { s.groups[$0]!.nextFlush <= now }) }
        var entries: [OutboxEntry] = []
        var logEntries: [NotificationLogEntry] = []
        for key in due {
            let (newEntries, newLog) = flush(snapshot.groups[key]!, state: snapshot, now: now)
            entries += newEntries
            logEntries += newLog
        }
        state.withLock { s in
            for key in due {
                guard let group = s.groups[key] else { continue }
                // Resolved alerts leave the group once notified; an empty group goes.
                let remaining = group.fingerprints.filter { s.alerts[$0].map { !$0.isResolved(at: now) } ?? false }
                if remaining.isEmpty {
                    s.groups[key] = nil
                    continue
                }
                s.groups[key]!.fingerprints = remaining
                s.groups[key]!.nextFlush = now + group.route.groupInterval
            }
            let grouped = Set(s.groups.values.flatMap(\.fingerprints))
            s.alerts = s.alerts.filter { fp, alert in
                grouped.contains(fp) || !alert.isResolved(at: now) || now - alert.endsAt < Self.resolvedRetention
            }
        }
        for entry in logEntries {
            do { try storage.save(logEntry: entry) } catch {
                logger.error("cannot write the notification log", metadata: ["error": "\(error)"])
            }
        }
        enqueue(entries)
        expireSilences(now: now)
    }

    func enqueue(_ entries: [OutboxEntry]) {
        guard !entries.isEmpty else { return }
        do {
            try storage.enqueue(entries)
            metrics.count(enqueued: entries.count)
        } catch {
            metrics.count(enqueueFailures: entries.count)
            logger.error("cannot write notifications to the outbox", metadata: ["error": "\(error)", "count": "\(entries.count)"])
        }
    }

    /// The notifications one group's flush produces, per integration of its receiver.
    private func flush(_ group: Group, state s: State, now: Int64) -> ([OutboxEntry], [NotificationLogEntry]) {
        guard let receiver = s.config.receiver(named: group.route.receiver) else { return ([], []) }
        if isMuted(group.route, config: s.config, now: now) { return ([], []) }
        let alerts = group.fingerprints.compactMap { s.alerts[$0] }
            .filter { status(of: $0, state: s, now: now).suppressed == false }
            .sorted { $0.labels < $1.labels }
        let firing = alerts.filter { !$0.isResolved(at: now) }.map(\.fingerprint).sorted()
        let resolved = alerts.filter { $0.isResolved(at: now) }.map(\.fingerprint).sorted()
        var entries: [OutboxEntry] = []
        var logs: [NotificationLogEntry] = []
        func integration(_ name: String, _ index: Int, sendResolved: Bool, body: ([NotifierAlert]) -> [UInt8]) {
            let logKey = "\(receiver.name)/\(name)/\(index)/\(group.key)"
            let previous = try? storage.logEntry(logKey)
            guard Self.needsUpdate(previous, firing: firing, resolved: resolved, sendResolved: sendResolved,
                                   repeatInterval: group.route.repeatInterval, now: now) else { return }
            logs.append(NotificationLogEntry(key: logKey, firing: firing, resolved: resolved, sentAt: now))
            let sent = sendResolved ? alerts : alerts.filter { !$0.isResolved(at: now) }
            guard !sent.isEmpty else { return }
            entries.append(OutboxEntry(id: "msg_" + UUID().uuidString.lowercased(), receiver: receiver.name, integration: name,
                                       integrationIndex: index, body: body(sent), createdAt: now))
        }
        for (index, webhook) in receiver.webhooks.enumerated() {
            integration("webhook", index, sendResolved: webhook.sendResolved) { sent in
                let kept = webhook.maxAlerts > 0 ? Array(sent.prefix(webhook.maxAlerts)) : sent
                return NotificationPayloads.webhook(receiver: receiver.name, groupKey: group.key, groupLabels: group.labels,
                                                    alerts: kept, truncated: sent.count - kept.count, externalURL: externalURL, now: now)
            }
        }
        for (index, pagerDuty) in receiver.pagerDuty.enumerated() {
            integration("pagerduty", index, sendResolved: pagerDuty.sendResolved) { sent in
                NotificationPayloads.pagerDuty(pagerDuty, groupKey: group.key, groupLabels: group.labels, alerts: sent,
                                               externalURL: externalURL, now: now)
            }
        }
        return (entries, logs)
    }

    /// Alertmanager's `DedupStage.needsUpdate`.
    static func needsUpdate(_ entry: NotificationLogEntry?, firing: [UInt64], resolved: [UInt64], sendResolved: Bool,
                            repeatInterval: Int64, now: Int64) -> Bool {
        guard let entry else { return !firing.isEmpty }
        if !Set(firing).isSubset(of: entry.firing) { return true }
        if firing.isEmpty { return !entry.firing.isEmpty }
        if sendResolved && !Set(resolved).isSubset(of: entry.resolved) { return true }
        return entry.sentAt <= now - repeatInterval
    }

    func isMuted(_ route: ResolvedRoute, config: AlertingConfig, now: Int64) -> Bool {
        for name in route.muteTimeIntervals where config.timeIntervals[name]?.contains(where: { $0.contains(now) }) ?? false {
            return true
        }
        if !route.activeTimeIntervals.isEmpty {
            let active = route.activeTimeIntervals.contains { config.timeIntervals[$0]?.contains(where: { $0.contains(now) }) ?? false }
            if !active { return true }
        }
        return false
    }

    /// Why an alert is or is not notified: the silences muting it and the alerts inhibiting it.
    public struct AlertStatus: Sendable {
        public var silencedBy: [String]
        public var inhibitedBy: [String]
        public var suppressed: Bool { !silencedBy.isEmpty || !inhibitedBy.isEmpty }
    }

    func status(of alert: NotifierAlert, state s: State, now: Int64) -> AlertStatus {
        let silenced = s.silences.values.filter { $0.mutes(alert.labels, at: now) }.map(\.id).sorted()
        var inhibited: [String] = []
        if !alert.isResolved(at: now) {
            for rule in s.config.inhibitRules where rule.targetMatchers.matches(alert.labels) {
                for source in s.alerts.values where source.fingerprint != alert.fingerprint && !source.isResolved(at: now)
                    && rule.sourceMatchers.matches(source.labels)
                    && rule.equal.allSatisfy({ source.labels[$0] == alert.labels[$0] }) {
                    inhibited.append(Fingerprint.hex(source.fingerprint))
                }
            }
        }
        return AlertStatus(silencedBy: silenced, inhibitedBy: inhibited.sorted())
    }

    // MARK: The API's view

    /// An alert with its receivers and status, for `GET /api/v2/alerts`.
    public struct AlertView: Sendable {
        public var alert: NotifierAlert
        public var receivers: [String]
        public var status: AlertStatus
        public var resolved: Bool
    }

    public func alerts(now: Int64) -> [AlertView] {
        // Routing and inhibition are worked out on a snapshot, outside the lock.
        let s = state.withLock { $0 }
        return s.alerts.values.sorted { $0.labels < $1.labels }.map { alert in
            let receivers = Array(Set(s.config.route.match(alert.labels).map(\.receiver))).sorted()
            return AlertView(alert: alert, receivers: receivers, status: status(of: alert, state: s, now: now),
                             resolved: alert.isResolved(at: now))
        }
    }

    /// The current groups with their receiver and labels, for `GET /api/v2/alerts/groups`.
    public func groups(now: Int64) -> [(receiver: String, labels: Labels, alerts: [AlertView])] {
        let views = Dictionary(alerts(now: now).map { ($0.alert.fingerprint, $0) }, uniquingKeysWith: { a, _ in a })
        let groups = state.withLock { $0.groups }
        return groups.values.sorted { $0.key < $1.key }.map { g in
            (g.route.receiver, g.labels, g.fingerprints.compactMap { views[$0] }.sorted { $0.alert.labels < $1.alert.labels })
        }
    }

    // MARK: Silences

    public var silences: [SilenceRecord] { state.withLock { Array($0.silences.values) }.sorted { $0.id < $1.id } }

    /// Adds a silence, or replaces one with the same id (an edit, as amtool's `silence update`).
    public func save(silence: SilenceRecord) throws {
        try storage.save(silence: silence)
        state.withLock { $0.silences[silence.id] = silence }
    }

    /// Ends a silence now; false if there is none with that id or it already ended.
    public func expire(silence id: String, now: Int64) throws -> Bool {
        guard var silence = state.withLock({ $0.silences[id] }), silence.state(at: now) != .expired else { return false }
        silence.endsAt = now
        if silence.startsAt > now { silence.startsAt = now }
        silence.updatedAt = now
        try save(silence: silence)
        return true
    }

    func expireSilences(now: Int64) {
        let cutoff = now - Self.silenceRetention
        let stale = state.withLock { s in s.silences.values.filter { $0.endsAt < cutoff }.map(\.id) }
        guard !stale.isEmpty else { return }
        try? storage.deleteSilences(endedBefore: cutoff)
        state.withLock { s in for id in stale { s.silences[id] = nil } }
    }
}
