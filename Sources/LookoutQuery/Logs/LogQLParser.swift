import LookoutModel

/// Parses the LogQL log queries `LogQuery` runs. Errors read as Loki's:
/// `parse error at line 1, col N: …`, N counting characters from 1.
public enum LogQLParser {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var column: Int
        public var reason: String
        public var description: String { "parse error at line 1, col \(column): \(reason)" }
    }

    public static func parse(_ text: String) throws(Failure) -> LogQuery {
        var p = Cursor(chars: Array(text))
        p.space()
        let matchers = try p.selector()
        var stages: [LogQuery.Stage] = []
        while true {
            p.space()
            guard !p.atEnd else { break }
            let at = p.at
            if p.take("|=") {
                stages.append(.contains(try p.string()))
            } else if p.take("!=") {
                stages.append(.notContains(try p.string()))
            } else if p.take("|~") {
                stages.append(.matches(try p.regex()))
            } else if p.take("!~") {
                stages.append(.notMatches(try p.regex()))
            } else if p.take("|") {
                p.space()
                let name = p.identifier()
                switch name {
                case "json": stages.append(.json)
                case "logfmt": stages.append(.logfmt)
                case "": throw Failure(column: p.at + 1, reason: "syntax error: unexpected \(p.describeNext()), expecting a parser or a label filter")
                case "pattern", "regexp", "unpack", "line_format", "label_format", "drop", "keep", "unwrap", "decolorize":
                    throw Failure(column: at + 1, reason: "| \(name) is not supported by Lookout yet")
                default: stages.append(.label(try p.labelFilter(name)))
                }
            } else {
                throw Failure(column: at + 1, reason: "syntax error: unexpected \(p.describeNext())")
            }
        }
        return LogQuery(matchers: matchers, stages: stages)
    }

    struct Cursor {
        let chars: [Character]
        var at = 0

        var atEnd: Bool { at >= chars.count }

        mutating func space() { while at < chars.count, chars[at].isWhitespace { at += 1 } }

        func describeNext() -> String { atEnd ? "end of input" : "\"\(chars[at])\"" }

        mutating func take(_ word: String) -> Bool {
            let w = Array(word)
            guard at + w.count <= chars.count, Array(chars[at..<at + w.count]) == w else { return false }
            at += w.count
            return true
        }

        mutating func identifier() -> String {
            let start = at
            while at < chars.count, chars[at] == "_" || chars[at].isASCII && (chars[at].isLetter || (at > start && chars[at].isNumber)) { at += 1 }
            return String(chars[start..<at])
        }

        mutating func selector() throws(Failure) -> [LabelMatcher] {
            guard take("{") else { throw Failure(column: at + 1, reason: "syntax error: unexpected \(describeNext()), expecting {") }
            var matchers: [LabelMatcher] = []
            space()
            if take("}") { throw Failure(column: at, reason: "queries require at least one matcher") }
            while true {
                space()
                let nameAt = at
                let name = identifier()
                guard !name.isEmpty else { throw Failure(column: at + 1, reason: "syntax error: unexpected \(describeNext()), expecting a label name") }
                space()
                let kind: LabelMatcher.Kind
                if take("=~") { kind = .regexMatch } else if take("!~") { kind = .regexNoMatch } else if take("!=") { kind = .notEqual } else if take("=") { kind = .equal } else {
                    throw Failure(column: at + 1, reason: "syntax error: unexpected \(describeNext()), expecting = != =~ or !~")
                }
                space()
                let value = try string()
                do { matchers.append(try LabelMatcher(name, kind, value)) } catch {
                    throw Failure(column: nameAt + 1, reason: "invalid regex in the matcher of \(name): \(error)")
                }
                space()
                if take("}") { break }
                guard take(",") else { throw Failure(column: at + 1, reason: "syntax error: unexpected \(describeNext()), expecting , or }") }
            }
            guard matchers.contains(where: { !$0.matches("") }) else {
                throw Failure(column: 1, reason: "queries require at least one regexp or equality matcher that does not have an empty-compatible value")
            }
            return matchers
        }

        mutating func string() throws(Failure) -> String {
            space()
            guard !atEnd, chars[at] == "\"" || chars[at] == "`" else {
                throw Failure(column: at + 1, reason: "syntax error: unexpected \(describeNext()), expecting a string")
            }
            let quote = chars[at]
            let start = at
            at += 1
            var out = ""
            while at < chars.count, chars[at] != quote {
                if quote == "\"" && chars[at] == "\\" && at + 1 < chars.count {
                    at += 1
                    switch chars[at] {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "r": out.append("\r")
                    default: out.append(chars[at])
                    }
                } else {
                    out.append(chars[at])
                }
                at += 1
            }
            guard !atEnd else { throw Failure(column: start + 1, reason: "unterminated string") }
            at += 1
            return out
        }

        mutating func regex() throws(Failure) -> RE2Regex {
            let start = at
            let pattern = try string()
            do { return try RE2Regex("(?s).*(?:" + pattern + ").*") } catch {
                throw Failure(column: start + 1, reason: "invalid regex \"\(pattern)\": \(error)")
            }
        }

        mutating func labelFilter(_ name: String) throws(Failure) -> LogQuery.LabelFilter {
            space()
            let opAt = at
            let op: String
            if take("=~") { op = "=~" } else if take("!~") { op = "!~" } else if take("!=") { op = "!=" } else if take("==") { op = "==" }
            else if take(">=") { op = ">=" } else if take("<=") { op = "<=" } else if take(">") { op = ">" } else if take("<") { op = "<" }
            else if take("=") { op = "=" } else {
                throw Failure(column: at + 1, reason: "syntax error: unexpected \(describeNext()), expecting a comparison after \(name)")
            }
            space()
            if !atEnd, chars[at] == "\"" || chars[at] == "`" {
                let text = try string()
                let kind: LabelMatcher.Kind
                switch op {
                case "=", "==": kind = .equal
                case "!=": kind = .notEqual
                case "=~": kind = .regexMatch
                case "!~": kind = .regexNoMatch
                default: throw Failure(column: opAt + 1, reason: "\(op) compares numbers; \(name) \(op) \"\(text)\" compares a string")
                }
                do { return .init(name: name, op: op, text: text, matcher: try LabelMatcher(name, kind, text), number: nil) } catch {
                    throw Failure(column: opAt + 1, reason: "invalid regex \"\(text)\": \(error)")
                }
            }
            let start = at
            while at < chars.count, chars[at].isNumber || chars[at] == "." || chars[at] == "-" || chars[at] == "e" || chars[at] == "+" { at += 1 }
            let text = String(chars[start..<at])
            guard let number = Double(text), op != "=~", op != "!~" else {
                throw Failure(column: start + 1, reason: "syntax error: unexpected \(text.isEmpty ? describeNext() : "\"\(text)\""), expecting a string or a number")
            }
            return .init(name: name, op: op, text: text, matcher: nil, number: number)
        }
    }
}
