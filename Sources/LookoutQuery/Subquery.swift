import LookoutModel

/// A subquery `expr[range:step]`: the inner instant-vector expression evaluated at `step`-aligned
/// times over `range`, yielding a range vector.
public struct Subquery: Sendable, Equatable, CustomStringConvertible {
    public var expr: Expr
    public var range: Int64
    /// nil means the default resolution (`QueryOptions.defaultSubqueryStep`).
    public var step: Int64?
    public var offset: Int64
    public var at: AtModifier?

    public init(expr: Expr, range: Int64, step: Int64?, offset: Int64 = 0, at: AtModifier? = nil) {
        self.expr = expr
        self.range = range
        self.step = step
        self.offset = offset
        self.at = at
    }

    public var description: String {
        "\(expr)[\(PromDuration.format(range)):\(step.map { PromDuration.format($0) } ?? "")]"
            + modifierSuffix(at: at, offset: offset)
    }
}
