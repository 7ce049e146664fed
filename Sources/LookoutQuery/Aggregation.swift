/// An aggregation such as `sum by (job) (x)` or `topk(3, x)`.
public struct Aggregation: Sendable, Equatable, CustomStringConvertible {
    /// The aggregation operators of PromQL.
    public enum Operator: String, Sendable, Equatable, CaseIterable {
        case sum, avg, min, max, count, group, stddev, stdvar, topk, bottomk, quantile
        case countValues = "count_values"

        /// Whether the operator takes a parameter before the vector.
        public var hasParameter: Bool { self == .topk || self == .bottomk || self == .quantile || self == .countValues }
    }

    public var op: Operator
    public var expr: Expr
    public var parameter: Expr?
    public var grouping: [String]
    public var without: Bool
    /// Whether `by`/`without` was written (so `by ()` prints back).
    public var hasGrouping: Bool

    public init(op: Operator, expr: Expr, parameter: Expr? = nil, grouping: [String] = [], without: Bool = false,
                hasGrouping: Bool? = nil) {
        self.op = op
        self.expr = expr
        self.parameter = parameter
        self.grouping = grouping
        self.without = without
        self.hasGrouping = hasGrouping ?? (without || !grouping.isEmpty)
    }

    public var description: String {
        var out = op.rawValue
        if hasGrouping {
            out += without ? " without (" : " by ("
            out += grouping.joined(separator: ", ") + ")"
            out += " "
        }
        out += "("
        if let parameter { out += "\(parameter), " }
        out += "\(expr))"
        return out
    }
}
