import LookoutModel

/// An instant vector selector such as `http_requests_total{job="api"} offset 5m`; with a range it
/// becomes a range vector selector (`Expr.matrixSelector`).
public struct VectorSelector: Sendable, Equatable, CustomStringConvertible {
    /// The metric name written before the braces, if any (it is also among `matchers`).
    public var name: String?
    /// Every matcher, including `__name__="<name>"` when a name was written.
    public var matchers: [LabelMatcher]
    /// Offset in milliseconds (may be negative).
    public var offset: Int64
    public var at: AtModifier?

    public init(name: String?, matchers: [LabelMatcher], offset: Int64 = 0, at: AtModifier? = nil) {
        self.name = name
        self.matchers = matchers
        self.offset = offset
        self.at = at
    }

    /// The selector without modifiers.
    var selectorText: String {
        let shown = matchers.filter { !($0.name == Labels.metricName && $0.kind == .equal && $0.value == name) }
        var out = name ?? ""
        if !shown.isEmpty || name == nil {
            out += "{" + shown.map(\.description).joined(separator: ", ") + "}"
        }
        return out
    }

    public var description: String { selectorText + modifierSuffix(at: at, offset: offset) }
}
