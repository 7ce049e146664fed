import Foundation
import Logging
import LookoutModel
import Synchronization

/// Runs every rule group on its interval, as Prometheus's rule manager: one task per group,
/// evaluations aligned to the interval, overruns counted as missed iterations. `update` swaps
/// in new groups (a reload), carrying each surviving group's alert state.
public final class RuleManager: Sendable {
    let context: RuleContext
    let logger: Logger
    private let state = Mutex<(runners: [RuleGroupRunner], tasks: [Task<Void, Never>], running: Bool)>(([], [], false))

    public init(context: RuleContext, logger: Logger) {
        self.context = context
        self.logger = logger
    }

    public var runners: [RuleGroupRunner] { state.withLock { $0.runners } }

    /// Replaces the groups. Groups are matched by file and name; a match keeps its alerts.
    public func update(groups: [RuleGroup]) {
        let old = state.withLock { s in Dictionary(s.runners.map { ($0.group.key, $0) }, uniquingKeysWith: { a, _ in a }) }
        let hadRunners = !old.isEmpty
        let runners = groups.map { RuleGroupRunner(group: $0, previous: old[$0.key], restoreOnFirstEvaluation: !hadRunners || old[$0.key] == nil) }
        let (previousTasks, running) = state.withLock { s in
            let tasks = s.tasks
            s.runners = runners
            s.tasks = []
            return (tasks, s.running)
        }
        previousTasks.forEach { $0.cancel() }
        if running { startTasks() }
    }

    /// Evaluates until cancelled.
    public func run() async {
        state.withLock { $0.running = true }
        startTasks()
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(3600))
        }
        let tasks = state.withLock { s in
            s.running = false
            return s.tasks
        }
        tasks.forEach { $0.cancel() }
    }

    private func startTasks() {
        state.withLock { s in
            s.tasks.forEach { $0.cancel() }
            s.tasks = s.runners.map { runner in
                Task { [context, logger] in await Self.loop(runner, context: context, logger: logger) }
            }
        }
    }

    /// Evaluates now, then at every multiple of the interval.
    static func loop(_ runner: RuleGroupRunner, context: RuleContext, logger: Logger) async {
        let interval = max(1, runner.group.interval)
        var next = WallClock.nowMilliseconds()
        while !Task.isCancelled {
            await runner.evaluate(at: next, context: context)
            let now = WallClock.nowMilliseconds()
            let following = (now / interval + 1) * interval
            let missed = Int((following - next) / interval) - 1
            if missed > 0 {
                runner.countMissed(missed)
                logger.warning("rule group evaluation took longer than its interval",
                               metadata: ["group": "\(runner.group.name)", "file": "\(runner.group.file)", "missed": "\(missed)"])
            }
            next = following
            try? await Task.sleep(for: .milliseconds(max(0, following - WallClock.nowMilliseconds())))
        }
    }

    /// Evaluates every group once at `ts`, in order; for tests and `lookout test rules`.
    public func evaluateAll(at ts: Int64) async {
        for runner in runners { await runner.evaluate(at: ts, context: context) }
    }

    /// `lookout_rule_*` families, named as Prometheus's `prometheus_rule_*`.
    public func selfMetrics() -> [MetricFamily] {
        let snapshots = runners.map(\.snapshot)
        func family(_ name: String, _ type: MetricType, _ help: String, _ value: (RuleGroupSnapshot) -> Double) -> MetricFamily {
            MetricFamily(name, type, help: help, samples: snapshots.map { s in
                (Labels([Labels.metricName: name, "rule_group": s.group.key]), value(s))
            })
        }
        return [
            family("lookout_rule_evaluations_total", .counter, "The total number of rule evaluations.") {
                Double($0.evaluations * $0.group.rules.count)
            },
            family("lookout_rule_evaluation_failures_total", .counter, "The total number of rule evaluation failures.") { Double($0.failures) },
            family("lookout_rule_group_iterations_total", .counter, "The total number of scheduled rule group evaluations.") {
                Double($0.evaluations + $0.missedIterations)
            },
            family("lookout_rule_group_iterations_missed_total", .counter,
                   "The total number of rule group evaluations missed due to slow rule group evaluation.") { Double($0.missedIterations) },
            family("lookout_rule_group_last_duration_seconds", .gauge, "The duration of the last rule group evaluation.") { $0.evaluationSeconds },
            family("lookout_rule_group_last_evaluation_timestamp_seconds", .gauge,
                   "The timestamp of the last rule group evaluation in seconds.") { Double($0.lastEvaluation ?? 0) / 1000 },
            family("lookout_rule_group_last_evaluation_samples", .gauge,
                   "The number of samples returned during the last rule group evaluation.") { Double($0.lastSamples) },
            family("lookout_rule_group_interval_seconds", .gauge, "The interval of a rule group.") { Double($0.group.interval) / 1000 },
            family("lookout_rule_group_rules", .gauge, "The number of rules.") { Double($0.group.rules.count) },
        ]
    }
}
