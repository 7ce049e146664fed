/// A lexical token of PromQL with its UTF-8 byte position in the query text.
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case identifier, metricIdentifier, number, duration, string
        case leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket
        case comma, colon, at, assign
        // Operators.
        case add, sub, mul, div, mod, pow, eql, neq, lss, lte, gtr, gte, eqlRegex, neqRegex
        // Keyword operators and modifiers.
        case land, lor, lunless, atan2, bool, by, without, on, ignoring, groupLeft, groupRight, offset
        case eof
    }

    var kind: Kind
    var text: String
    var position: Int
    /// For strings: the unescaped value; for numbers and durations: unused.
    var value: String = ""

    /// How Prometheus names a token in "unexpected ..." messages.
    var describe: String {
        switch kind {
        case .eof: return "end of input"
        case .identifier, .metricIdentifier: return "identifier \"\(text)\""
        case .number: return "number \"\(text)\""
        case .duration: return "duration \"\(text)\""
        case .string: return "string \(text)"
        case .leftParen: return "\"(\""
        case .rightParen: return "\")\""
        case .leftBrace: return "\"{\""
        case .rightBrace: return "\"}\""
        case .leftBracket: return "\"[\""
        case .rightBracket: return "\"]\""
        case .comma: return "\",\""
        case .colon: return "\":\""
        case .at: return "<@>"
        case .assign: return "\"=\""
        case .land, .lor, .lunless, .atan2, .add, .sub, .mul, .div, .mod, .pow, .eql, .neq, .lss, .lte,
             .gtr, .gte, .eqlRegex, .neqRegex:
            return "<op:\(text)>"
        case .bool, .by, .without, .on, .ignoring, .groupLeft, .groupRight, .offset:
            return "<\(text)>"
        }
    }
}
