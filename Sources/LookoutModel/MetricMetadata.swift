/// The kind of a metric family as declared by `# TYPE`.
public enum MetricType: String, Sendable, Hashable, Codable {
    case counter, gauge, histogram, gaugehistogram, summary, info, stateset, unknown
}

/// What `# HELP`, `# TYPE` and `# UNIT` said about one metric family.
public struct MetricMetadata: Sendable, Hashable, Codable {
    public var family: String
    public var type: MetricType
    public var help: String
    public var unit: String

    public init(family: String, type: MetricType = .unknown, help: String = "", unit: String = "") {
        self.family = family
        self.type = type
        self.help = help
        self.unit = unit
    }
}
