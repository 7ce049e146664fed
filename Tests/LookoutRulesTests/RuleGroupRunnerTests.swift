import LookoutModel
import LookoutQuery
import Synchronization
import Testing
@testable import LookoutRules

final class RecordingSink: AlertSink {
    let received = Mutex<[AlertNotification]>([])
    func send(_ alerts: [AlertNotification]) async { received.withLock { $0 += alerts } }
}

@Suite struct RuleGroupRunnerTests {
    let minute: Int64 = 60_000

    /// Evaluation times from `start` to `end`, a minute apart.
    static func minutes(_ start: Int64, _ end: Int64) -> [Int64] {
        Array(sequence(first: start) { $0 + 60_000 }.prefix { $0 <= end })
    }

    func group(_ text: String) throws -> RuleGroup {
        try RuleFileParser.parse(text, file: "r.yaml", defaultInterval: 60_000)[0]
    }

    @Test func recordsSeriesAndMarksVanishedOnesStale() async throws {
        let store = InMemoryMetricStore()
        _ = try await store.append([(["__name__": "requests_total", "job": "a"], Sample(0, 1)),
                                    (["__name__": "requests_total", "job": "b"], Sample(0, 2))])
        let runner = RuleGroupRunner(group: try group("""
        groups:
          - name: g
            labels: {team: t}
            rules:
              - record: job:requests:sum
                expr: sum by (job) (requests_total)
              - record: all:requests:sum
                expr: sum(job:requests:sum)
        """))
        let context = RuleContext(querier: store, appender: store)
        await runner.evaluate(at: minute, context: context)
        let recorded = try store.select([.equal("__name__", "job:requests:sum")], start: 0, end: minute)
        #expect(recorded.map(\.labels) == [["__name__": "job:requests:sum", "job": "a", "team": "t"],
                                           ["__name__": "job:requests:sum", "job": "b", "team": "t"]])
        // The second rule sees the first one's output of this same evaluation.
        let total = try store.select([.equal("__name__", "all:requests:sum")], start: 0, end: minute)
        #expect(total.first?.samples == [Sample(minute, 3)])
        #expect(runner.snapshot.health.map(\.health) == [.ok, .ok])

        // job="b" goes away (its input is older than the lookback): its recorded series goes stale.
        _ = try await store.append([(["__name__": "requests_total", "job": "a"], Sample(5 * minute, 1))])
        await runner.evaluate(at: 6 * minute, context: context)
        let b = try store.select([.equal("__name__", "job:requests:sum"), .equal("job", "b")], start: 0, end: 6 * minute)
        #expect(b.first?.samples.last.map { StaleMarker.isStale($0.value) } == true)
    }

    @Test func alertsWriteStateSeriesAndReachTheSink() async throws {
        let store = InMemoryMetricStore()
        let sink = RecordingSink()
        let runner = RuleGroupRunner(group: try group("""
        groups:
          - name: g
            rules:
              - alert: Down
                expr: up == 0
                for: 2m
                annotations: {summary: "{{ $labels.instance }} down"}
        """))
        let context = RuleContext(querier: store, appender: store, externalLabels: ["cluster": "eu1"], sink: sink)
        for t in Self.minutes(Int64(0), 3 * minute) {
            _ = try await store.append([(["__name__": "up", "instance": "x"], Sample(t, 0))])
            await runner.evaluate(at: t, context: context)
        }
        let alerts = try store.select([.equal("__name__", "ALERTS")], start: 0, end: 3 * minute)
        #expect(alerts.map { $0.labels["alertstate"] } == ["firing", "pending"])
        let sent = sink.received.withLock { $0 }
        // Fired at 2m, re-sent a resend delay later with the same start.
        #expect(sent.map(\.startsAt) == [2 * minute, 2 * minute])
        #expect(sent.map(\.endsAt) == [6 * minute, 7 * minute])
        #expect(sent.first?.labels == ["alertname": "Down", "cluster": "eu1", "instance": "x"])
        #expect(sent.first?.annotations["summary"] == "x down")
        #expect(sent.first?.startsAt == 2 * minute)
    }

    @Test func restartRestoresPendingTime() async throws {
        let store = InMemoryMetricStore()
        let text = """
        groups:
          - name: g
            rules:
              - alert: Slow
                expr: latency > 1
                for: 10m
        """
        let context = RuleContext(querier: store, appender: store)
        let before = RuleGroupRunner(group: try group(text))
        for t in Self.minutes(Int64(0), 8 * minute) {
            _ = try await store.append([(["__name__": "latency"], Sample(t, 2))])
            await before.evaluate(at: t, context: context)
        }
        // "Restart" at 9m: a new runner over the same store.
        let after = RuleGroupRunner(group: try group(text))
        var states: [Int64: Alert.State] = [:]
        for t in Self.minutes(Int64(9) * minute, 11 * minute) {
            _ = try await store.append([(["__name__": "latency"], Sample(t, 2))])
            await after.evaluate(at: t, context: context)
            states[t] = after.snapshot.alerts[0].first?.state
        }
        #expect(states == [9 * minute: .pending, 10 * minute: .pending, 11 * minute: .firing])
    }

    @Test func failingRuleIsReportedNotThrown() async throws {
        let store = InMemoryMetricStore()
        let runner = RuleGroupRunner(group: try group("""
        groups:
          - name: g
            rules:
              - record: x
                expr: '"not a vector"'
        """))
        await runner.evaluate(at: 0, context: RuleContext(querier: store, appender: store))
        #expect(runner.snapshot.health[0].health == .err)
        #expect(runner.snapshot.health[0].lastError == "rule result is not a vector or scalar")
        #expect(runner.snapshot.failures == 1)
    }
}
