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
