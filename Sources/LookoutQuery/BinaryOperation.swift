/// A binary operation `lhs op [bool] [on|ignoring (..)] [group_left|group_right (..)] rhs`.
public struct BinaryOperation: Sendable, Equatable, CustomStringConvertible {
    /// PromQL's binary operators.
    public enum Operator: String, Sendable, Equatable {
        case add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "^", atan2
        case eql = "==", neq = "!=", gtr = ">", lss = "<", gte = ">=", lte = "<="
        case and, or, unless

        public var isComparison: Bool {
            switch self {
            case .eql, .neq, .gtr, .lss, .gte, .lte: return true
            default: return false
            }
        }

        public var isSetOperator: Bool { self == .and || self == .or || self == .unless }

        /// Binding strength; higher binds tighter.
        var precedence: Int {
            switch self {
            case .or: return 1
            case .and, .unless: return 2
            case .eql, .neq, .gtr, .lss, .gte, .lte: return 3
            case .add, .sub: return 4
            case .mul, .div, .mod, .atan2: return 5
            case .pow: return 6
            }
        }

        var dropsMetricName: Bool {
            switch self {
            case .add, .sub, .mul, .div, .mod, .pow: return true
            default: return false
            }
        }
    }

    public var op: Operator
    public var lhs: Expr
    public var rhs: Expr
    public var returnBool: Bool
    /// Vector matching; nil when either side is a scalar.
    public var matching: VectorMatching?

    public init(op: Operator, lhs: Expr, rhs: Expr, returnBool: Bool = false, matching: VectorMatching? = nil) {
        self.op = op
        self.lhs = lhs
        self.rhs = rhs
        self.returnBool = returnBool
        self.matching = matching
    }

    public var description: String {
        var mid = op.rawValue
        if returnBool { mid += " bool" }
        if let matching {
            if matching.on || !matching.labels.isEmpty {
                mid += (matching.on ? " on (" : " ignoring (") + matching.labels.joined(separator: ", ") + ")"
            }
            switch matching.cardinality {
            case .manyToOne: mid += " group_left (" + matching.include.joined(separator: ", ") + ")"
            case .oneToMany: mid += " group_right (" + matching.include.joined(separator: ", ") + ")"
            default: break
            }
        }
        return "\(lhs) \(mid) \(rhs)"
    }
}
