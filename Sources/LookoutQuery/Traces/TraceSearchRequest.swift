import LookoutModel

/// A search for traces as Jaeger's and Tempo's search forms ask it: a time range, and conditions
/// that one span must meet together (service, operation, tags, duration), or with
/// `durationScope = .trace`, a duration the whole trace must have.
public struct TraceSearchRequest: Sendable, Equatable {
    /// What the duration bounds apply to.
    public enum DurationScope: String, Sendable {
        /// The duration bounds apply to the span meeting the other conditions (Jaeger's meaning).
        case span
        /// The duration bounds apply to the whole trace (first start to last end).
        case trace
    }

    public var startUnixNano: UInt64 = 0
    public var endUnixNano: UInt64 = .max
    public var service: String?
    public var operation: String?
    /// Attribute conditions, each `key=value`: a span or resource attribute, or one of the
    /// intrinsic tags Jaeger shows (`error`, `span.kind`, `otel.status_code`).
    public var tags: [(key: String, value: String)] = []
    public var minDurationNano: UInt64?
    public var maxDurationNano: UInt64?
    public var durationScope = DurationScope.span
    public var limit = 20

    public init() {}

    public static func == (a: Self, b: Self) -> Bool {
        a.startUnixNano == b.startUnixNano && a.endUnixNano == b.endUnixNano && a.service == b.service
            && a.operation == b.operation && a.tags.map { [$0.key, $0.value] } == b.tags.map { [$0.key, $0.value] }
            && a.minDurationNano == b.minDurationNano && a.maxDurationNano == b.maxDurationNano
            && a.durationScope == b.durationScope && a.limit == b.limit
    }

    /// Whether `span` meets the span conditions (durations only with `.span` scope).
    func spanMatches(_ span: Span) -> Bool {
        guard span.startUnixNano >= startUnixNano, span.startUnixNano <= endUnixNano else { return false }
        if let service, span.serviceName != service { return false }
        if let operation, span.name != operation { return false }
        if durationScope == .span {
            if let minDurationNano, span.durationNano < minDurationNano { return false }
            if let maxDurationNano, span.durationNano > maxDurationNano { return false }
        }
        return tags.allSatisfy { Self.tag($0.key, of: span) == $0.value }
    }

    /// The text of tag `key` on a span as Jaeger shows it, or nil.
    static func tag(_ key: String, of span: Span) -> String? {
        if let v = span.attributes[key] ?? span.resource.attributes[key] { return v.text }
        switch key {
        case "error": return span.status.code == .error ? "true" : nil
        case "span.kind": return span.kind == .unspecified ? nil : span.kind.shortName
        case "otel.status_code": return span.status.code == .unset ? nil : (span.status.code == .ok ? "OK" : "ERROR")
        case "otel.status_description": return span.status.message.isEmpty ? nil : span.status.message
        case "service.name": return span.serviceName
        default: return nil
        }
    }
}
