/// What a running Lookout holds of its span store: spans in, traces and their index out.
/// `LookoutStorage.TraceStore` implements it; `InMemorySpanStore` is the fake for tests.
public protocol SpanStorage: SpanAppender, TraceQuerier {
    /// Deletes the spans past the store's retention at `now` (ms).
    func enforceRetention(now: Int64) throws
}

/// How spans get into a store.
public protocol SpanAppender: Sendable {
    /// Stores `spans`; returns once they are durable per the store's fsync mode (an OTLP push
    /// is acknowledged only then).
    func append(spans: [Span]) async throws

    /// Whether `append` would refuse any batch now for want of room; asked before decoding a request.
    var isBusy: Bool { get }
}

extension SpanAppender {
    public var isBusy: Bool { false }
}

/// The read side of a span store: whole traces by id, and the index that narrows a search.
/// Search predicates beyond the index (tags, durations, TraceQL) are the query layer's, applied
/// to whole traces, so any store answers them alike.
public protocol TraceQuerier: Sendable {
    /// Every stored span of the trace, in no particular order; empty when none is stored.
    func spans(of trace: TraceID) throws -> [Span]

    /// Traces with a span starting in `startUnixNano...endUnixNano` that the filter's indexed
    /// fields admit, newest first, each with its earliest indexed span start. A superset of the
    /// matches: the caller checks each trace.
    func candidateTraces(_ filter: SpanIndexFilter) throws -> [(trace: TraceID, startUnixNano: UInt64)]

    /// Service names with spans stored, sorted.
    func services() throws -> [String]

    /// The (span name, kind) pairs stored for `service`, sorted by name.
    func operations(service: String) throws -> [(name: String, kind: SpanKind)]

    /// Attribute keys seen, by scope (`resource`, `span`), sorted.
    func attributeKeys() throws -> [(scope: SpanAttributeScope, key: String)]

    /// Values seen for an attribute key (a bounded number per key), sorted.
    func attributeValues(scope: SpanAttributeScope?, key: String) throws -> [AttributeValue]
}

/// Where an attribute lives: on the resource (`resource.x` in TraceQL) or on the span (`span.x`).
public enum SpanAttributeScope: String, Sendable, Hashable, CaseIterable {
    case resource, span
}

/// The indexed fields a trace search can be narrowed by before whole traces are checked.
public struct SpanIndexFilter: Sendable, Hashable {
    public var startUnixNano: UInt64
    public var endUnixNano: UInt64
    /// Some span of the trace has this service …
    public var service: String?
    /// … and this name …
    public var spanName: String?
    /// … and lasts at least this long.
    public var minDurationNano: UInt64?
    /// Candidates beyond this many may be left out; nil for all.
    public var limit: Int?

    public init(startUnixNano: UInt64 = 0, endUnixNano: UInt64 = .max, service: String? = nil,
                spanName: String? = nil, minDurationNano: UInt64? = nil, limit: Int? = nil) {
        self.startUnixNano = startUnixNano
        self.endUnixNano = endUnixNano
        self.service = service
        self.spanName = spanName
        self.minDurationNano = minDurationNano
        self.limit = limit
    }

    /// Whether a span passes the filter's fields (its time range included).
    public func admits(_ span: Span) -> Bool {
        span.startUnixNano >= startUnixNano && span.startUnixNano <= endUnixNano
            && (service == nil || span.serviceName == service)
            && (spanName == nil || span.name == spanName)
            && (minDurationNano == nil || span.durationNano >= minDurationNano!)
    }
}
