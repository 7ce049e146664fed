import LookoutFormats
import LookoutModel

/// The bodies Lookout sends: Alertmanager's webhook payload (version 4), PagerDuty Events API v2
/// events, and Alertmanager's `postableAlerts` for `POST /api/v2/alerts`.
public enum NotificationPayloads {
    /// Alertmanager's zero time, which it prints for a firing alert's `endsAt`.
    static let zeroTime = "0001-01-01T00:00:00Z"

    static func time(_ ms: Int64) -> String { ms > 0 ? RFC3339.format(ms) : zeroTime }

    /// Labels every alert shares with the same value.
    static func common(_ sets: [Labels]) -> Labels {
        guard var common = sets.first?.pairs else { return .empty }
        for set in sets.dropFirst() { common = common.filter { set[$0.name] == $0.value } }
        return Labels(sortedPairs: common)
    }

    public static func webhook(receiver: String, groupKey: String, groupLabels: Labels, alerts: [NotifierAlert],
                               truncated: Int, externalURL: String, now: Int64) -> [UInt8] {
        let firing = alerts.contains { !$0.isResolved(at: now) }
        var writer = JSONWriter()
        writer.object { w in
            w.field("receiver", receiver)
            w.field("status", firing ? "firing" : "resolved")
            w.key("alerts")
            w.array { w in
                for alert in alerts {
                    w.object { w in
                        let resolved = alert.isResolved(at: now)
                        w.field("status", resolved ? "resolved" : "firing")
                        w.key("labels"); w.labels(alert.labels)
                        w.key("annotations"); w.labels(alert.annotations)
                        w.field("startsAt", time(alert.startsAt))
                        w.field("endsAt", resolved ? time(alert.endsAt) : zeroTime)
                        w.field("generatorURL", alert.generatorURL)
                        w.field("fingerprint", Fingerprint.hex(alert.fingerprint))
                    }
                }
            }
            w.key("groupLabels"); w.labels(groupLabels)
            w.key("commonLabels"); w.labels(common(alerts.map(\.labels)))
            w.key("commonAnnotations"); w.labels(common(alerts.map(\.annotations)))
            w.field("externalURL", externalURL)
            w.field("version", "4")
            w.field("groupKey", groupKey)
            w.field("truncatedAlerts", truncated)
        }
        return writer.bytes
    }

    /// A `trigger` while any alert of the group fires, else a `resolve`, keyed by the group.
    public static func pagerDuty(_ config: PagerDutyConfig, groupKey: String, groupLabels: Labels, alerts: [NotifierAlert],
                                 externalURL: String, now: Int64) -> [UInt8] {
        let firing = alerts.filter { !$0.isResolved(at: now) }
        let resolved = alerts.count - firing.count
        let trigger = !firing.isEmpty
        // Alertmanager's default description: `[FIRING:2] group label values`.
        let values = groupLabels.map(\.value).joined(separator: " ")
        var summary = "[\(trigger ? "FIRING:\(firing.count)" : "RESOLVED")] \(values)"
        if let s = (firing.first ?? alerts.first)?.annotations["summary"] { summary += " (\(s))" }
        if summary.count > 1024 { summary = String(summary.prefix(1023)) + "…" }
        var writer = JSONWriter()
        writer.object { w in
            w.field("routing_key", config.routingKey)
            w.field("event_action", trigger ? "trigger" : "resolve")
            w.field("dedup_key", WebhookSigner.sha256Hex(groupKey))
            if trigger {
                w.key("payload")
                w.object { w in
                    w.field("summary", summary)
                    w.field("source", config.client)
                    w.field("severity", config.severity)
                    w.field("timestamp", RFC3339.format(firing.map(\.startsAt).min() ?? now))
                    if let c = config.component { w.field("component", c) }
                    if let g = config.group { w.field("group", g) }
                    if let c = config.class { w.field("class", c) }
                    w.key("custom_details")
                    w.object { w in
                        w.field("firing", firing.map { $0.labels.description }.joined(separator: "\n"))
                        w.field("num_firing", "\(firing.count)")
                        w.field("num_resolved", "\(resolved)")
                        for (k, v) in config.details.sorted(by: { $0.key < $1.key }) { w.field(k, v) }
                    }
                }
            }
            w.field("client", config.client)
            w.field("client_url", config.clientURL ?? externalURL)
            if !config.links.isEmpty {
                w.key("links")
                w.array { w in
                    for link in config.links { w.object { w in w.field("href", link.href); w.field("text", link.text) } }
                }
            }
        }
        return writer.bytes
    }

    /// Alertmanager's `postableAlerts`: what Prometheus sends to `/api/v2/alerts`.
    public static func postableAlerts(_ alerts: [NotifierAlert]) -> [UInt8] {
        var writer = JSONWriter()
        writer.array { w in
            for alert in alerts {
                w.object { w in
                    w.key("labels"); w.labels(alert.labels)
                    w.key("annotations"); w.labels(alert.annotations)
                    w.field("startsAt", time(alert.startsAt))
                    if alert.endsAt > 0 { w.field("endsAt", time(alert.endsAt)) }
                    w.field("generatorURL", alert.generatorURL)
                }
            }
        }
        return writer.bytes
    }
}
