import LookoutModel

/// `alerting:` in Alertmanager's key names: the routing tree, inhibit rules and receivers.
public struct AlertingConfig: Sendable {
    public var route = Route()
    public var inhibitRules: [InhibitRule] = []
    public var receivers: [Receiver] = []

    public init() {}

    /// Whether anything would be delivered: without receivers alerts are only shown in the APIs.
    public var isEmpty: Bool { receivers.isEmpty }
}

/// A node of the routing tree. Children inherit unset settings from their parent.
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
