import LookoutModel
import LookoutQuery
import Testing
@testable import LookoutRules

@Suite struct AlertingRuleTests {
    static func rule(for hold: Int64 = 600_000, keepFiringFor: Int64 = 0) throws -> AlertingRule {
        AlertingRule(RuleDefinition(
            name: "HighErrors", kind: .alerting(holdDuration: hold, keepFiringFor: keepFiringFor),
            expr: try PromQLParser.parse("errors > 1"), exprText: "errors > 1",
            labels: [("severity", try AlertTemplate("page"))],
            annotations: [("summary", try AlertTemplate("{{ $labels.job }} at {{ $value }}"))]))
    }

    let result = [InstantSample(labels: ["__name__": "errors", "job": "api"], sample: Sample(0, 5))]
    let key: Labels = ["alertname": "HighErrors", "job": "api", "severity": "page"]
    let minute: Int64 = 60_000

    @Test func pendingThenFiringThenResolved() throws {
        var rule = try Self.rule()
        try rule.evaluate(result, at: 0)
        #expect(rule.alerts[key]?.state == .pending)
        #expect(rule.alerts[key]?.annotations["summary"] == "api at 5")
        #expect(rule.stateSeries(at: 0).map { $0.labels.name ?? "" }.sorted() == ["ALERTS", "ALERTS_FOR_STATE"])
        #expect(rule.notifications(at: 0, resendDelay: minute, interval: minute, generatorURL: "").isEmpty)
        try rule.evaluate(result, at: 9 * minute)
        #expect(rule.alerts[key]?.state == .pending)
        try rule.evaluate(result, at: 10 * minute)
        #expect(rule.alerts[key]?.state == .firing)
        let firing = rule.notifications(at: 10 * minute, resendDelay: minute, interval: minute, generatorURL: "")
        #expect(firing.count == 1 && firing[0].startsAt == 10 * minute && firing[0].endsAt == 14 * minute)
        // Re-sent at most once per resend delay.
        #expect(rule.notifications(at: 10 * minute + 30_000, resendDelay: minute, interval: minute, generatorURL: "").isEmpty)
        try rule.evaluate([], at: 12 * minute)
        #expect(rule.alerts[key]?.state == .inactive)
        #expect(rule.stateSeries(at: 12 * minute).isEmpty)
        let resolved = rule.notifications(at: 12 * minute, resendDelay: minute, interval: minute, generatorURL: "")
        #expect(resolved.count == 1 && resolved[0].endsAt == 12 * minute)
        // Forgotten once the resolved retention passes.
        try rule.evaluate([], at: 28 * minute)
        #expect(rule.alerts.isEmpty)
    }

    @Test func pendingAlertThatVanishesIsDropped() throws {
        var rule = try Self.rule()
        try rule.evaluate(result, at: 0)
        try rule.evaluate([], at: minute)
        #expect(rule.alerts.isEmpty)
    }

    @Test func keepFiringFor() throws {
        var rule = try Self.rule(for: 0, keepFiringFor: 5 * minute)
        try rule.evaluate(result, at: 0)
        #expect(rule.alerts[key]?.state == .firing)
        try rule.evaluate([], at: minute)
        #expect(rule.alerts[key]?.state == .firing && rule.alerts[key]?.keepFiringSince == minute)
        try rule.evaluate([], at: 5 * minute)
        #expect(rule.alerts[key]?.state == .firing)
        try rule.evaluate([], at: 6 * minute)
        #expect(rule.alerts[key]?.state == .inactive)
    }

    @Test func limitAndDuplicateLabelSets() throws {
        var rule = try Self.rule(for: 0)
        let two = [InstantSample(labels: ["job": "a"], sample: Sample(0, 2)), InstantSample(labels: ["job": "b"], sample: Sample(0, 3))]
        #expect(throws: RuleEvaluationError.self) { try rule.evaluate(two, at: 0, limit: 1) }
        #expect(rule.alerts.isEmpty)
        let clash = [InstantSample(labels: ["__name__": "a", "job": "x"], sample: Sample(0, 2)),
                     InstantSample(labels: ["__name__": "b", "job": "x"], sample: Sample(0, 3))]
        #expect(throws: RuleEvaluationError.self) { try rule.evaluate(clash, at: 0) }
    }

    @Test func restoreCountsTheTimeAlreadyPending() throws {
        var rule = try Self.rule()
        // Pending since 0 when Lookout went down at 8m; back at 20m.
        try rule.evaluate(result, at: 20 * minute)
        rule.restore(labels: key, activeAt: 0, lastWrittenAt: 8 * minute, now: 20 * minute)
        try rule.evaluate(result, at: 21 * minute)
        #expect(rule.alerts[key]?.state == .pending)
        try rule.evaluate(result, at: 22 * minute)
        #expect(rule.alerts[key]?.state == .firing)
        // One that had fired fires again at once.
        var fired = try Self.rule()
        try fired.evaluate(result, at: 20 * minute)
        fired.restore(labels: key, activeAt: 0, lastWrittenAt: 15 * minute, now: 20 * minute)
        #expect(fired.alerts[key]?.state == .firing && fired.alerts[key]?.activeAt == 0)
    }
}
