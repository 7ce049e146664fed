/// OTLP's span kinds, with their wire numbers.
public enum SpanKind: UInt8, Sendable, CaseIterable {
    case unspecified = 0, `internal`, server, client, producer, consumer

    /// `SPAN_KIND_SERVER`…, as OTLP's enum and Tempo's span metrics name them.
    public var otlpName: String {
        switch self {
        case .unspecified: "SPAN_KIND_UNSPECIFIED"
        case .internal: "SPAN_KIND_INTERNAL"
        case .server: "SPAN_KIND_SERVER"
        case .client: "SPAN_KIND_CLIENT"
        case .producer: "SPAN_KIND_PRODUCER"
        case .consumer: "SPAN_KIND_CONSUMER"
        }
    }

    /// `server`, `client`…, as Jaeger's `span.kind` tag and its `spanKind` parameter name them;
    /// empty for unspecified.
    public var shortName: String {
        switch self {
        case .unspecified: ""
        case .internal: "internal"
        case .server: "server"
        case .client: "client"
        case .producer: "producer"
        case .consumer: "consumer"
        }
    }

    public init?(shortName: String) {
        guard let k = Self.allCases.first(where: { $0.shortName == shortName.lowercased() && $0 != .unspecified })
        else { return nil }
        self = k
    }
}
