import LookoutYAML
import Testing
@testable import LookoutRules

@Suite struct RuleFileParserTests {
    func parse(_ text: String) throws -> [RuleGroup] {
        try RuleFileParser.parse(text, file: "rules.yaml", defaultInterval: 60_000)
    }

    func error(_ text: String) -> String {
        do {
            _ = try parse(text)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func readsGroupsRecordingAndAlertingRules() throws {
        let groups = try parse("""
        groups:
          - name: api
            interval: 30s
            limit: 10
            query_offset: 1m
            labels: {team: payments}
            rules:
              - record: job:http_requests:rate5m
                expr: sum by (job) (rate(http_requests_total[5m]))
              - alert: HighErrorRate
                expr: job:http_errors:ratio > 0.05
                for: 10m
                keep_firing_for: 5m
                labels: {severity: page}
                annotations:
                  summary: "{{ $labels.job }} errors at {{ $value | humanizePercentage }}"
          - name: other
            rules: []
        """)
        #expect(groups.count == 2)
        let api = groups[0]
        #expect(api.name == "api" && api.interval == 30_000 && api.limit == 10 && api.queryOffset == 60_000)
        #expect(api.rules[0].kind == .recording && api.rules[0].name == "job:http_requests:rate5m")
        #expect(api.rules[0].labels.map(\.name) == ["team"])
        #expect(api.rules[1].kind == .alerting(holdDuration: 600_000, keepFiringFor: 300_000))
        #expect(api.rules[1].labels.map(\.name) == ["severity", "team"])
        #expect(api.rules[1].annotations.map(\.name) == ["summary"])
        #expect(groups[1].interval == 60_000)
    }

    @Test func refusesWhatPromtoolRefuses() {
        #expect(error("groups:\n  - name: a\n    rules:\n      - record: x\n        expr: sum(\n")
            .hasPrefix("rules.yaml:5:15: group \"a\", rule 1, \"x\": could not parse expression: "))
        #expect(error("groups:\n  - name: a\n    rules:\n      - record: x\n        alert: y\n        expr: up\n")
            == "rules.yaml:4:9: group \"a\", rule 1, \"x\": only one of 'record' and 'alert' must be set")
        #expect(error("groups:\n  - name: a\n    rules:\n      - expr: up\n")
            == "rules.yaml:4:9: group \"a\", rule 1, \"\": one of 'record' or 'alert' must be set")
        #expect(error("groups:\n  - name: a\n    rules:\n      - record: 'bad name'\n        expr: up\n")
            == "rules.yaml:4:9: group \"a\", rule 1, \"bad name\": invalid recording rule name: bad name")
        #expect(error("groups:\n  - name: a\n    rules:\n      - record: x\n        expr: up\n        for: 5m\n")
            == "rules.yaml:4:9: group \"a\", rule 1, \"x\": invalid field 'for' in recording rule")
        #expect(error("groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: up\n        annotations: {s: '{{ $value | nope }}'}\n")
            == "rules.yaml:6:22: group \"a\", rule 1, \"X\": msg=\"template: __alert_X:1: function \"nope\" not defined\"")
        #expect(error("groups:\n  - name: a\n    rules: []\n  - name: a\n    rules: []\n")
            == "rules.yaml:4:5: groupname: \"a\" is repeated in the same file")
        #expect(error("groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: up\n        lables: {}\n")
            == "rules.yaml:6:9: unknown key \"lables\" in a rule")
        #expect(error("groups:\n  - rules: []\n") == "rules.yaml:2:5: Groupname must not be empty")
        #expect(error("groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: up\n        labels: {'1x': y}\n")
            == "rules.yaml:6:17: invalid label name: 1x")
    }
}
