import Foundation
import Logging
import LookoutModel
import Testing
@testable import LookoutNotify

/// The dispatcher's timers, dedup, inhibition and silences, driven by explicit times.
@Suite struct DispatcherTests {
    static let config = """
    route:
      receiver: hook
      group_by: [alertname]
      group_wait: 30s
      group_interval: 5m
      repeat_interval: 4h
    inhibit_rules:
      - source_matchers: [severity="page"]
        target_matchers: [severity="ticket"]
        equal: [service]
    receivers:
      - name: hook
        webhook_configs: [{url: 'http://127.0.0.1:9/hook'}]
    """

    static func make(_ text: String = config) throws -> (Dispatcher, InMemoryNotificationStore) {
        let store = InMemoryNotificationStore()
        let dispatcher = try Dispatcher(config: try AlertingConfigTests.parse(text), storage: store,
                                        externalURL: "http://lookout", logger: Logger(label: "test"))
        return (dispatcher, store)
    }

    static func alert(_ labels: Labels, startsAt: Int64 = 0, endsAt: Int64) -> NotifierAlert {
        NotifierAlert(labels: labels, annotations: ["summary": "s"], startsAt: startsAt, endsAt: endsAt, updatedAt: 0, generatorURL: "")
    }

    static func payloads(_ store: InMemoryNotificationStore) -> [[String: Any]] {
        store.outbox.map { try! JSONSerialization.jsonObject(with: Data($0.body)) as! [String: Any] }
    }

    let second: Int64 = 1000
    let minute: Int64 = 60_000

    @Test func groupWaitThenGroupIntervalThenRepeat() throws {
        let (d, store) = try Self.make()
        d.receive([Self.alert(["alertname": "Down", "instance": "a"], endsAt: 4 * minute)], now: 0)
        d.tick(now: 29 * second)
        #expect(store.outbox.isEmpty)
        // A second alert of the group within group_wait goes out in the same notification.
        d.receive([Self.alert(["alertname": "Down", "instance": "b"], endsAt: 4 * minute)], now: 10 * second)
        d.tick(now: 30 * second)
        #expect(store.outbox.count == 1)
        let first = Self.payloads(store)[0]
        #expect(first["status"] as? String == "firing" && (first["alerts"] as? [Any])?.count == 2)
        #expect(first["groupKey"] as? String == "{}:{alertname=\"Down\"}")
        #expect(first["version"] as? String == "4" && first["receiver"] as? String == "hook")
        #expect((first["commonLabels"] as? [String: String]) == ["alertname": "Down"])
        #expect((first["groupLabels"] as? [String: String]) == ["alertname": "Down"])

        // Re-sent unchanged alerts (as the rules do every minute) are not notified again…
        for t in stride(from: minute, through: 20 * minute, by: Int(minute)) {
            d.receive([Self.alert(["alertname": "Down", "instance": "a"], endsAt: Int64(t) + 4 * minute),
                       Self.alert(["alertname": "Down", "instance": "b"], endsAt: Int64(t) + 4 * minute)], now: Int64(t))
            d.tick(now: Int64(t))
        }
        #expect(store.outbox.count == 1)
        // …until the repeat interval passes.
        d.receive([Self.alert(["alertname": "Down", "instance": "a"], endsAt: 245 * minute),
                   Self.alert(["alertname": "Down", "instance": "b"], endsAt: 245 * minute)], now: 241 * minute)
        d.tick(now: 241 * minute)
        #expect(store.outbox.count == 2)
    }

    @Test func resolvedIsSentAtTheNextGroupIntervalAndTheGroupGoes() throws {
        let (d, store) = try Self.make()
        d.receive([Self.alert(["alertname": "Down"], endsAt: 10 * minute)], now: 0)
        d.tick(now: 30 * second)
        d.receive([Self.alert(["alertname": "Down"], endsAt: 2 * minute)], now: 2 * minute)
        d.tick(now: 2 * minute)
        #expect(store.outbox.count == 1)
        d.tick(now: 30 * second + 5 * minute)
        #expect(store.outbox.count == 2)
        let resolved = Self.payloads(store)[1]
        #expect(resolved["status"] as? String == "resolved")
        let alert = (resolved["alerts"] as! [[String: Any]])[0]
        #expect(alert["status"] as? String == "resolved" && (alert["endsAt"] as? String)?.hasPrefix("1970-01-01T00:02:00") == true)
        #expect(d.groups(now: 6 * minute).isEmpty)
    }

    @Test func inhibitionAndSilencesMute() throws {
        let (d, store) = try Self.make("""
        route: {receiver: hook, group_by: ['...'], group_wait: 0s}
        inhibit_rules:
          - source_matchers: [severity="page"]
            target_matchers: [severity="ticket"]
            equal: [service]
        receivers: [{name: hook, webhook_configs: [{url: 'http://127.0.0.1:9/hook'}]}]
        """)
        try d.save(silence: SilenceRecord(id: "s1", matchers: [.init(name: "service", value: "quiet.*", isRegex: true)],
                                          startsAt: 0, endsAt: 10 * minute, updatedAt: 0, createdBy: "me", comment: "maintenance"))
        d.receive([Self.alert(["alertname": "A", "severity": "page", "service": "api"], endsAt: 60 * minute),
                   Self.alert(["alertname": "B", "severity": "ticket", "service": "api"], endsAt: 60 * minute),
                   Self.alert(["alertname": "C", "severity": "ticket", "service": "db"], endsAt: 60 * minute),
                   Self.alert(["alertname": "D", "service": "quiet-one"], endsAt: 60 * minute)], now: 0)
        d.tick(now: 0)
        let sent = Self.payloads(store).map { (($0["alerts"] as! [[String: Any]])[0]["labels"] as! [String: String])["alertname"]! }.sorted()
        #expect(sent == ["A", "C"])
        let views = Dictionary(uniqueKeysWithValues: d.alerts(now: 0).map { ($0.alert.labels["alertname"]!, $0.status) })
        #expect(views["B"]!.inhibitedBy.count == 1 && views["D"]!.silencedBy == ["s1"])
        // Once the silence is expired, D's next flush notifies it.
        #expect(try d.expire(silence: "s1", now: minute))
        d.tick(now: 6 * minute)
        #expect(Self.payloads(store).contains { (($0["alerts"] as! [[String: Any]])[0]["labels"] as! [String: String])["alertname"] == "D" })
    }

    @Test func notificationLogSurvivesARestart() throws {
        let store = InMemoryNotificationStore()
        let config = try AlertingConfigTests.parse(Self.config)
        let before = try Dispatcher(config: config, storage: store, externalURL: "", logger: Logger(label: "t"))
        before.receive([Self.alert(["alertname": "Down"], endsAt: 10 * minute)], now: 0)
        before.tick(now: 30 * second)
        #expect(store.outbox.count == 1)
        // A new dispatcher over the same storage hears the same alert again: nothing new is sent.
        let after = try Dispatcher(config: config, storage: store, externalURL: "", logger: Logger(label: "t"))
        after.receive([Self.alert(["alertname": "Down"], endsAt: 11 * minute)], now: minute)
        after.tick(now: minute + 30 * second)
        #expect(store.outbox.count == 1)
    }

    @Test func pagerDutyTriggerThenResolveWithOneDedupKey() throws {
        let (d, store) = try Self.make("""
        route: {receiver: pd, group_wait: 0s, group_interval: 1m}
        receivers: [{name: pd, pagerduty_configs: [{routing_key: K, severity: critical}]}]
        """)
        d.receive([Self.alert(["alertname": "Down"], endsAt: 10 * minute)], now: 0)
        d.tick(now: 0)
        d.receive([Self.alert(["alertname": "Down"], endsAt: 2 * minute)], now: 2 * minute)
        d.tick(now: 2 * minute)
        let events = Self.payloads(store)
        #expect(events.map { $0["event_action"] as? String } == ["trigger", "resolve"])
        #expect(events[0]["dedup_key"] as? String == events[1]["dedup_key"] as? String)
        #expect((events[0]["dedup_key"] as? String)?.count == 64)
        let payload = events[0]["payload"] as! [String: Any]
        #expect(payload["severity"] as? String == "critical" && (payload["summary"] as? String)?.hasPrefix("[FIRING:1]") == true)
        #expect(events[0]["routing_key"] as? String == "K")
    }
}
