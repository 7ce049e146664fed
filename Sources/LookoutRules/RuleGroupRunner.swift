import Foundation
import LookoutModel
import LookoutQuery
import Synchronization

/// What rule evaluation reads, writes and tells: the metric store by its contracts, the query
/// limits, the external labels and URL, and the notifier.
public struct RuleContext: Sendable {
    public var querier: any MetricQuerier
    public var appender: any MetricAppender
    public var queryOptions: QueryOptions
    public var externalLabels: [String: String]
    public var externalURL: String
    public var sink: (any AlertSink)?
    /// Prometheus's `rules.alert.resend-delay`: firing alerts are re-sent at most this often.
    public var resendDelay: Int64 = 60_000

    public init(querier: any MetricQuerier, appender: any MetricAppender, queryOptions: QueryOptions = .init(),
                externalLabels: [String: String] = [:], externalURL: String = "", sink: (any AlertSink)? = nil) {
        self.querier = querier
        self.appender = appender
        self.queryOptions = queryOptions
        self.externalLabels = externalLabels
        self.externalURL = externalURL
        self.sink = sink
    }
}

/// How a rule's last evaluation went, for `/api/v1/rules`.
public struct RuleHealth: Sendable {
    public enum Health: String, Sendable { case ok, err, unknown }
    public var health: Health = .unknown
    public var lastError: String?
    public var lastEvaluation: Int64?
    public var evaluationSeconds: Double = 0
}

/// A group's state as the APIs and `/metrics` read it.
public struct RuleGroupSnapshot: Sendable {
    public var group: RuleGroup
    public var health: [RuleHealth]
    /// Alerts of each rule (empty for recording rules).
    public var alerts: [[Alert]]
    public var lastEvaluation: Int64?
    public var evaluationSeconds: Double = 0
    public var evaluations = 0
    public var failures = 0
    public var missedIterations = 0
    public var lastSamples = 0
}

/// Evaluates one rule group in order, writing recording rules' series and `ALERTS`/`ALERTS_FOR_STATE`
/// (with stale markers for series that vanish), and sending alerts. One task drives it, so
/// evaluation state is its own; the APIs read the snapshot published after each evaluation.
public final class RuleGroupRunner: Sendable {
    public let group: RuleGroup
    private let published: Mutex<RuleGroupSnapshot>
    private let working: Mutex<WorkingState>

    struct WorkingState: Sendable {
        var alerting: [Int: AlertingRule] = [:]
        var previousSeries: [Int: Set<Labels>] = [:]
        /// Set on a start (not on a reload): the first evaluation restores `for` state.
        var needsRestore: Bool
    }

    /// `previous`: the same group before a reload, whose alert state carries over rule by rule.
    public init(group: RuleGroup, previous: RuleGroupRunner? = nil, restoreOnFirstEvaluation: Bool = true) {
        self.group = group
        var state = WorkingState(needsRestore: previous == nil && restoreOnFirstEvaluation)
        let old = previous?.working.withLock { $0 }
        for (index, rule) in group.rules.enumerated() where rule.isAlerting {
            var alerting = AlertingRule(rule)
            if let old, let match = old.alerting.values.first(where: { $0.definition.name == rule.name }) {
                alerting.inherit(match)
            }
            state.alerting[index] = alerting
        }
        if let old { state.previousSeries = old.previousSeries }
        working = Mutex(state)
        published = Mutex(RuleGroupSnapshot(group: group, health: Array(repeating: RuleHealth(), count: group.rules.count),
                                            alerts: Array(repeating: [], count: group.rules.count)))
        if let previous {
            let counts = previous.snapshot
            published.withLock {
                $0.evaluations = counts.evaluations
                $0.failures = counts.failures
                $0.missedIterations = counts.missedIterations
            }
        }
    }

    public var snapshot: RuleGroupSnapshot { published.withLock { $0 } }

    func countMissed(_ n: Int) {
        published.withLock { $0.missedIterations += n }
    }

    /// Evaluates every rule at `ts` (ms; the group's `query_offset` is applied to queries).
    public func evaluate(at ts: Int64, context: RuleContext) async {
        let started = Date()
        var state = working.withLock { $0 }
        var snapshot = published.withLock { $0 }
        let engine = QueryEngine(querier: context.querier, options: context.queryOptions)
        let queryTime = ts - group.queryOffset
        var samplesWritten = 0
        for (index, rule) in group.rules.enumerated() {
            let ruleStarted = Date()
            var health = RuleHealth(health: .ok, lastEvaluation: ts)
            do {
                let value = try engine.instant(rule.expr, at: queryTime)
                var series: [(labels: Labels, value: Double)]
                if var alerting = state.alerting[index] {
                    let vector = try Self.vector(value, rule: rule)
                    let query: TemplateQueryFunction = { text in
                        guard case .vector(let result) = try engine.instant(text, at: queryTime) else { return [] }
                        return result
                    }
                    if let templateError = try alerting.evaluate(vector, at: ts, limit: group.limit, externalLabels: context.externalLabels,
                                                                 externalURL: context.externalURL, query: query) {
                        health.health = .err
                        health.lastError = templateError
                    }
                    if state.needsRestore, alerting.holdDuration > 0 {
                        try restore(&alerting, at: ts, querier: context.querier)
                    }
                    series = alerting.stateSeries(at: ts)
                    state.alerting[index] = alerting
                } else {
                    series = try Self.recorded(value, rule: rule)
                    if group.limit > 0, series.count > group.limit {
                        throw RuleEvaluationError("exceeded limit of \(group.limit) with \(series.count) series")
                    }
                }
                samplesWritten += try await write(series, index: index, at: ts, state: &state, context: context)
            } catch {
                health.health = .err
                health.lastError = "\(error)"
                snapshot.failures += 1
                // Series of a failing rule go stale, as Prometheus's do.
                _ = try? await write([], index: index, at: ts, state: &state, context: context)
            }
            health.evaluationSeconds = Date().timeIntervalSince(ruleStarted)
            snapshot.health[index] = health
            snapshot.alerts[index] = state.alerting[index].map { $0.alerts.values.sorted { $0.labels < $1.labels } } ?? []
        }
        state.needsRestore = false
        var notifications: [AlertNotification] = []
        for index in state.alerting.keys.sorted() {
            let generatorURL = context.externalURL + "/graph?g0.expr=" + (group.rules[index].exprText.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? "")
            notifications += state.alerting[index]!.notifications(at: ts, resendDelay: context.resendDelay, interval: group.interval, generatorURL: generatorURL)
        }
        working.withLock { $0 = state }
        snapshot.lastEvaluation = ts
        snapshot.evaluationSeconds = Date().timeIntervalSince(started)
        snapshot.evaluations += 1
        snapshot.lastSamples = samplesWritten
        published.withLock { $0 = snapshot }
        if !notifications.isEmpty, let sink = context.sink {
            let external = context.externalLabels
            await sink.send(notifications.map { n in
                var n = n
                for (name, value) in external where n.labels[name] == nil { n.labels = n.labels.setting(name, to: value) }
                return n
            })
        }
    }

    static func vector(_ value: QueryValue, rule: RuleDefinition) throws -> [InstantSample] {
        switch value {
        case .vector(let samples): return samples
        case .scalar(let s): return [InstantSample(labels: .empty, sample: s)]
        default: throw RuleEvaluationError("rule result is not a vector or scalar")
        }
    }

    static func recorded(_ value: QueryValue, rule: RuleDefinition) throws -> [(labels: Labels, value: Double)] {
        var out: [(labels: Labels, value: Double)] = []
        var seen = Set<Labels>()
        for sample in try vector(value, rule: rule) {
            var labels = sample.labels.setting(Labels.metricName, to: rule.name)
            for (name, template) in rule.labels {
                labels = template.text.isEmpty ? labels.removing([name]) : labels.setting(name, to: template.text)
            }
            guard seen.insert(labels).inserted else {
                throw RuleEvaluationError("vector contains metrics with the same labelset after applying rule labels")
            }
            out.append((labels, sample.sample.value))
        }
        return out
    }

    /// Appends this evaluation's samples, and stale markers for the rule's series of the last
    /// evaluation that are gone; returns the number of samples written.
    private func write(_ series: [(labels: Labels, value: Double)], index: Int, at ts: Int64,
                       state: inout WorkingState, context: RuleContext) async throws -> Int {
        let current = Set(series.map(\.labels))
        var batch = series.map { (labels: $0.labels, sample: Sample(ts, $0.value)) }
        for gone in state.previousSeries[index, default: []] where !current.contains(gone) {
            batch.append((gone, Sample(ts, StaleMarker.value)))
        }
        state.previousSeries[index] = current
        guard !batch.isEmpty else { return 0 }
        _ = try await context.appender.append(batch)
        return series.count
    }

    /// Restores pending alerts' `activeAt` from `ALERTS_FOR_STATE` of the last hour.
    private func restore(_ rule: inout AlertingRule, at ts: Int64, querier: any MetricQuerier) throws {
        let matchers = [LabelMatcher.equal(Labels.metricName, "ALERTS_FOR_STATE"), LabelMatcher.equal("alertname", rule.definition.name)]
        for series in try querier.select(matchers, start: ts - 3_600_000, end: ts - 1) {
            guard let last = series.samples.last, !StaleMarker.isStale(last.value) else { continue }
            rule.restore(labels: series.labels.droppingMetricName, activeAt: Int64(last.value * 1000),
                         lastWrittenAt: last.timestamp, now: ts)
        }
    }
}
