import LookoutModel

/// An alerting rule's state machine, as Prometheus's `AlertingRule.Eval`: each evaluation's
/// result vector makes alerts pending, fires those active for `for`, keeps firing ones for
/// `keep_firing_for` after they vanish, and resolves the rest (kept 15 minutes for resending).
public struct AlertingRule: Sendable {
    public let definition: RuleDefinition
    /// Active and recently resolved alerts by label set.
    public private(set) var alerts: [Labels: Alert] = [:]
    /// Prometheus keeps resolved alerts this long so the notifier hears they resolved.
    static let resolvedRetention: Int64 = 15 * 60_000

    public init(_ definition: RuleDefinition) {
        self.definition = definition
    }

    var holdDuration: Int64 {
        if case .alerting(let hold, _) = definition.kind { return hold }
        return 0
    }

    var keepFiringFor: Int64 {
        if case .alerting(_, let keep) = definition.kind { return keep }
        return 0
    }

    /// Takes over the alerts of the same rule from before a reload.
    mutating func inherit(_ previous: AlertingRule) {
        alerts = previous.alerts
    }

    /// One evaluation at `ts` of a result `vector`. Returns the first template error (the alert
    /// is still raised, with the template's text in its place), or throws when the limit is
    /// passed or two results share a label set once the rule's labels are applied.
    @discardableResult
    public mutating func evaluate(_ vector: [InstantSample], at ts: Int64, limit: Int = 0,
                                  externalLabels: [String: String] = [:], externalURL: String = "",
                                  query: TemplateQueryFunction? = nil) throws(RuleEvaluationError) -> String? {
        var templateError: String?
        var seen = Set<Labels>()
        var results: [Labels: (annotations: Labels, value: Double)] = [:]
        for sample in vector {
            var labelMap: [String: String] = [:]
            for label in sample.labels where label.name != Labels.metricName { labelMap[label.name] = label.value }
            let data = TemplateData(labels: labelMap, externalLabels: externalLabels, externalURL: externalURL, value: sample.sample.value)
            func expand(_ template: AlertTemplate) -> String {
                do {
                    return try template.render(data, query: query)
                } catch {
                    templateError = templateError ?? "\(error)"
                    return template.text
                }
            }
            var labels = labelMap
            for (name, template) in definition.labels { labels[name] = expand(template) }
            labels["alertname"] = definition.name
            var annotations: [String: String] = [:]
            for (name, template) in definition.annotations { annotations[name] = expand(template) }
            let key = Labels(labels.filter { !$0.value.isEmpty })
            guard seen.insert(key).inserted else {
                throw RuleEvaluationError("vector contains metrics with the same labelset after applying alert labels")
            }
            results[key] = (Labels(annotations), sample.sample.value)
        }

        for (labels, result) in results {
            if var alert = alerts[labels], alert.state != .inactive {
                alert.value = result.value
                alert.annotations = result.annotations
                alert.keepFiringSince = nil
                alerts[labels] = alert
                continue
            }
            alerts[labels] = Alert(labels: labels, annotations: result.annotations, state: .pending, value: result.value, activeAt: ts)
        }

        for (labels, var alert) in alerts where results[labels] == nil {
            if alert.state == .firing, keepFiringFor > 0 {
                let since = alert.keepFiringSince ?? ts
                alert.keepFiringSince = since
                if ts - since < keepFiringFor {
                    alerts[labels] = alert
                    continue
                }
            }
            if alert.state == .pending || (alert.resolvedAt.map { ts - $0 > Self.resolvedRetention } ?? false) {
                alerts[labels] = nil
                continue
            }
            if alert.state != .inactive {
                alert.state = .inactive
                alert.resolvedAt = ts
                alert.keepFiringSince = nil
            }
            alerts[labels] = alert
        }

        let active = alerts.values.filter { $0.state != .inactive }.count
        if limit > 0, active > limit {
            alerts = [:]
            throw RuleEvaluationError("exceeded limit of \(limit) with \(active) alerts")
        }

        for (labels, var alert) in alerts where alert.state == .pending && ts - alert.activeAt >= holdDuration {
            alert.state = .firing
            alert.firedAt = ts
            alerts[labels] = alert
        }
        return templateError
    }

    /// The `ALERTS` and `ALERTS_FOR_STATE` samples this evaluation writes.
    public func stateSeries(at ts: Int64) -> [(labels: Labels, value: Double)] {
        var out: [(labels: Labels, value: Double)] = []
        for alert in alerts.values where alert.state != .inactive {
            out.append((alert.labels.setting(Labels.metricName, to: "ALERTS").setting("alertstate", to: alert.state.rawValue), 1))
            out.append((alert.labels.setting(Labels.metricName, to: "ALERTS_FOR_STATE"), Double(alert.activeAt) / 1000))
        }
        return out
    }

    /// After a restart: an alert pending or firing before it takes back its `activeAt` from the
    /// last `ALERTS_FOR_STATE` sample (value `activeAt`, written at `lastWrittenAt`), shifted by
    /// the time Lookout was down, so the wait it had already done still counts: a `for: 10m`
    /// alert that was pending for 8 minutes fires 2 minutes after the restart.
    public mutating func restore(labels: Labels, activeAt: Int64, lastWrittenAt: Int64, now: Int64) {
        guard var alert = alerts[labels], alert.state == .pending else { return }
        let pendingFor = max(0, lastWrittenAt - activeAt)
        if pendingFor >= holdDuration {
            alert.activeAt = activeAt
            alert.state = .firing
            alert.firedAt = now
        } else {
            alert.activeAt = now - pendingFor
        }
        alerts[labels] = alert
    }

    /// The alerts the notifier should hear about at `ts`, as Prometheus's `sendAlerts`: firing
    /// ones at most every `resendDelay`, and resolved ones once (with their resolve time).
    public mutating func notifications(at ts: Int64, resendDelay: Int64, interval: Int64, generatorURL: String) -> [AlertNotification] {
        var out: [AlertNotification] = []
        for (labels, var alert) in alerts where alert.state != .pending {
            let needs: Bool
            if let resolvedAt = alert.resolvedAt, alert.state == .inactive {
                needs = (alert.lastSentAt ?? Int64.min) < resolvedAt
            } else {
                needs = alert.lastSentAt.map { $0 + resendDelay <= ts } ?? true
            }
            guard needs else { continue }
            let endsAt = alert.state == .inactive ? (alert.resolvedAt ?? ts) : ts + 4 * max(resendDelay, interval)
            out.append(AlertNotification(labels: labels, annotations: alert.annotations, startsAt: alert.firedAt ?? alert.activeAt,
                                         endsAt: endsAt, generatorURL: generatorURL))
            alert.lastSentAt = ts
            alerts[labels] = alert
        }
        return out.sorted { $0.labels < $1.labels }
    }
}

/// A rule evaluation that failed: shown on the rule (`lastError`) and counted.
public struct RuleEvaluationError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
