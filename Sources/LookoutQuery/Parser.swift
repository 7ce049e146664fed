import LookoutModel

/// A recursive-descent (precedence-climbing) parser over the token list.
///
/// Rules:
/// 1. No expression tree it returns is more than `maxDepth` nodes tall, and it never recurses
///    more than `maxDepth` `parseExpr` calls deep: the parser, the evaluator, `description` and
///    `isStepInvariant` all recurse once per tree level, so this bound is what keeps a hostile
///    query such as `((((…` or `1+1+1+…` from overflowing a thread's stack.
struct Parser {
    /// The tallest expression accepted, counting parentheses, unary operators, calls,
    /// aggregations, subqueries and binary operators (so `1+1+…+1` with 256 `+` is rejected).
    /// Measured in a debug build, the costliest shape (nested function calls: parse, print and
    /// evaluate) needs ~12 KiB of stack per level, ~3 MiB at this depth: safe on an 8 MiB thread.
    /// `PromQLDepthTests.fitsInASmallStack` checks every shape at this depth on a 512 KiB thread
    /// when run optimized (`swift test -c release`) and on a 4 MiB thread otherwise.
    static let maxDepth = 256

    let text: String
    let tokens: [Token]
    var index = 0
    var bracketContext = false
    /// How many `parseExpr` calls are active.
    var nesting = 0
    /// The height of the tree the last completed `parseExpr` returned.
    var lastHeight = 0

    init(text: String, tokens: [Token]) {
        self.text = text
        self.tokens = tokens
    }

    var current: Token { tokens[index] }

    mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func error(_ message: String, at position: Int) -> QueryError {
        QueryError.parse(message, at: position, in: text)
    }

    func unexpected(_ token: Token, _ context: String = "") -> QueryError {
        error("unexpected \(token.describe)\(context.isEmpty ? "" : " " + context)", at: token.position)
    }

    @discardableResult
    mutating func expect(_ kind: Token.Kind, _ context: String) throws(QueryError) -> Token {
        guard current.kind == kind else { throw unexpected(current, context) }
        return advance()
    }

    mutating func parseQuery() throws(QueryError) -> Expr {
        if current.kind == .eof { throw error("no expression found in input", at: 0) }
        let (expr, _) = try parseExpr(minPrecedence: 0)
        if current.kind == .rightParen { throw error("unexpected right parenthesis ')'", at: current.position) }
        if current.kind != .eof { throw unexpected(current) }
        return expr
    }

    static func binaryOperator(_ kind: Token.Kind) -> BinaryOperation.Operator? {
        switch kind {
        case .add: return .add
        case .sub: return .sub
        case .mul: return .mul
        case .div: return .div
        case .mod: return .mod
        case .pow: return .pow
        case .atan2: return .atan2
        case .eql: return .eql
        case .neq: return .neq
        case .gtr: return .gtr
        case .lss: return .lss
        case .gte: return .gte
        case .lte: return .lte
        case .land: return .and
        case .lor: return .or
        case .lunless: return .unless
        default: return nil
        }
    }

    /// Returns the expression and the byte position where it starts.
    mutating func parseExpr(minPrecedence: Int) throws(QueryError) -> (Expr, Int) {
        nesting += 1
        defer { nesting -= 1 }
        if nesting > Parser.maxDepth { throw tooDeep(at: current.position) }
        var (lhs, start) = try parseUnary()
        var height = lastHeight
        if height > Parser.maxDepth { throw tooDeep(at: start) }
        while let op = Parser.binaryOperator(current.kind), op.precedence >= minPrecedence {
            let opPosition = advance().position
            let modifiers = try parseBinaryModifiers()
            let (rhs, rhsStart) = try parseExpr(minPrecedence: op == .pow ? op.precedence : op.precedence + 1)
            height = max(height, lastHeight) + 1
            if height > Parser.maxDepth { throw tooDeep(at: opPosition) }
            lhs = try makeBinary(op, lhs, rhs, returnBool: modifiers.returnBool, matching: modifiers.matching,
                                 matchingWritten: modifiers.matchingWritten, opPosition: opPosition, rhsStart: rhsStart,
                                 start: start)
        }
        lastHeight = height
        return (lhs, start)
    }

    /// `bool`, `on`/`ignoring` and `group_left`/`group_right` after a binary operator. (Kept out
    /// of `parseExpr` so that its stack frame, paid once per nesting level, stays small.)
    mutating func parseBinaryModifiers() throws(QueryError) -> (returnBool: Bool, matching: VectorMatching, matchingWritten: Bool) {
        var returnBool = false
        if current.kind == .bool {
            _ = advance()
            returnBool = true
        }
        var matching = VectorMatching()
        var matchingWritten = false
        if current.kind == .on || current.kind == .ignoring {
            matching.on = advance().kind == .on
            matching.labels = try parseLabelList()
            matchingWritten = true
        }
        if matchingWritten, current.kind == .groupLeft || current.kind == .groupRight {
            let group = advance()
            matching.cardinality = group.kind == .groupLeft ? .manyToOne : .oneToMany
            if current.kind == .leftParen { matching.include = try parseLabelList() }
            matchingWritten = true
        }
        return (returnBool, matching, matchingWritten)
    }

    func tooDeep(at position: Int) -> QueryError {
        error("expression nested too deeply: more than \(Parser.maxDepth) levels of parentheses, operators or calls", at: position)
    }

    mutating func makeBinary(_ op: BinaryOperation.Operator, _ lhs: Expr, _ rhs: Expr, returnBool: Bool,
                             matching: VectorMatching, matchingWritten: Bool, opPosition: Int, rhsStart: Int,
                             start: Int) throws(QueryError) -> Expr {
        let lt = lhs.type, rt = rhs.type
        if returnBool && !op.isComparison {
            throw error("bool modifier can only be used on comparison operators", at: start)
        }
        if op.isComparison && !returnBool && lt == .scalar && rt == .scalar {
            throw error("comparisons between scalars must use BOOL modifier", at: opPosition)
        }
        if matchingWritten && !(lt == .vector && rt == .vector) && (lt == .scalar || rt == .scalar) {
            throw error("vector matching only allowed between instant vectors", at: start)
        }
        for (t, pos) in [(lt, start), (rt, rhsStart)] where t != .scalar && t != .vector {
            throw error("binary expression must contain only scalar and instant vector types", at: pos)
        }
        if op.isSetOperator && (lt == .scalar || rt == .scalar) {
            throw error("set operator \"\(op.rawValue)\" not allowed in binary scalar expression", at: start)
        }
        var m: VectorMatching?
        if lt == .vector && rt == .vector {
            var mm = matching
            if op.isSetOperator {
                if mm.cardinality == .manyToOne || mm.cardinality == .oneToMany {
                    throw error("no grouping allowed for \"\(op.rawValue)\" operation", at: start)
                }
                mm.cardinality = .manyToMany
            }
            for label in mm.include where mm.on && mm.labels.contains(label) {
                throw error("label \"\(label)\" must not occur in ON and GROUP clause at once", at: start)
            }
            m = mm
        }
        return .binary(BinaryOperation(op: op, lhs: lhs, rhs: rhs, returnBool: returnBool, matching: m))
    }

    mutating func parseUnary() throws(QueryError) -> (Expr, Int) {
        if current.kind == .sub || current.kind == .add {
            let opToken = advance()
            let (operand, _) = try parseExpr(minPrecedence: BinaryOperation.Operator.pow.precedence)
            return try makeUnary(negate: opToken.kind == .sub, operand, at: opToken.position)
        }
        let start = current.position
        lastHeight = 1
        var expr = try parsePrimary()
        expr = try parsePostfix(expr, start: start)
        return (expr, start)
    }

    mutating func makeUnary(negate: Bool, _ operand: Expr, at position: Int) throws(QueryError) -> (Expr, Int) {
        if case .number(let v) = operand {
            return (.number(negate ? -v : v), position)
        }
        lastHeight += 1
        guard operand.type == .scalar || operand.type == .vector else {
            throw error("unary expression only allowed on expressions of type scalar or instant vector, got \"\(operand.type.rawValue)\"", at: position)
        }
        return (.unary(negate: negate, operand), position)
    }

    /// A parenthesized expression, call or aggregation — the cases that recurse — or else an atom.
    /// (Kept small: its stack frame is paid once per nesting level.)
    mutating func parsePrimary() throws(QueryError) -> Expr {
        switch current.kind {
        case .leftParen:
            _ = advance()
            let (inner, _) = try parseExpr(minPrecedence: 0)
            lastHeight += 1
            try expectClosingParen()
            return .paren(inner)
        case .identifier, .metricIdentifier:
            let token = advance()
            if token.kind == .identifier, let op = Aggregation.Operator(rawValue: token.text.lowercased()),
               [.leftParen, .by, .without].contains(current.kind) {
                return try parseAggregation(op, token)
            }
            if current.kind == .leftParen {
                return try parseCall(token)
            }
            return .vectorSelector(try parseSelector(name: token.text, namePosition: token.position))
        default:
            return try parseAtom()
        }
    }

    mutating func expectClosingParen() throws(QueryError) {
        if current.kind == .eof { throw error("unclosed left parenthesis", at: current.position) }
        try expect(.rightParen, "in paren expression, expected \")\"")
    }

    /// A number, string or selector, or the error for a token that cannot start an expression.
    mutating func parseAtom() throws(QueryError) -> Expr {
        let token = current
        switch token.kind {
        case .number:
            _ = advance()
            return .number(try parseNumber(token))
        case .string:
            _ = advance()
            return .string(token.value)
        case .leftBrace:
            return .vectorSelector(try parseSelector(name: nil, namePosition: token.position))
        case .land, .lor, .lunless, .by, .without, .offset:
            // Prometheus's grammar lets these keywords name a metric.
            _ = advance()
            return .vectorSelector(try parseSelector(name: token.text, namePosition: token.position))
        case .eof:
            throw unexpected(token)
        case .duration:
            throw error("unexpected duration \"\(token.text)\"", at: token.position)
        case .rightParen, .rightBrace, .rightBracket:
            throw error("unexpected right \(token.kind == .rightParen ? "parenthesis" : token.kind == .rightBrace ? "brace" : "bracket") '\(token.text)'", at: token.position)
        default:
            throw unexpected(token)
        }
    }

    func parseNumber(_ token: Token) throws(QueryError) -> Double {
        let t = token.text.lowercased()
        if t == "inf" { return .infinity }
        if t == "nan" { return .nan }
        if t.hasPrefix("0x"), let v = UInt64(t.dropFirst(2), radix: 16) { return Double(v) }
        if let v = Double(t) {
            if v.isInfinite { throw error("bad number or duration syntax: \"\(token.text)\": value out of range", at: token.position) }
            return v
        }
        throw error("bad number or duration syntax: \"\(token.text)\"", at: token.position)
    }

    mutating func parseSelector(name: String?, namePosition: Int) throws(QueryError) -> VectorSelector {
        var matchers: [LabelMatcher] = []
        if let name { matchers.append(.equal(Labels.metricName, name)) }
        if current.kind == .leftBrace {
            _ = advance()
            while current.kind != .rightBrace {
                if current.kind == .eof { throw error("unexpected end of input inside braces", at: current.position) }
                let labelToken = advance()
                guard isLabelName(labelToken) else {
                    throw unexpected(labelToken, "in label matching, expected identifier or \"}\"")
                }
                if current.kind == .eof { throw error("unexpected end of input inside braces", at: current.position) }
                let opToken = advance()
                let kind: LabelMatcher.Kind
                switch opToken.kind {
                case .assign: kind = .equal
                case .neq: kind = .notEqual
                case .eqlRegex: kind = .regexMatch
                case .neqRegex: kind = .regexNoMatch
                default: throw unexpected(opToken, "in label matching, expected label matching operator")
                }
                if current.kind == .eof { throw error("unexpected end of input inside braces", at: current.position) }
                let valueToken = advance()
                guard valueToken.kind == .string else {
                    throw unexpected(valueToken, "in label matching, expected string")
                }
                do {
                    matchers.append(try LabelMatcher(labelToken.text, kind, valueToken.value))
                } catch {
                    throw self.error("invalid regular expression \(valueToken.text): \(error)", at: valueToken.position)
                }
                if current.kind == .comma {
                    _ = advance()
                } else if current.kind != .rightBrace {
                    throw unexpected(current, "in label matching, expected \",\" or \"}\"")
                }
            }
            _ = advance()
        }
        let names = matchers.filter { $0.name == Labels.metricName && $0.kind == .equal }
        if name != nil, names.count > 1 {
            throw error("metric name must not be set twice: \"\(names[0].value)\" or \"\(names[1].value)\"", at: namePosition)
        }
        if !matchers.contains(where: { !$0.matchesEmpty }) {
            throw error("vector selector must contain at least one non-empty matcher", at: namePosition)
        }
        let written = name ?? (names.count == 1 ? names[0].value : nil)
        return VectorSelector(name: name == nil ? nil : written, matchers: matchers)
    }

    func isLabelName(_ token: Token) -> Bool {
        guard let first = token.text.utf8.first, Lexer.isAlpha(first) else { return false }
        return token.text.utf8.allSatisfy { Lexer.isAlpha($0) || Lexer.isDigit($0) }
    }

    mutating func parseLabelList() throws(QueryError) -> [String] {
        try expect(.leftParen, "in grouping opts, expected \"(\"")
        var labels: [String] = []
        while current.kind != .rightParen {
            let token = advance()
            guard isLabelName(token) else { throw unexpected(token, "in grouping opts, expected label") }
            labels.append(token.text)
            if current.kind == .comma {
                _ = advance()
            } else if current.kind != .rightParen {
                throw unexpected(current, "in grouping opts, expected \")\" or \",\"")
            }
        }
        _ = advance()
        return labels
    }

    mutating func parseCallArgs() throws(QueryError) -> [(Expr, Int)] {
        try expect(.leftParen, "expected \"(\"")
        var args: [(Expr, Int)] = []
        var tallest = 0
        defer { lastHeight = tallest + 1 }
        while current.kind != .rightParen {
            args.append(try parseExpr(minPrecedence: 0))
            tallest = max(tallest, lastHeight)
            if current.kind == .comma {
                _ = advance()
                if current.kind == .rightParen { throw error("trailing commas not allowed in function call args", at: current.position) }
            } else if current.kind != .rightParen {
                throw unexpected(current, "in function call, expected \",\" or \")\"")
            }
        }
        _ = advance()
        return args
    }

    mutating func parseCall(_ nameToken: Token) throws(QueryError) -> Expr {
        let name = nameToken.text
        guard let function = PromQLFunction(name: name) else {
            throw error("unknown function with name \"\(name)\"", at: nameToken.position)
        }
        let args = try parseCallArgs()
        return try makeCall(nameToken, function, args)
    }

    func makeCall(_ nameToken: Token, _ function: PromQLFunction, _ args: [(Expr, Int)]) throws(QueryError) -> Expr {
        let name = nameToken.text
        let signature = function.signature
        let n = signature.argTypes.count
        switch signature.variadic {
        case 0:
            if args.count != n {
                throw error("expected \(n) argument(s) in call to \"\(name)\", got \(args.count)", at: nameToken.position)
            }
        case -1:
            if args.count < n - 1 {
                throw error("expected at least \(n - 1) argument(s) in call to \"\(name)\", got \(args.count)", at: nameToken.position)
            }
        default:
            if args.count < n - signature.variadic {
                throw error("expected at least \(n - signature.variadic) argument(s) in call to \"\(name)\", got \(args.count)", at: nameToken.position)
            }
            if args.count > n {
                throw error("expected at most \(n) argument(s) in call to \"\(name)\", got \(args.count)", at: nameToken.position)
            }
        }
        for (i, (arg, position)) in args.enumerated() {
            let expected = i < n ? signature.argTypes[i] : signature.argTypes[n - 1]
            if arg.type != expected {
                throw error("expected type \(expected.rawValue) in call to function \"\(name)\", got \(arg.type.rawValue)", at: position)
            }
        }
        return .call(function, args: args.map(\.0))
    }

    mutating func parseAggregation(_ op: Aggregation.Operator, _ opToken: Token) throws(QueryError) -> Expr {
        var grouping: [String] = []
        var without = false
        var hasGrouping = false
        if current.kind == .by || current.kind == .without {
            without = advance().kind == .without
            grouping = try parseLabelList()
            hasGrouping = true
        }
        let args = try parseCallArgs()
        return try makeAggregation(op, opToken, args, grouping: grouping, without: without, hasGrouping: hasGrouping)
    }

    mutating func makeAggregation(_ op: Aggregation.Operator, _ opToken: Token, _ args: [(Expr, Int)],
                                  grouping: [String], without: Bool, hasGrouping: Bool) throws(QueryError) -> Expr {
        var grouping = grouping, without = without, hasGrouping = hasGrouping
        if !hasGrouping, current.kind == .by || current.kind == .without {
            without = advance().kind == .without
            grouping = try parseLabelList()
            hasGrouping = true
        }
        let wanted = op.hasParameter ? 2 : 1
        guard args.count == wanted else {
            if args.isEmpty { throw error("no arguments for aggregate expression provided", at: current.position) }
            throw error("wrong number of arguments for aggregate expression provided, expected \(wanted), got \(args.count)", at: opToken.position)
        }
        let (expr, exprPosition) = args[wanted - 1]
        if expr.type != .vector {
            throw error("expected type instant vector in aggregation expression, got \(expr.type.rawValue)", at: exprPosition)
        }
        var parameter: Expr?
        if op.hasParameter {
            let (p, position) = args[0]
            let want: ValueType = op == .countValues ? .string : .scalar
            if p.type != want {
                throw error("expected type \(want.rawValue) in aggregation parameter, got \(p.type.rawValue)", at: position)
            }
            parameter = p
        }
        return .aggregate(Aggregation(op: op, expr: expr, parameter: parameter, grouping: grouping, without: without,
                                      hasGrouping: hasGrouping))
    }

    mutating func parseDuration(_ context: String = "") throws(QueryError) -> Int64 {
        let token = current
        guard token.kind == .duration || token.kind == .number, let ms = durationValue(token) else {
            if token.kind == .number, bracketContext { throw error("missing unit character in duration", at: token.position) }
            throw unexpected(token, context.isEmpty ? "expected duration" : "in \(context), expected duration")
        }
        _ = advance()
        return ms
    }

    func durationValue(_ token: Token) -> Int64? {
        if token.kind == .duration { return PromDuration.parse(token.text) }
        return nil
    }

    /// Range brackets, subqueries, `offset` and `@` after a primary expression.
    mutating func parsePostfix(_ base: Expr, start: Int) throws(QueryError) -> Expr {
        var expr = base
        while true {
            switch current.kind {
            case .leftBracket:
                let bracket = advance()
                bracketContext = true
                defer { bracketContext = false }
                let range = try parseDuration()
                if current.kind == .colon {
                    _ = advance()
                    var step: Int64?
                    if current.kind != .rightBracket { step = try parseDuration() }
                    try expect(.rightBracket, "in subquery selector, expected \"]\"")
                    guard expr.type == .vector else {
                        throw error("subquery is only allowed on instant vector, got \(expr.type.goName) in \"\(expr)[\(PromDuration.format(range)):\(step.map { PromDuration.format($0) } ?? "")]\" instead", at: start)
                    }
                    if let step, step <= 0 { throw error("zero step in subquery", at: bracket.position) }
                    if range <= 0 { throw error("duration must be greater than 0", at: bracket.position) }
                    expr = .subquery(Subquery(expr: expr, range: range, step: step))
                    lastHeight += 1
                } else {
                    try expect(.rightBracket, "in matrix selector, expected \"]\"")
                    guard case .vectorSelector(let vs) = expr else {
                        throw error("ranges only allowed for vector selectors", at: bracket.position)
                    }
                    if vs.offset != 0 { throw error("no offset modifiers allowed before range", at: bracket.position) }
                    if vs.at != nil { throw error("no @ modifiers allowed before range", at: bracket.position) }
                    if range <= 0 { throw error("duration must be greater than 0", at: bracket.position) }
                    expr = .matrixSelector(vs, range: range)
                }
            case .offset:
                _ = advance()
                var negative = false
                if current.kind == .sub {
                    _ = advance()
                    negative = true
                } else if current.kind == .add {
                    _ = advance()
                }
                let d = try parseDuration("offset")
                expr = try applyOffset(expr, negative ? -d : d, at: start)
            case .at:
                _ = advance()
                let at = try parseAtValue(start)
                expr = try applyAt(expr, at, at: start)
            default:
                return expr
            }
        }
    }

    mutating func parseAtValue(_ start: Int) throws(QueryError) -> AtModifier {
        if current.kind == .identifier, current.text == "start" || current.text == "end" {
            let word = advance().text
            try expect(.leftParen, "expected \"(\"")
            try expect(.rightParen, "expected \")\"")
            return word == "start" ? .start : .end
        }
        var sign = 1.0
        var signText = ""
        if current.kind == .sub || current.kind == .add {
            signText = current.text
            if advance().kind == .sub { sign = -1 }
        }
        guard current.kind == .number else { throw unexpected(current, "in @, expected timestamp") }
        let token = advance()
        let seconds = sign * (try parseNumber(token))
        guard seconds.isFinite, abs(seconds * 1000) < 9.2e18 else {
            throw error("timestamp out of bounds for @ modifier: \(signText)\(token.text)", at: start)
        }
        return .timestamp(Int64((seconds * 1000).rounded()))
    }

    func applyOffset(_ expr: Expr, _ offset: Int64, at position: Int) throws(QueryError) -> Expr {
        switch expr {
        case .vectorSelector(var vs):
            if vs.offset != 0 { throw error("offset may not be set multiple times", at: position) }
            vs.offset = offset
            return .vectorSelector(vs)
        case .matrixSelector(var vs, let range):
            if vs.offset != 0 { throw error("offset may not be set multiple times", at: position) }
            vs.offset = offset
            return .matrixSelector(vs, range: range)
        case .subquery(var sq):
            if sq.offset != 0 { throw error("offset may not be set multiple times", at: position) }
            sq.offset = offset
            return .subquery(sq)
        default:
            throw error("offset modifier must be preceded by an instant vector selector or range vector selector or a subquery", at: position)
        }
    }

    func applyAt(_ expr: Expr, _ at: AtModifier, at position: Int) throws(QueryError) -> Expr {
        switch expr {
        case .vectorSelector(var vs):
            if vs.at != nil { throw error("@ <timestamp> may not be set multiple times", at: position) }
            vs.at = at
            return .vectorSelector(vs)
        case .matrixSelector(var vs, let range):
            if vs.at != nil { throw error("@ <timestamp> may not be set multiple times", at: position) }
            vs.at = at
            return .matrixSelector(vs, range: range)
        case .subquery(var sq):
            if sq.at != nil { throw error("@ <timestamp> may not be set multiple times", at: position) }
            sq.at = at
            return .subquery(sq)
        default:
            throw error("@ modifier must be preceded by an instant vector selector or range vector selector or a subquery", at: position)
        }
    }
}
