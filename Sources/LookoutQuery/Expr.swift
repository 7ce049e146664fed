import LookoutModel

/// A parsed PromQL expression; `description` prints it back as PromQL.
public indirect enum Expr: Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case string(String)
    case vectorSelector(VectorSelector)
    /// A range vector selector `sel[range]`; modifiers live on the selector.
    case matrixSelector(VectorSelector, range: Int64)
    case subquery(Subquery)
    case call(PromQLFunction, args: [Expr])
    case aggregate(Aggregation)
    case binary(BinaryOperation)
    /// Unary `-` (`negate: true`) or `+`.
    case unary(negate: Bool, Expr)
    case paren(Expr)

    /// The type of value the expression evaluates to.
    public var type: ValueType {
        switch self {
        case .number: return .scalar
        case .string: return .string
        case .vectorSelector: return .vector
        case .matrixSelector, .subquery: return .matrix
        case .call(let function, _): return function.signature.returnType
        case .aggregate: return .vector
        case .binary(let b): return b.lhs.type == .scalar && b.rhs.type == .scalar ? .scalar : .vector
        case .unary(_, let e), .paren(let e): return e.type
        }
    }

    public var description: String {
        switch self {
        case .number(let v): return PromNumber.formatShortest(v)
        case .string(let s): return Expr.quote(s)
        case .vectorSelector(let vs): return vs.description
        case .matrixSelector(let vs, let range):
            return vs.selectorText + "[\(PromDuration.format(range))]" + modifierSuffix(at: vs.at, offset: vs.offset)
        case .subquery(let sq): return sq.description
        case .call(let function, let args): return function.name + "(" + args.map(\.description).joined(separator: ", ") + ")"
        case .aggregate(let a): return a.description
        case .binary(let b): return b.description
        case .unary(let negate, let e): return (negate ? "-" : "+") + e.description
        case .paren(let e): return "(\(e))"
        }
    }

    /// Functions Prometheus never treats as step-invariant under `@`.
    static let atModifierUnsafeFunctions: Set<String> = [
        "days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute", "month", "year",
        "predict_linear", "time", "timestamp",
    ]

    /// Whether the expression is a range vector (`type == .matrix`), without looking up function
    /// return types: no function returns one.
    var isRangeVector: Bool {
        switch self {
        case .matrixSelector, .subquery: return true
        case .paren(let e): return e.isRangeVector
        default: return false
        }
    }

    /// Whether two expressions are the same: `==`, except that number literals compare by bit
    /// pattern, so a NaN literal is identical to itself and `0` is not identical to `-0`.
    func isIdentical(to other: Expr) -> Bool {
        switch (self, other) {
        case (.number(let a), .number(let b)):
            return a.bitPattern == b.bitPattern
        case (.subquery(let a), .subquery(let b)):
            return a.range == b.range && a.step == b.step && a.offset == b.offset && a.at == b.at
                && a.expr.isIdentical(to: b.expr)
        case (.call(let function, let args), .call(let otherFunction, let otherArgs)):
            return function == otherFunction && args.count == otherArgs.count
                && zip(args, otherArgs).allSatisfy { $0.isIdentical(to: $1) }
        case (.aggregate(let a), .aggregate(let b)):
            let sameParameter = switch (a.parameter, b.parameter) {
            case (nil, nil): true
            case (let p?, let q?): p.isIdentical(to: q)
            default: false
            }
            return a.op == b.op && a.grouping == b.grouping && a.without == b.without && a.hasGrouping == b.hasGrouping
                && sameParameter && a.expr.isIdentical(to: b.expr)
        case (.binary(let a), .binary(let b)):
            return a.op == b.op && a.returnBool == b.returnBool && a.matching == b.matching
                && a.lhs.isIdentical(to: b.lhs) && a.rhs.isIdentical(to: b.rhs)
        case (.unary(let negate, let e), .unary(let otherNegate, let otherE)):
            return negate == otherNegate && e.isIdentical(to: otherE)
        case (.paren(let e), .paren(let otherE)):
            return e.isIdentical(to: otherE)
        default:
            return self == other
        }
    }

    /// Whether Prometheus 2.42 evaluates this once per query rather than per step (`@`-pinned
    /// selectors and literals, combined by anything but the `@`-unsafe functions).
    var isStepInvariant: Bool {
        switch self {
        case .number, .string: return true
        case .vectorSelector(let vs), .matrixSelector(let vs, _): return vs.at != nil
        case .subquery(let sq): return sq.at != nil
        case .paren(let e), .unary(_, let e): return e.isStepInvariant
        case .binary(let b): return b.lhs.isStepInvariant && b.rhs.isStepInvariant
        case .aggregate(let a): return (a.parameter?.isStepInvariant ?? true) && a.expr.isStepInvariant
        case .call(let function, let args):
            return !Expr.atModifierUnsafeFunctions.contains(function.name) && args.allSatisfy(\.isStepInvariant)
        }
    }

    /// The expression inside any parentheses around it.
    var unwrapped: Expr {
        var e = self
        while case .paren(let inner) = e { e = inner }
        return e
    }

    /// Whether the expression reads no series and its value does not depend on the time it is
    /// evaluated at (only literals, and no `time()`, `timestamp()` or date function defaulting to
    /// the evaluation time), so every step of a subquery over it has the same value.
    var isConstant: Bool {
        switch self {
        case .number, .string: return true
        case .vectorSelector, .matrixSelector, .subquery: return false
        case .paren(let e), .unary(_, let e): return e.isConstant
        case .binary(let b): return b.lhs.isConstant && b.rhs.isConstant
        case .aggregate(let a): return (a.parameter?.isConstant ?? true) && a.expr.isConstant
        case .call(let function, let args):
            if function == .time || function == .instant(.timestamp) { return false }
            if args.isEmpty && Expr.atModifierUnsafeFunctions.contains(function.name) { return false }
            return args.allSatisfy(\.isConstant)
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension Expr {
    /// Every vector selector in the expression (instant, range and inside subqueries), in order:
    /// what `/api/v1/query_exemplars` matches series with.
    public var selectors: [VectorSelector] {
        switch self {
        case .number, .string: return []
        case .vectorSelector(let vs), .matrixSelector(let vs, _): return [vs]
        case .subquery(let sq): return sq.expr.selectors
        case .call(_, let args): return args.flatMap(\.selectors)
        case .aggregate(let a): return a.expr.selectors + (a.parameter?.selectors ?? [])
        case .binary(let b): return b.lhs.selectors + b.rhs.selectors
        case .unary(_, let e), .paren(let e): return e.selectors
        }
    }
}
