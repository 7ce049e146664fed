import LookoutModel

/// A recursive-descent parser for `TraceQL`'s subset, over UTF-8 bytes. Nesting is bounded, so a
/// hostile query cannot exhaust the stack.
struct TraceQLParser {
    private let text: [UInt8]
    private var pos = 0
    private var depth = 0
    static let maxDepth = 64

    init(_ text: String) { self.text = Array(text.utf8) }

    mutating func parseQuery() throws(TraceQLError) -> TraceQL {
        var query = try spansetExpression()
        while skipSpace(), peek("|") {
            pos += 1
            query = .pipeline(query, try aggregate())
        }
        skipSpace()
        guard pos == text.count else { throw error("unexpected \(describeHere()) after the query") }
        return query
    }

    // MARK: Spansets

    private mutating func spansetExpression() throws(TraceQLError) -> TraceQL {
        var left = try spansetTerm()
        while true {
            skipSpace()
            if take("&&") { left = .and(left, try spansetTerm()) }
            else if take("||") { left = .or(left, try spansetTerm()) }
            else if peek(">>") || peek("<<") || peek("~") || peek(">") || peek("!") {
                throw error("structural operators (>, >>, <<, ~, !>…) are not supported")
            } else { return left }
        }
    }

    private mutating func spansetTerm() throws(TraceQLError) -> TraceQL {
        skipSpace()
        try enter()
        defer { depth -= 1 }
        if take("(") {
            let inner = try spansetExpression()
            skipSpace()
            guard take(")") else { throw error("expected ) to close the spanset group, found \(describeHere())") }
            return inner
        }
        guard take("{") else { throw error("expected a spanset { … }, found \(describeHere())") }
        skipSpace()
        if take("}") { return .spanset(nil) }
        let condition = try orCondition()
        skipSpace()
        guard take("}") else { throw error("expected && , || or } in the spanset, found \(describeHere())") }
        return .spanset(condition)
    }

    // MARK: Conditions

    private mutating func orCondition() throws(TraceQLError) -> TraceQL.Condition {
        var left = try andCondition()
        while skipSpace(), take("||") { left = .or(left, try andCondition()) }
        return left
    }

    private mutating func andCondition() throws(TraceQLError) -> TraceQL.Condition {
        var left = try comparison()
        while skipSpace(), take("&&") { left = .and(left, try comparison()) }
        return left
    }

    private mutating func comparison() throws(TraceQLError) -> TraceQL.Condition {
        skipSpace()
        try enter()
        defer { depth -= 1 }
        if take("(") {
            let inner = try orCondition()
            skipSpace()
            guard take(")") else { throw error("expected ) to close the condition group, found \(describeHere())") }
            return inner
        }
        let fieldStart = pos
        let field = try self.field()
        skipSpace()
        guard let op = self.op() else {
            throw error("expected a comparison (= != > >= < <= =~ !~) after the field, found \(describeHere())")
        }
        skipSpace()
        let value = try self.value(for: field)
        try check(field, op, value, at: fieldStart)
        return .compare(field, op, value)
    }

    private mutating func field() throws(TraceQLError) -> TraceQL.Field {
        let start = pos
        if take(".") { return .attribute(nil, try attributeName()) }
        let word = identifier()
        switch word {
        case "name": return .name
        case "status": return .status
        case "kind": return .kind
        case "duration": return .duration
        case "rootServiceName": return .rootServiceName
        case "rootName": return .rootName
        case "traceDuration": return .traceDuration
        case "statusMessage": return .statusMessage
        case "resource", "span":
            guard take(".") else { throw error("expected . and an attribute name after \(word)") }
            return .attribute(word == "resource" ? .resource : .span, try attributeName())
        case "":
            throw error("expected a field (an intrinsic such as name or duration, or an attribute such as span.http.route), found \(describeHere())")
        default:
            pos = start
            throw error("unsupported field \(word.debugDescription): use an intrinsic (name, status, kind, duration, rootServiceName, rootName, traceDuration) or a scoped attribute (resource.x, span.x, .x)")
        }
    }

    private mutating func attributeName() throws(TraceQLError) -> String {
        if peek("\"") { return try quoted() }
        let start = pos
        while pos < text.count, Self.isNameByte(text[pos]) { pos += 1 }
        guard pos > start else { throw error("expected an attribute name, found \(describeHere())") }
        return String(decoding: text[start..<pos], as: UTF8.self)
    }

    private mutating func op() -> TraceQL.Op? {
        for op in [TraceQL.Op.ge, .le, .ne, .match, .notMatch, .eq, .gt, .lt] where take(op.rawValue) { return op }
        return nil
    }

    private mutating func value(for field: TraceQL.Field) throws(TraceQLError) -> TraceQL.Value {
        if peek("\"") || peek("`") { return .string(try quoted()) }
        let start = pos
        if pos < text.count, text[pos] == UInt8(ascii: "-") || Self.isDigit(text[pos]) {
            pos += 1
            while pos < text.count, Self.isDigit(text[pos]) || text[pos] == UInt8(ascii: ".") || Self.isLetter(text[pos]) { pos += 1 }
            let literal = String(decoding: text[start..<pos], as: UTF8.self)
            if let n = Double(literal) { return .number(n) }
            if let d = GoDuration.nanoseconds(literal) { return .durationNano(d) }
            pos = start
            throw error("\(literal.debugDescription) is neither a number nor a duration")
        }
        let word = identifier()
        switch word {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "error": return .status(.error)
        case "ok": return .status(.ok)
        case "unset": return .status(.unset)
        case "server", "client", "producer", "consumer", "internal": return .kind(SpanKind(shortName: word)!)
        case "unspecified": return .kind(.unspecified)
        case "nil": pos = start; throw error("nil comparisons are not supported")
        default:
            pos = start
            throw error("expected a value (a \"string\", a number, a duration such as 100ms, true/false, a status or a kind), found \(describeHere())")
        }
    }

    /// Type checks Tempo makes at parse time.
    private func check(_ field: TraceQL.Field, _ op: TraceQL.Op, _ value: TraceQL.Value, at column: Int) throws(TraceQLError) {
        func fail(_ message: String) -> TraceQLError { TraceQLError(message: message, column: column + 1) }
        switch field {
        case .status:
            guard case .status = value, op == .eq || op == .ne else { throw fail("status compares with = or != to error, ok or unset") }
        case .kind:
            guard case .kind = value, op == .eq || op == .ne else { throw fail("kind compares with = or != to server, client, producer, consumer, internal or unspecified") }
        case .duration, .traceDuration:
            switch value {
            case .durationNano: break
            case .number(0): break
            default: throw fail("durations compare to a duration such as 100ms")
            }
            guard op != .match && op != .notMatch else { throw fail("=~ and !~ take strings") }
        case .name, .rootServiceName, .rootName, .statusMessage:
            guard case .string = value else { throw fail("this field compares to a \"string\"") }
        case .attribute:
            if op == .match || op == .notMatch, case .string = value {} else if op == .match || op == .notMatch {
                throw fail("=~ and !~ take a \"string\" regex")
            }
        }
        if op == .match || op == .notMatch, case .string(let pattern) = value {
            do { _ = try AnchoredRegex(pattern) } catch { throw fail("invalid regex \(pattern.debugDescription): \(error)") }
        }
    }

    // MARK: Pipelines

    private mutating func aggregate() throws(TraceQLError) -> TraceQL.Aggregate {
        skipSpace()
        let start = pos
        let word = identifier()
        guard let function = TraceQL.Aggregate.Function(rawValue: word) else {
            pos = start
            throw error("unsupported pipeline stage \(describeHere()): Lookout takes count(), avg(duration), min(duration), max(duration), sum(duration)")
        }
        guard take("(") else { throw error("expected ( after \(word)") }
        skipSpace()
        if function != .count {
            guard identifier() == "duration" else { throw error("\(word)() takes duration") }
            skipSpace()
        }
        guard take(")") else { throw error("expected ) to close \(word)(") }
        skipSpace()
        guard let op = self.op(), op != .match, op != .notMatch else { throw error("expected a comparison after \(word)(), found \(describeHere())") }
        skipSpace()
        let value = try self.value(for: function == .count ? .name : .duration)
        switch (function, value) {
        case (.count, .number), (_, .durationNano): break
        default: throw error(function == .count ? "count() compares to a number" : "\(word)(duration) compares to a duration")
        }
        return TraceQL.Aggregate(function: function, op: op, value: value)
    }

    // MARK: Lexing

    private mutating func quoted() throws(TraceQLError) -> String {
        let quote = text[pos]
        let start = pos
        pos += 1
        var out: [UInt8] = []
        while pos < text.count, text[pos] != quote {
            if quote == UInt8(ascii: "\""), text[pos] == UInt8(ascii: "\\"), pos + 1 < text.count {
                pos += 1
                switch text[pos] {
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "t"): out.append(0x09)
                default: out.append(text[pos])
                }
            } else {
                out.append(text[pos])
            }
            pos += 1
        }
        guard pos < text.count else {
            pos = start
            throw error("unterminated string")
        }
        pos += 1
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func identifier() -> String {
        let start = pos
        while pos < text.count, Self.isLetter(text[pos]) || (pos > start && Self.isDigit(text[pos])) || text[pos] == UInt8(ascii: "_") { pos += 1 }
        return String(decoding: text[start..<pos], as: UTF8.self)
    }

    @discardableResult
    private mutating func skipSpace() -> Bool {
        while pos < text.count, [0x20, 0x09, 0x0a, 0x0d].contains(text[pos]) { pos += 1 }
        return true
    }

    private func peek(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        return pos + bytes.count <= text.count && Array(text[pos..<pos + bytes.count]) == bytes
    }

    private mutating func take(_ s: String) -> Bool {
        guard peek(s) else { return false }
        pos += s.utf8.count
        return true
    }

    private mutating func enter() throws(TraceQLError) {
        depth += 1
        guard depth <= Self.maxDepth else { throw error("the query nests deeper than \(Self.maxDepth) levels") }
    }

    private func describeHere() -> String {
        guard pos < text.count else { return "the end of the query" }
        let end = min(text.count, pos + 12)
        return String(decoding: text[pos..<end], as: UTF8.self).debugDescription
    }

    private func error(_ message: String) -> TraceQLError { TraceQLError(message: message, column: pos + 1) }

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a }
    /// Attribute names run until a space, a comparison, a brace or a parenthesis.
    static func isNameByte(_ b: UInt8) -> Bool {
        !(b <= 0x20 || "=!<>~{}()&|\"".utf8.contains(b))
    }
}
