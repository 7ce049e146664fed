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
