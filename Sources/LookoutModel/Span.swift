/// One span as Lookout keeps it: OTLP's `Span` with its resource and instrumentation scope,
/// so a span stands alone in storage and in answers.
public struct Span: Hashable, Sendable {
    public var traceID: TraceID
    public var spanID: SpanID
    /// `.none` for a root span.
    public var parentSpanID: SpanID
    public var traceState: String
    public var name: String
    public var kind: SpanKind
    public var startUnixNano: UInt64
    public var endUnixNano: UInt64
    public var attributes: [Attribute]
    public var droppedAttributesCount: UInt32
    public var events: [SpanEvent]
    public var droppedEventsCount: UInt32
    public var links: [SpanLink]
    public var droppedLinksCount: UInt32
    public var status: SpanStatus
    public var flags: UInt32
    public var resource: SpanResource
    public var scope: InstrumentationScope

    public init(traceID: TraceID, spanID: SpanID, parentSpanID: SpanID = .none, traceState: String = "",
                name: String, kind: SpanKind = .internal, startUnixNano: UInt64, endUnixNano: UInt64,
                attributes: [Attribute] = [], droppedAttributesCount: UInt32 = 0, events: [SpanEvent] = [],
                droppedEventsCount: UInt32 = 0, links: [SpanLink] = [], droppedLinksCount: UInt32 = 0,
                status: SpanStatus = SpanStatus(), flags: UInt32 = 0, resource: SpanResource = SpanResource(),
                scope: InstrumentationScope = InstrumentationScope()) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.traceState = traceState
        self.name = name
        self.kind = kind
        self.startUnixNano = startUnixNano
        self.endUnixNano = endUnixNano
        self.attributes = attributes
        self.droppedAttributesCount = droppedAttributesCount
        self.events = events
        self.droppedEventsCount = droppedEventsCount
        self.links = links
        self.droppedLinksCount = droppedLinksCount
        self.status = status
        self.flags = flags
        self.resource = resource
        self.scope = scope
    }

    public var durationNano: UInt64 { endUnixNano &- startUnixNano }
    public var serviceName: String { resource.serviceName }
    public var isRoot: Bool { !parentSpanID.isValid }
}

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

/// A span's status: OTLP's code (UNSET 0, OK 1, ERROR 2) and message.
public struct SpanStatus: Hashable, Sendable {
    /// OTLP's status codes, with their wire numbers.
    public enum Code: UInt8, Sendable, CaseIterable {
        case unset = 0, ok, error

        /// `STATUS_CODE_ERROR`…, as OTLP's enum and Tempo's span metrics name them.
        public var otlpName: String {
            switch self {
            case .unset: "STATUS_CODE_UNSET"
            case .ok: "STATUS_CODE_OK"
            case .error: "STATUS_CODE_ERROR"
            }
        }

        /// `unset`, `ok`, `error`, as TraceQL names them.
        public var shortName: String {
            switch self {
            case .unset: "unset"
            case .ok: "ok"
            case .error: "error"
            }
        }
    }

    public var code: Code
    public var message: String

    public init(code: Code = .unset, message: String = "") {
        self.code = code
        self.message = message
    }
}

/// A timestamped event on a span (Jaeger shows them as the span's logs).
public struct SpanEvent: Hashable, Sendable {
    public var timeUnixNano: UInt64
    public var name: String
    public var attributes: [Attribute]
    public var droppedAttributesCount: UInt32

    public init(timeUnixNano: UInt64, name: String, attributes: [Attribute] = [], droppedAttributesCount: UInt32 = 0) {
        self.timeUnixNano = timeUnixNano
        self.name = name
        self.attributes = attributes
        self.droppedAttributesCount = droppedAttributesCount
    }
}

/// A link from a span to a span of another (or the same) trace.
public struct SpanLink: Hashable, Sendable {
    public var traceID: TraceID
    public var spanID: SpanID
    public var traceState: String
    public var attributes: [Attribute]
    public var droppedAttributesCount: UInt32
    public var flags: UInt32

    public init(traceID: TraceID, spanID: SpanID, traceState: String = "", attributes: [Attribute] = [],
                droppedAttributesCount: UInt32 = 0, flags: UInt32 = 0) {
        self.traceID = traceID
        self.spanID = spanID
        self.traceState = traceState
        self.attributes = attributes
        self.droppedAttributesCount = droppedAttributesCount
        self.flags = flags
    }
}

/// The entity that produced spans (OTLP's `Resource`): a service, its host, its SDK. Immutable
/// and shared by reference: every span of one request holds the same instance, so copying a span
/// costs one retain for it, and stores tell resources apart by identity before comparing contents.
public final class SpanResource: Hashable, Sendable {
    public let attributes: [Attribute]
    public let droppedAttributesCount: UInt32
    public let schemaURL: String
    /// `service.name`, or OTLP's default `unknown_service` when it is missing.
    public let serviceName: String

    public init(attributes: [Attribute] = [], droppedAttributesCount: UInt32 = 0, schemaURL: String = "") {
        self.attributes = attributes
        self.droppedAttributesCount = droppedAttributesCount
        self.schemaURL = schemaURL
        if case .string(let s)? = attributes["service.name"], !s.isEmpty { serviceName = s } else { serviceName = "unknown_service" }
    }

    public static func == (a: SpanResource, b: SpanResource) -> Bool {
        a === b || (a.attributes == b.attributes && a.droppedAttributesCount == b.droppedAttributesCount && a.schemaURL == b.schemaURL)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(attributes)
        hasher.combine(droppedAttributesCount)
        hasher.combine(schemaURL)
    }
}

/// The library that made a span (OTLP's `InstrumentationScope`); shared by reference like `SpanResource`.
public final class InstrumentationScope: Hashable, Sendable {
    public let name: String
    public let version: String
    public let attributes: [Attribute]
    public let droppedAttributesCount: UInt32
    public let schemaURL: String

    public init(name: String = "", version: String = "", attributes: [Attribute] = [],
                droppedAttributesCount: UInt32 = 0, schemaURL: String = "") {
        self.name = name
        self.version = version
        self.attributes = attributes
        self.droppedAttributesCount = droppedAttributesCount
        self.schemaURL = schemaURL
    }

    public static func == (a: InstrumentationScope, b: InstrumentationScope) -> Bool {
        a === b || (a.name == b.name && a.version == b.version && a.attributes == b.attributes
                    && a.droppedAttributesCount == b.droppedAttributesCount && a.schemaURL == b.schemaURL)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(version)
        hasher.combine(attributes)
        hasher.combine(droppedAttributesCount)
        hasher.combine(schemaURL)
    }
}
