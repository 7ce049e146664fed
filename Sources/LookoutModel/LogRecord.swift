/// One log line as Lookout keeps it: its stream's labels, a time in nanoseconds, the line, its
/// level, and the structured fields that came with it (Loki's structured metadata), queryable by
/// LogQL without being labels. Trace and span ids, when the line carries them, lead to its trace.
public struct LogRecord: Hashable, Sendable {
    /// The stream's labels (`service`, `level` and whatever `logs.stream_labels` names).
    public var labels: Labels
    public var timestampNs: Int64
    public var line: String
    public var level: LogLevel
    /// Structured fields, in the order they came, nested keys flattened with `_`.
    public var fields: [LogField]
    public var traceID: TraceID?
    public var spanID: SpanID?

    public init(labels: Labels, timestampNs: Int64, line: String, level: LogLevel = .unknown, fields: [LogField] = [],
                traceID: TraceID? = nil, spanID: SpanID? = nil) {
        self.labels = labels
        self.timestampNs = timestampNs
        self.line = line
        self.level = level
        self.fields = fields
        self.traceID = traceID
        self.spanID = spanID
    }
}

/// A structured field of a log line: a name and its value as text.
public struct LogField: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}
