import Foundation
import LookoutModel
import LookoutYAML
import Testing
@testable import LookoutNotify

@Suite struct AlertingConfigTests {
    static func parse(_ text: String, baseDirectory: String = ".") throws -> AlertingConfig {
        let reader = YAMLReader(file: "lookout.yaml")
        return try AlertingConfigParser.parse(try reader.compose(text)!, reader, baseDirectory: baseDirectory)
    }

    @Test func readsAnAlertmanagerBlock() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n".write(toFile: dir + "/secret", atomically: true, encoding: .utf8)
        try "R0UTINGKEY\n".write(toFile: dir + "/pd", atomically: true, encoding: .utf8)
        let config = try Self.parse("""
        route:
          receiver: default
          group_by: [alertname, service]
          group_wait: 10s
          routes:
            - matchers: ['severity="page"', 'service=~"pay.*"']
              receiver: oncall
              continue: true
              mute_time_intervals: [weekends]
            - match: {team: infra}
              receiver: default
              group_by: ['...']
        inhibit_rules:
          - source_matchers: [severity="page"]
            target_matchers: [severity="ticket"]
            equal: [service]
        time_intervals:
          - name: weekends
            time_intervals: [{weekdays: [saturday, sunday]}]
        receivers:
          - name: default
            webhook_configs: [{url: 'http://127.0.0.1:9/hook', hmac_secret_file: secret, max_alerts: 5, send_resolved: false}]
          - name: oncall
            pagerduty_configs: [{routing_key_file: pd, severity: critical, component: api}]
            alertmanager_configs: [{url: 'http://127.0.0.1:9093'}]
        """, baseDirectory: dir)
        #expect(config.route.groupBy == ["alertname", "service"] && config.route.groupWait == 10_000)
        #expect(config.route.routes[0].matchers.map(\.description) == ["severity=\"page\"", "service=~\"pay.*\""])
        #expect(config.route.routes[0].continue)
        #expect(config.inhibitRules[0].equal == ["service"])
        #expect(config.receivers[0].webhooks[0].hmacSecret == Array(Data(base64Encoded: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")!))
        #expect(config.receivers[0].webhooks[0].maxAlerts == 5 && !config.receivers[0].webhooks[0].sendResolved)
        #expect(config.receivers[1].pagerDuty[0].routingKey == "R0UTINGKEY" && config.receivers[1].pagerDuty[0].url == PagerDutyConfig.defaultURL)
        #expect(config.receivers[1].alertmanagers[0].url == "http://127.0.0.1:9093")
        // Saturday 2026-12-05 12:00 UTC is in the weekend interval; Friday is not.
        #expect(config.timeIntervals["weekends"]![0].contains(1_796_472_000_000))
        #expect(!config.timeIntervals["weekends"]![0].contains(1_796_385_600_000))

        // `continue` on the first route lets the second match too; without a match below, the root's receiver.
        #expect(config.route.match(["alertname": "X", "severity": "page", "service": "payments"]).map(\.receiver) == ["oncall"])
        let routes = config.route.match(["alertname": "X", "severity": "page", "service": "payments", "team": "infra"])
        #expect(routes.map(\.receiver) == ["oncall", "default"])
        #expect(config.route.match(["alertname": "Y"]).map(\.key) == ["{}"])
        #expect(routes[0].groupWait == 10_000 && routes[0].groupBy == ["alertname", "service"])
        #expect(config.route.match(["team": "infra"]).first?.groupBy == nil)
    }

    @Test func refusesBrokenBlocks() {
        func error(_ text: String) -> String {
            do { _ = try Self.parse(text); return "no error" } catch { return "\(error)" }
        }
        #expect(error("receivers: [{name: a}]\nroute: {receiver: b}\n") == "lookout.yaml:2:8: undefined receiver \"b\" used in route")
        #expect(error("receivers: [{name: a}]\nroute: {}\n") == "lookout.yaml:2:8: root route must specify a default receiver")
        #expect(error("route: {receiver: a, group_wait: soon}\nreceivers: [{name: a}]\n")
            .hasPrefix("lookout.yaml:1:34: invalid duration \"soon\" for group_wait"))
        #expect(error("receivers: [{name: a, webhook_configs: [{url: 'ftp://x'}]}]\nroute: {receiver: a}\n")
            .contains("url must be an http or https URL"))
        #expect(error("receivers: [{name: a, email_configs: []}]\n").contains("unknown key \"email_configs\""))
        #expect(error("route: {receiver: a, routes: [{matchers: ['a=~\"(\"']}]}\nreceivers: [{name: a}]\n").contains("invalid regular expression"))
    }

    @Test func matcherSyntax() throws {
        #expect(try MatcherParser.parseList("{alertname=\"Down\", job!=api,instance=~\"web-.*\"}").map(\.description)
            == ["alertname=\"Down\"", "job!=\"api\"", "instance=~\"web-.*\""])
        #expect(try MatcherParser.parse("severity!~\"info|debug\"").kind == .regexNoMatch)
        #expect(throws: MatcherParser.Failure.self) { try MatcherParser.parse("severity") }
    }

    @Test func standardWebhooksSignature() {
        // The Standard Webhooks specification's example.
        let key = WebhookSigner.key(from: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let signature = WebhookSigner.signature(key: key, id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
                                                body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }
}
