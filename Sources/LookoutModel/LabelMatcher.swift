/// A selector term such as `job="api"` or `path=~"/v1/.*"`; regexes are fully anchored, as in PromQL.
public struct LabelMatcher: Sendable, Hashable, CustomStringConvertible {
    /// The four PromQL matcher operators.
    public enum Kind: String, Sendable, Hashable {
        case equal = "=", notEqual = "!=", regexMatch = "=~", regexNoMatch = "!~"
    }

    public let name: String
    public let kind: Kind
    public let value: String
    private let regex: AnchoredRegex?

    /// Throws `LabelMatcherError` when a regex does not compile.
    public init(_ name: String, _ kind: Kind, _ value: String) throws {
        self.name = name
        self.kind = kind
        self.value = value
        switch kind {
        case .equal, .notEqual: regex = nil
        case .regexMatch, .regexNoMatch: regex = try AnchoredRegex(value)
        }
    }

    public static func equal(_ name: String, _ value: String) -> LabelMatcher {
        // Equality never throws.
        try! LabelMatcher(name, .equal, value)
    }

    /// Matches a label value; an absent label is the empty string.
    public func matches(_ candidate: String) -> Bool {
        switch kind {
        case .equal: return candidate == value
        case .notEqual: return candidate != value
        case .regexMatch: return regex!.matches(candidate)
        case .regexNoMatch: return !regex!.matches(candidate)
        }
    }

    /// Whether the matcher accepts a series' labels.
    public func matches(_ labels: Labels) -> Bool { matches(labels[name] ?? "") }

    /// Whether the matcher accepts the empty string (so also series without the label).
    public var matchesEmpty: Bool { matches("") }

    public var description: String { "\(name)\(kind.rawValue)\"\(Labels.escape(value))\"" }

    public static func == (lhs: LabelMatcher, rhs: LabelMatcher) -> Bool {
        lhs.name == rhs.name && lhs.kind == rhs.kind && lhs.value == rhs.value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(kind)
        hasher.combine(value)
    }
}

extension Array where Element == LabelMatcher {
    /// Whether every matcher accepts the labels.
    public func matches(_ labels: Labels) -> Bool { allSatisfy { $0.matches(labels) } }
}

/// Raised when a regex matcher does not compile.
public struct LabelMatcherError: Error, Sendable, CustomStringConvertible {
    public let pattern: String
    public let message: String
    public var description: String { "invalid regex \"\(pattern)\": \(message)" }
}
