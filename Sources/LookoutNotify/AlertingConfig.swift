import Foundation
import LookoutModel

/// `alerting:` in Alertmanager's key names (a block of `alertmanager.yml` pastes in): the routing
/// tree, inhibit rules, time intervals and receivers.
public struct AlertingConfig: Sendable {
    public var route = Route()
    public var inhibitRules: [InhibitRule] = []
    public var receivers: [Receiver] = []
    public var timeIntervals: [String: [TimeInterval]] = [:]

    public init() {
        route.receiver = nil
    }

    public func receiver(named name: String) -> Receiver? { receivers.first { $0.name == name } }
}

/// A node of the routing tree. Children inherit unset settings from their parent; the root's
/// defaults are Alertmanager's (group_wait 30s, group_interval 5m, repeat_interval 4h).
public struct Route: Sendable {
    public var receiver: String?
    /// Labels alerts are grouped by; `["..."]` groups by every label.
    public var groupBy: [String]?
    public var groupWait: Int64?
    public var groupInterval: Int64?
    public var repeatInterval: Int64?
    public var matchers: [LabelMatcher] = []
    public var `continue` = false
    public var routes: [Route] = []
    public var muteTimeIntervals: [String] = []
    public var activeTimeIntervals: [String] = []

    public init() {}
}

/// Mutes alerts matching `targetMatchers` while an alert matching `sourceMatchers` with the same
/// values of the `equal` labels is firing.
public struct InhibitRule: Sendable {
    public var sourceMatchers: [LabelMatcher] = []
    public var targetMatchers: [LabelMatcher] = []
    public var equal: [String] = []
    public init() {}
}

/// A named receiver and its integrations.
public struct Receiver: Sendable {
    public var name: String
    public var webhooks: [WebhookConfig] = []
    public var pagerDuty: [PagerDutyConfig] = []
    public var alertmanagers: [AlertmanagerTarget] = []

    public init(name: String) {
        self.name = name
    }
}

/// One `webhook_configs` entry.
public struct WebhookConfig: Sendable {
    public var url: String
    public var sendResolved = true
    /// At most this many alerts per message (0: all); the rest are counted in `truncatedAlerts`.
    public var maxAlerts = 0
    public var timeout: Int64 = 10_000
    public var bearerToken: String?
    /// The Standard Webhooks signing key (the decoded bytes of a `whsec_` secret).
    public var hmacSecret: [UInt8]?

    public init(url: String) {
        self.url = url
    }
}

/// One `pagerduty_configs` entry, sending PagerDuty Events API v2 events.
public struct PagerDutyConfig: Sendable {
    public static let defaultURL = "https://events.pagerduty.com/v2/enqueue"
    public var url = PagerDutyConfig.defaultURL
    public var routingKey: String
    public var sendResolved = true
    public var severity = "error"
    public var `class`: String?
    public var component: String?
    public var group: String?
    public var details: [String: String] = [:]
    public var client = "Lookout"
    public var clientURL: String?
    public var links: [(href: String, text: String)] = []
    public var timeout: Int64 = 10_000

    public init(routingKey: String) {
        self.routingKey = routingKey
    }
}

/// One `alertmanager_configs` entry: alerts are forwarded to a real Alertmanager's
/// `POST /api/v2/alerts` as Prometheus forwards them.
public struct AlertmanagerTarget: Sendable {
    /// The Alertmanager's base URL, e.g. `http://127.0.0.1:9093`.
    public var url: String
    public var timeout: Int64 = 10_000
    public init(url: String) { self.url = url }
}

/// One entry of a named `time_intervals` list: when all its given fields match, the time is in
/// the interval. Missing fields match everything.
public struct TimeInterval: Sendable {
    /// Minutes since midnight, `[start, end)`.
    public var times: [Range<Int>] = []
    /// 0 = Sunday … 6 = Saturday.
    public var weekdays: [ClosedRange<Int>] = []
    /// 1…31, or negative from the end of the month.
    public var daysOfMonth: [ClosedRange<Int>] = []
    public var months: [ClosedRange<Int>] = []
    public var years: [ClosedRange<Int>] = []
    public var location = TimeZone(identifier: "UTC")!

    public init() {}

    public func contains(_ ms: Int64) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = location
        let date = Date(timeIntervalSince1970: Double(ms) / 1000)
        let c = calendar.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: date)
        let minute = c.hour! * 60 + c.minute!
        if !times.isEmpty && !times.contains(where: { $0.contains(minute) }) { return false }
        if !weekdays.isEmpty && !weekdays.contains(where: { $0.contains(c.weekday! - 1) }) { return false }
        if !months.isEmpty && !months.contains(where: { $0.contains(c.month!) }) { return false }
        if !years.isEmpty && !years.contains(where: { $0.contains(c.year!) }) { return false }
        if !daysOfMonth.isEmpty {
            let length = calendar.range(of: .day, in: .month, for: date)!.count
            let day = c.day!
            let matches = daysOfMonth.contains { range in
                let lower = range.lowerBound < 0 ? length + range.lowerBound + 1 : range.lowerBound
                let upper = range.upperBound < 0 ? length + range.upperBound + 1 : range.upperBound
                return lower <= day && day <= upper
            }
            if !matches { return false }
        }
        return true
    }
}
