import LookoutModel

/// What a trace search shows of one trace: its root (or earliest) span's service and name, its
/// start and duration, and the spans that met the conditions.
public struct TraceSummary: Sendable {
    public var traceID: TraceID
    public var spans: [Span]
    public var matched: [Span]

    public init(traceID: TraceID, spans: [Span], matched: [Span]) {
        self.traceID = traceID
        self.spans = spans
        self.matched = matched
    }

    public var startUnixNano: UInt64 { spans.map(\.startUnixNano).min() ?? 0 }
    public var endUnixNano: UInt64 { spans.map(\.endUnixNano).max() ?? 0 }
    public var durationNano: UInt64 { endUnixNano &- startUnixNano }

    /// The root span, or the earliest span when the root has not arrived (Tempo shows
    /// `<root span not yet received>` then; Lookout shows the earliest span's names).
    public var root: Span? {
        spans.first(where: \.isRoot) ?? spans.min { $0.startUnixNano < $1.startUnixNano }
    }

    public var rootServiceName: String { spans.first(where: \.isRoot)?.serviceName ?? "<root span not yet received>" }
    public var rootSpanName: String { spans.first(where: \.isRoot)?.name ?? "" }
}
