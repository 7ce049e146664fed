import LookoutModel

/// One alert of an alerting rule: a label set the rule's expression returned, moving through
/// inactive → pending → firing → inactive (resolved) as Prometheus's alerts do. Times in ms.
public struct Alert: Sendable, Equatable {
    public enum State: String, Sendable { case inactive, pending, firing }

    public var labels: Labels
    public var annotations: Labels
    public var state: State
    public var value: Double
    public var activeAt: Int64
    public var firedAt: Int64?
    public var resolvedAt: Int64?
    public var lastSentAt: Int64?
    /// When the alert last dropped out of the result while `keep_firing_for` holds it firing.
    public var keepFiringSince: Int64?

    public init(labels: Labels, annotations: Labels, state: State, value: Double, activeAt: Int64) {
        self.labels = labels
        self.annotations = annotations
        self.state = state
        self.value = value
        self.activeAt = activeAt
    }
}

/// An alert as handed to the notifier: Alertmanager's `postableAlert` (labels, annotations,
/// `startsAt`, `endsAt`, `generatorURL`). A firing alert's `endsAt` lies in the future and is
/// pushed on at every resend; a resolved alert's is its resolve time.
public struct AlertNotification: Sendable, Equatable {
    public var labels: Labels
    public var annotations: Labels
    public var startsAt: Int64
    public var endsAt: Int64
    public var generatorURL: String

    public init(labels: Labels, annotations: Labels, startsAt: Int64, endsAt: Int64, generatorURL: String) {
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
    }
}

/// Where alerting rules send their alerts: the in-process notifier, an Alertmanager, or a test.
public protocol AlertSink: Sendable {
    func send(_ alerts: [AlertNotification]) async
}
