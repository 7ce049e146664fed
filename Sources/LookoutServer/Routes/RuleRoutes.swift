import Foundation
import Hummingbird
import LookoutFormats
import LookoutModel
import LookoutRules

/// `/api/v1/rules` and `/api/v1/alerts` in Prometheus's shapes (Grafana's Prometheus data source
/// and alert list read them), and `POST /-/reload`.
struct RuleRoutes {
    let runtime: LookoutRuntime

    var endpoints: [APIEndpoint] {
        [
            APIEndpoint(methods: [.get, .post], path: "/api/v1/rules", role: .query, handler: .api { call throws(APIError) in
                try rules(call.params)
            }),
            APIEndpoint(methods: [.get, .post], path: "/api/v1/alerts", role: .query, handler: .api { _ in
                PrometheusAPIRoutes.success { alerts(&$0) }
            }),
            APIEndpoint(methods: [.get], path: "/api/v1/slos", role: .query, handler: .api { _ throws(APIError) in
                try slos()
            }),
            APIEndpoint(methods: [.post, .put], path: "/-/reload", role: .admin, handler: .plain {
                if let error = runtime.reload() {
                    return HealthRoutes.text("failed to reload config: \(error)\n", status: .internalServerError)
                }
                return HealthRoutes.text("")
            }),
        ]
    }

    /// Every SLO with its objective, SLI now, budget remaining over its period, burn rate over
    /// each alert window and the state of its page and ticket alerts: for the terminal UI and scripts.
    func slos() throws(APIError) -> APIReply {
        let engine = try PrometheusAPIRoutes(runtime: runtime).engine(timeout: nil, budget: nil)
        let now = WallClock.nowMilliseconds()
        let alerts = snapshots.flatMap { $0.alerts.flatMap { $0 } }.filter { $0.state != .inactive }
        func value(_ query: String) -> Double? {
            guard case .vector(let samples)? = try? engine.instant(query, at: now), let first = samples.first,
                  first.sample.value.isFinite else { return nil }
            return first.sample.value
        }
        func number(_ w: inout JSONWriter, _ key: String, _ v: Double?) {
            w.key(key)
            if let v { w.raw(PromNumber.format(v)) } else { w.raw("null") }
        }
        return PrometheusAPIRoutes.success { w in
            w.object { w in
                w.key("slos")
                w.array { w in
                    for spec in runtime.slos {
                        for slo in spec.slos {
                            let id = SLORuleGenerator.id(spec, slo)
                            let selector = "{sloth_id=\"\(Labels.escape(id))\"}"
                            let windows = BurnRateWindows(periodDays: slo.periodDays)
                            let current = value("slo:sli_error:ratio_rate\(windowText(windows.base))\(selector)")
                            w.object { w in
                                w.field("id", id)
                                w.field("service", spec.service)
                                w.field("name", slo.name)
                                w.field("description", slo.description)
                                w.key("objective"); w.raw(PromNumber.format(slo.objectiveRatio))
                                w.field("period", windowText(windows.period))
                                number(&w, "sli", current.map { 1 - $0 })
                                number(&w, "errorBudgetRemaining", value("slo:period_error_budget_remaining:ratio\(selector)"))
                                w.key("burnRates")
                                w.object { w in
                                    for window in windows.all {
                                        number(&w, windowText(window),
                                               value("slo:sli_error:ratio_rate\(windowText(window))\(selector)").map { $0 / slo.errorBudget })
                                    }
                                }
                                w.key("alerts")
                                w.array { w in
                                    for severity in ["page", "ticket"] where !(severity == "page" ? slo.page : slo.ticket).disabled {
                                        let state = alerts.first { $0.labels["sloth_id"] == id && $0.labels["sloth_severity"] == severity }?.state
                                        w.object { w in
                                            w.field("name", slo.alertName)
                                            w.field("severity", severity)
                                            w.field("state", state?.rawValue ?? "inactive")
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    var snapshots: [RuleGroupSnapshot] { runtime.ruleManager?.runners.map(\.snapshot) ?? [] }

    func rules(_ params: APIParameters) throws(APIError) -> APIReply {
        let type = params["type"]
        guard type == nil || type == "alert" || type == "record" else {
            throw .badData("unsupported type \"\(type!)\": use alert or record")
        }
        let ruleNames = Set(params.all("rule_name[]")), groupNames = Set(params.all("group_name[]")), files = Set(params.all("file[]"))
        return PrometheusAPIRoutes.success { writer in
            writer.object { writer in
                writer.key("groups")
                writer.array { writer in
                    for snapshot in snapshots {
                        let group = snapshot.group
                        if !groupNames.isEmpty && !groupNames.contains(group.name) { continue }
                        if !files.isEmpty && !files.contains(group.file) { continue }
                        let indices = group.rules.indices.filter { i in
                            let rule = group.rules[i]
                            if type == "alert" && !rule.isAlerting { return false }
                            if type == "record" && rule.isAlerting { return false }
                            return ruleNames.isEmpty || ruleNames.contains(rule.name)
                        }
                        if indices.isEmpty && (type != nil || !ruleNames.isEmpty) { continue }
                        writer.object { writer in
                            writer.field("name", group.name)
                            writer.field("file", group.file)
                            writer.key("interval"); writer.raw(PromNumber.format(Double(group.interval) / 1000))
                            writer.field("limit", group.limit)
                            writer.key("rules")
                            writer.array { writer in
                                for i in indices { rule(&writer, group.rules[i], snapshot.health[i], snapshot.alerts[i]) }
                            }
                            writer.key("evaluationTime"); writer.raw(PromNumber.format(snapshot.evaluationSeconds))
                            writer.field("lastEvaluation", Self.time(snapshot.lastEvaluation))
                        }
                    }
                }
            }
        }
    }

    func rule(_ writer: inout JSONWriter, _ rule: RuleDefinition, _ health: RuleHealth, _ alerts: [Alert]) {
        writer.object { writer in
            writer.field("name", rule.name)
            writer.field("query", rule.exprText)
            if case .alerting(let hold, let keep) = rule.kind {
                writer.key("duration"); writer.raw(PromNumber.format(Double(hold) / 1000))
                writer.key("keepFiringFor"); writer.raw(PromNumber.format(Double(keep) / 1000))
                writer.key("labels"); writer.labels(Labels(rule.labels.map { Label($0.name, $0.template.text) }))
                writer.key("annotations"); writer.labels(Labels(rule.annotations.map { Label($0.name, $0.template.text) }))
                writer.key("alerts")
                writer.array { writer in
                    for alert in alerts where alert.state != .inactive { Self.alert(&writer, alert) }
                }
                let state = alerts.contains { $0.state == .firing } ? "firing" : alerts.contains { $0.state == .pending } ? "pending" : "inactive"
                writer.field("state", state)
                writer.field("type", "alerting")
            } else {
                writer.key("labels"); writer.labels(Labels(rule.labels.map { Label($0.name, $0.template.text) }))
                writer.field("type", "recording")
            }
            writer.field("health", health.health.rawValue)
            if let error = health.lastError { writer.field("lastError", error) }
            writer.key("evaluationTime"); writer.raw(PromNumber.format(health.evaluationSeconds))
            writer.field("lastEvaluation", Self.time(health.lastEvaluation))
        }
    }

    func alerts(_ writer: inout JSONWriter) {
        writer.object { writer in
            writer.key("alerts")
            writer.array { writer in
                for snapshot in snapshots {
                    for alerts in snapshot.alerts {
                        for alert in alerts where alert.state != .inactive { Self.alert(&writer, alert) }
                    }
                }
            }
        }
    }

    static func alert(_ writer: inout JSONWriter, _ alert: Alert) {
        writer.object { writer in
            writer.key("labels"); writer.labels(alert.labels)
            writer.key("annotations"); writer.labels(alert.annotations)
            writer.field("state", alert.state.rawValue)
            writer.field("activeAt", RFC3339.format(alert.activeAt))
            if let keep = alert.keepFiringSince { writer.field("keepFiringSince", RFC3339.format(keep)) }
            writer.field("value", PromNumber.formatShortest(alert.value))
        }
    }

    /// Prometheus's zero time for a rule never evaluated.
    static func time(_ ms: Int64?) -> String {
        ms.map(RFC3339.format) ?? "0001-01-01T00:00:00Z"
    }
}
