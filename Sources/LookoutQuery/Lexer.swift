import LookoutModel

/// Splits PromQL text into tokens; errors carry the position of the offending character.
struct Lexer {
    private let text: String
    private let bytes: [UInt8]
    private var pos = 0
    private var braceDepth = 0
    private var bracketDepth = 0

    init(_ text: String) {
        self.text = text
        self.bytes = Array(text.utf8)
    }

    static let keywords: [String: Token.Kind] = [
        "and": .land, "or": .lor, "unless": .lunless, "atan2": .atan2, "bool": .bool, "by": .by,
        "without": .without, "on": .on, "ignoring": .ignoring, "group_left": .groupLeft,
        "group_right": .groupRight, "offset": .offset,
    ]

    mutating func tokenize() throws(QueryError) -> [Token] {
        var tokens: [Token] = []
        while true {
            let token = try next()
            tokens.append(token)
            if token.kind == .eof { return tokens }
        }
    }

    private func error(_ message: String, at offset: Int) -> QueryError {
        QueryError.parse(message, at: offset, in: text)
    }

    private func peek(_ ahead: Int = 0) -> UInt8? {
        pos + ahead < bytes.count ? bytes[pos + ahead] : nil
    }

    private func slice(_ from: Int, _ to: Int) -> String {
        String(decoding: bytes[from..<to], as: UTF8.self)
    }

    static func isAlpha(_ c: UInt8) -> Bool {
        (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c == 95
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    private mutating func next() throws(QueryError) -> Token {
        // Skip whitespace and comments.
        while let c = peek() {
            if c == 32 || c == 9 || c == 10 || c == 13 {
                pos += 1
            } else if c == UInt8(ascii: "#") {
                while let d = peek(), d != 10 { pos += 1 }
            } else {
                break
            }
        }
        let start = pos
        guard let c = peek() else { return Token(kind: .eof, text: "", position: pos) }
        func single(_ kind: Token.Kind, _ length: Int = 1) -> Token {
            pos += length
            return Token(kind: kind, text: slice(start, start + length), position: start)
        }
        switch c {
        case UInt8(ascii: "("): return single(.leftParen)
        case UInt8(ascii: ")"): return single(.rightParen)
        case UInt8(ascii: "{"):
            braceDepth += 1
            return single(.leftBrace)
        case UInt8(ascii: "}"):
            // Never below 0: an unmatched closer is the parser's error to report, and a negative
            // depth would leave `:` matched by neither the colon nor the identifier rule.
            braceDepth = max(0, braceDepth - 1)
            return single(.rightBrace)
        case UInt8(ascii: "["):
            bracketDepth += 1
            return single(.leftBracket)
        case UInt8(ascii: "]"):
            bracketDepth = max(0, bracketDepth - 1)
            return single(.rightBracket)
        case UInt8(ascii: ","): return single(.comma)
        case UInt8(ascii: "@"): return single(.at)
        case UInt8(ascii: "+"): return single(.add)
        case UInt8(ascii: "-"): return single(.sub)
        case UInt8(ascii: "*"): return single(.mul)
        case UInt8(ascii: "/"): return single(.div)
        case UInt8(ascii: "%"): return single(.mod)
        case UInt8(ascii: "^"): return single(.pow)
        case UInt8(ascii: "="):
            if peek(1) == UInt8(ascii: "=") { return single(.eql, 2) }
            if peek(1) == UInt8(ascii: "~") { return single(.eqlRegex, 2) }
            return single(.assign)
        case UInt8(ascii: "!"):
            if peek(1) == UInt8(ascii: "=") { return single(.neq, 2) }
            if peek(1) == UInt8(ascii: "~") { return single(.neqRegex, 2) }
            throw error("unexpected character after '!': \(peek(1).map { String(UnicodeScalar($0)) } ?? "end of input")", at: start)
        case UInt8(ascii: "<"):
            if peek(1) == UInt8(ascii: "=") { return single(.lte, 2) }
            return single(.lss)
        case UInt8(ascii: ">"):
            if peek(1) == UInt8(ascii: "=") { return single(.gte, 2) }
            return single(.gtr)
        case UInt8(ascii: ":"):
            if bracketDepth > 0 { return single(.colon) }
            return try identifier(start)
        case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`"):
            return try string(start, quote: c)
        default:
            if Lexer.isDigit(c) || (c == UInt8(ascii: ".") && peek(1).map(Lexer.isDigit) == true) {
                return try numberOrDuration(start)
            }
            if Lexer.isAlpha(c) { return try identifier(start) }
            let scalar = String(decoding: bytes[start..<min(bytes.count, start + 4)], as: UTF8.self).first.map(String.init) ?? "?"
            if braceDepth > 0 {
                throw error("unexpected character inside braces: '\(scalar)'", at: start)
            }
            throw error("unexpected character: '\(scalar)'", at: start)
        }
    }

    private mutating func identifier(_ start: Int) throws(QueryError) -> Token {
        var hasColon = false
        while let c = peek(), Lexer.isAlpha(c) || Lexer.isDigit(c) || (c == UInt8(ascii: ":") && bracketDepth == 0) {
            if c == UInt8(ascii: ":") { hasColon = true }
            pos += 1
        }
        let word = slice(start, pos)
        if braceDepth == 0, let keyword = Lexer.keywords[word.lowercased()] {
            return Token(kind: keyword, text: word, position: start)
        }
        let lower = word.lowercased()
        if braceDepth == 0, lower == "inf" || lower == "nan" {
            return Token(kind: .number, text: word, position: start)
        }
        return Token(kind: hasColon ? .metricIdentifier : .identifier, text: word, position: start)
    }

    private mutating func numberOrDuration(_ start: Int) throws(QueryError) -> Token {
        // Hexadecimal.
        if peek() == UInt8(ascii: "0"), let x = peek(1), x == UInt8(ascii: "x") || x == UInt8(ascii: "X") {
            pos += 2
            while let c = peek(), Lexer.isDigit(c) || (c | 0x20 >= 97 && c | 0x20 <= 102) { pos += 1 }
            if let c = peek(), Lexer.isAlpha(c) {
                throw error("bad number or duration syntax: \"\(slice(start, pos + 1))\"", at: start)
            }
            return Token(kind: .number, text: slice(start, pos), position: start)
        }
        // Try a duration first: digits followed by unit letters, repeated.
        var probe = pos
        var sawUnit = false
        while probe < bytes.count, Lexer.isDigit(bytes[probe]) {
            var digitEnd = probe
            while digitEnd < bytes.count, Lexer.isDigit(bytes[digitEnd]) { digitEnd += 1 }
            var unitEnd = digitEnd
            while unitEnd < bytes.count, bytes[unitEnd] >= 97, bytes[unitEnd] <= 122 { unitEnd += 1 }
            if unitEnd == digitEnd { break }
            let unit = slice(digitEnd, unitEnd)
            guard ["ms", "s", "m", "h", "d", "w", "y"].contains(unit) else { break }
            sawUnit = true
            probe = unitEnd
        }
        if sawUnit, probe == bytes.count || !(Lexer.isAlpha(bytes[probe]) || Lexer.isDigit(bytes[probe]) || bytes[probe] == UInt8(ascii: ".")) {
            let literal = slice(start, probe)
            if PromDuration.parse(literal) != nil {
                pos = probe
                return Token(kind: .duration, text: literal, position: start)
            }
        }
        // Decimal number with optional fraction and exponent.
        while let c = peek(), Lexer.isDigit(c) { pos += 1 }
        if peek() == UInt8(ascii: ".") {
            pos += 1
            while let c = peek(), Lexer.isDigit(c) { pos += 1 }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            var probe = pos + 1
            if probe < bytes.count, bytes[probe] == UInt8(ascii: "+") || bytes[probe] == UInt8(ascii: "-") { probe += 1 }
            if probe < bytes.count, Lexer.isDigit(bytes[probe]) {
                pos = probe
                while let c = peek(), Lexer.isDigit(c) { pos += 1 }
            }
        }
        if let c = peek(), Lexer.isAlpha(c) || c == UInt8(ascii: ".") {
            var end = pos
            while end < bytes.count, Lexer.isAlpha(bytes[end]) || Lexer.isDigit(bytes[end]) || bytes[end] == UInt8(ascii: ".") { end += 1 }
            throw error("bad number or duration syntax: \"\(slice(start, end))\"", at: start)
        }
        return Token(kind: .number, text: slice(start, pos), position: start)
    }

    private mutating func string(_ start: Int, quote: UInt8) throws(QueryError) -> Token {
        pos += 1
        var out: [UInt8] = []
        while true {
            guard let c = peek() else { throw error("unterminated quoted string", at: start) }
            pos += 1
            if c == quote { break }
            if quote == UInt8(ascii: "`") {
                out.append(c)
                continue
            }
            if c == 10 { throw error("unterminated quoted string", at: start) }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                continue
            }
            guard let e = peek() else { throw error("unterminated quoted string", at: start) }
            pos += 1
            switch e {
            case UInt8(ascii: "a"): out.append(7)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "v"): out.append(11)
            case UInt8(ascii: "\\"): out.append(92)
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                guard e == quote else { throw error("unknown escape sequence '\\\(UnicodeScalar(e))'", at: pos - 2) }
                out.append(e)
            case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                let count = e == UInt8(ascii: "x") ? 2 : (e == UInt8(ascii: "u") ? 4 : 8)
                guard pos + count <= bytes.count, let code = UInt32(slice(pos, pos + count), radix: 16) else {
                    throw error("invalid escape sequence in string", at: pos - 2)
                }
                pos += count
                if e == UInt8(ascii: "x") {
                    out.append(UInt8(code))
                } else {
                    guard let scalar = Unicode.Scalar(code) else { throw error("invalid Unicode code point in escape sequence", at: pos - count - 2) }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                }
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                guard pos + 2 <= bytes.count, let code = UInt32(slice(pos - 1, pos + 2), radix: 8), code < 256 else {
                    throw error("invalid escape sequence in string", at: pos - 2)
                }
                pos += 2
                out.append(UInt8(code))
            default:
                throw error("unknown escape sequence '\\\(UnicodeScalar(e))'", at: pos - 2)
            }
        }
        var token = Token(kind: .string, text: slice(start, pos), position: start)
        // Escapes may spell invalid UTF-8, which Prometheus accepts; Swift strings repair it.
        token.value = String(decoding: out, as: UTF8.self)
        return token
    }
}
