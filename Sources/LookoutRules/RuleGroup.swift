import LookoutQuery

/// One `groups[]` entry of a Prometheus rule file: rules evaluated in order, every `interval`,
/// at `now - query_offset`.
public struct RuleGroup: Sendable {
    public var name: String
    /// The file it was read from; groups are named by file and name together, as Prometheus's.
    public var file: String
    /// Milliseconds between evaluations (`interval`, else `global.evaluation_interval`).
    public var interval: Int64
    /// At most this many alerts per alerting rule, or series per recording rule (0: no limit).
    public var limit: Int
    public var queryOffset: Int64
    public var labels: [String: String]
    public var rules: [RuleDefinition]

    public init(name: String, file: String, interval: Int64, limit: Int = 0, queryOffset: Int64 = 0,
                labels: [String: String] = [:], rules: [RuleDefinition]) {
        self.name = name
        self.file = file
        self.interval = interval
        self.limit = limit
        self.queryOffset = queryOffset
        self.labels = labels
        self.rules = rules
    }

    /// How the group is keyed in state and in the APIs.
    public var key: String { file + ";" + name }
}

/// A recording rule (`record`) or an alerting rule (`alert`) as written in the file, parsed.
public struct RuleDefinition: Sendable {
    public enum Kind: Sendable, Equatable {
        case recording
        /// `for` and `keep_firing_for` in milliseconds.
        case alerting(holdDuration: Int64, keepFiringFor: Int64)
    }

    /// The `record` metric name or the `alert` name.
    public var name: String
    public var kind: Kind
    public var expr: Expr
    /// The expression as written, for the APIs.
    public var exprText: String
    /// Rule labels (with the group's), in name order; templates for alerting rules.
    public var labels: [(name: String, template: AlertTemplate)]
    public var annotations: [(name: String, template: AlertTemplate)]
    /// Line of the rule in its file, for messages.
    public var line: Int

    public init(name: String, kind: Kind, expr: Expr, exprText: String,
                labels: [(name: String, template: AlertTemplate)] = [], annotations: [(name: String, template: AlertTemplate)] = [],
                line: Int = 0) {
        self.name = name
        self.kind = kind
        self.expr = expr
        self.exprText = exprText
        self.labels = labels
        self.annotations = annotations
        self.line = line
    }

    public var isAlerting: Bool { kind != .recording }
}
