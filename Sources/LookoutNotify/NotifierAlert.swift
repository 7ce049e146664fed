import LookoutModel

/// An alert as the notifier holds it (Alertmanager's `types.Alert`): resolved once `endsAt` has
/// passed, whether the sender said so or simply stopped re-sending it.
public struct NotifierAlert: Sendable, Equatable {
    public var labels: Labels
    public var annotations: Labels
    public var startsAt: Int64
    /// 0 when the sender gave none.
    public var endsAt: Int64
    public var updatedAt: Int64
    public var generatorURL: String
    public let fingerprint: UInt64

    public init(labels: Labels, annotations: Labels, startsAt: Int64, endsAt: Int64, updatedAt: Int64, generatorURL: String) {
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.updatedAt = updatedAt
        self.generatorURL = generatorURL
        fingerprint = Fingerprint.of(labels)
    }

    public func isResolved(at now: Int64) -> Bool { endsAt > 0 && endsAt <= now }
}
