import LookoutModel
import Synchronization

/// The notifier's counters for `/metrics`, named after Alertmanager's `alertmanager_notifications_*`
/// with a `lookout_` prefix.
public final class NotifyMetrics: Sendable {
    struct Counts: Sendable {
        var received = 0
        var refused = 0
        var enqueued = 0
        var enqueueFailures = 0
        var attempts: [String: Int] = [:]
        var delivered: [String: Int] = [:]
        var failed: [String: Int] = [:]
        var retried: [String: Int] = [:]
    }

    private let counts = Mutex(Counts())

    func count(received: Int) { counts.withLock { $0.received += received } }
    func count(refused: Int) { counts.withLock { $0.refused += refused } }
    func count(enqueued: Int) { counts.withLock { $0.enqueued += enqueued } }
    func count(enqueueFailures: Int) { counts.withLock { $0.enqueueFailures += enqueueFailures } }
    func attempt(_ integration: String) { counts.withLock { $0.attempts[integration, default: 0] += 1 } }
    func delivered(_ integration: String) { counts.withLock { $0.delivered[integration, default: 0] += 1 } }
    func retried(_ integration: String) { counts.withLock { $0.retried[integration, default: 0] += 1 } }
    /// A notification given up on: `rejected` (a 4xx), `expired` (retried past the maximum age)
    /// or `unconfigured` (its receiver went away in a reload).
    func failed(_ integration: String, reason: String) { counts.withLock { $0.failed[integration + "|" + reason, default: 0] += 1 } }

    public var deliveredTotal: Int { counts.withLock { $0.delivered.values.reduce(0, +) } }

    func families(outboxDepth: Int, oldestAgeSeconds: Double, openCircuits: Int) -> [MetricFamily] {
        let c = counts.withLock { $0 }
        let integrations = ["webhook", "pagerduty", "alertmanager"]
        func perIntegration(_ name: String, _ help: String, _ map: [String: Int]) -> MetricFamily {
            MetricFamily(name, .counter, help: help, samples: integrations.map {
                (Labels([Labels.metricName: name, "integration": $0]), Double(map[$0] ?? 0))
            })
        }
        let failed = c.failed.keys.sorted().map { key -> (labels: Labels, value: Double) in
            let parts = key.split(separator: "|").map(String.init)
            return (Labels([Labels.metricName: "lookout_notifications_failed_total", "integration": parts[0], "reason": parts[1]]),
                    Double(c.failed[key]!))
        }
        return [
            MetricFamily("lookout_notifier_alerts_received_total", .counter, help: "Alerts the notifier received.", value: Double(c.received)),
            MetricFamily("lookout_notifier_alerts_refused_total", .counter, help: "Alerts refused because the notifier held its maximum.",
                         value: Double(c.refused)),
            MetricFamily("lookout_notifications_enqueued_total", .counter, help: "Notifications written to the outbox.", value: Double(c.enqueued)),
            MetricFamily("lookout_notifications_enqueue_failures_total", .counter, help: "Notifications that could not be written to the outbox.",
                         value: Double(c.enqueueFailures)),
            perIntegration("lookout_notification_attempts_total", "Delivery attempts.", c.attempts),
            perIntegration("lookout_notifications_total", "Notifications delivered.", c.delivered),
            perIntegration("lookout_notification_retries_total", "Delivery attempts that failed and will be retried.", c.retried),
            MetricFamily("lookout_notifications_failed_total", .counter, help: "Notifications given up on, by reason.", samples: failed),
            MetricFamily("lookout_notification_outbox_depth", .gauge, help: "Notifications waiting in the outbox.", value: Double(outboxDepth)),
            MetricFamily("lookout_notification_outbox_oldest_age_seconds", .gauge, help: "Age of the oldest notification in the outbox.",
                         value: oldestAgeSeconds),
            MetricFamily("lookout_notification_circuits_open", .gauge, help: "Integrations whose circuit breaker is open.",
                         value: Double(openCircuits)),
        ]
    }
}
