import LookoutModel

/// Parses the LogQL log queries `LogQuery` runs. Errors read as Loki's:
/// `parse error at line 1, col N: …`, N counting characters from 1.
public enum LogQLParser {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var column: Int
        public var reason: String
        public var description: String { "parse error at line 1, col \(column): \(reason)" }
    }

    /// A log query (selector and pipeline), the whole text.
    public static func parse(_ text: String) throws(Failure) -> LogQuery {
        var p = Cursor(chars: Array(text))
        let query = try p.logQuery()
        p.space()
        guard p.atEnd else { throw Failure(column: p.at + 1, reason: "syntax error: unexpected \(p.describeNext())") }
        if query.unwrapped != nil, let at = text.range(of: "unwrap").map({ text.distance(from: text.startIndex, to: $0.lowerBound) }) {
            throw Failure(column: at + 1, reason: "unwrap is only allowed in a range aggregation such as sum_over_time({…} | unwrap x [5m])")
        }
        return query
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
            space()
            let start = at
            let pattern = try string()
            do { return try RE2Regex("(?s).*(?:" + pattern + ").*") } catch {
                throw Failure(column: start + 1, reason: "invalid regex \"\(pattern)\": \(error)")
            }
        }

        /// A selector and its pipeline, up to the end, a `[` (a range) or a `)`.
        mutating func logQuery() throws(Failure) -> LogQuery {
            space()
            let matchers = try selector()
            return LogQuery(matchers: matchers, stages: try pipeline())
        }

        mutating func pipeline() throws(Failure) -> [LogQuery.Stage] {
            var stages: [LogQuery.Stage] = []
            while true {
                space()
                guard !atEnd, chars[at] != "[", chars[at] != ")" else { return stages }
                let at0 = at
                if take("|=") {
                    stages.append(.contains(try needles()))
                } else if take("!=") {
                    stages.append(.notContains(try needles()))
                } else if take("|~") {
                    stages.append(.matches(try regexes()))
                } else if take("!~") {
                    stages.append(.notMatches(try regexes()))
                } else if take("|") {
                    space()
                    let nameAt = at
                    let name = identifier()
                    switch name {
                    case "json": stages.append(.json(try extractions()))
                    case "logfmt":
                        space()
                        while take("--strict") || take("--keep-empty") { space() }
                        stages.append(.logfmt)
                    case "regexp":
                        let start = at
                        let pattern = try string()
                        let names = Self.groupNames(pattern)
                        guard !names.isEmpty else { throw Failure(column: start + 1, reason: "invalid regexp \"\(pattern)\": at least one named capture (?P<name>…) is needed") }
                        do {
                            let regex = try RE2Regex("(?s).*?(?:" + pattern + ").*")
                            stages.append(.regexp(regex, names: names.compactMap { n in regex.groupIndex(n).map { (n, $0) } }))
                        } catch {
                            throw Failure(column: start + 1, reason: "invalid regexp \"\(pattern)\": \(error)")
                        }
                    case "pattern":
                        let start = at
                        do { stages.append(.pattern(try LinePattern(try string()))) } catch let e as LinePattern.Invalid {
                            throw Failure(column: start + 2, reason: e.reason)
                        } catch { throw error as! Failure }
                    case "unpack": stages.append(.unpack)
                    case "decolorize": stages.append(.decolorize)
                    case "line_format":
                        let start = at
                        stages.append(.lineFormat(try template(at: start)))
                    case "label_format": stages.append(.labelFormat(try labelFormats()))
                    case "drop": stages.append(.drop(try nameList()))
                    case "keep": stages.append(.keep(try nameList()))
                    case "unwrap": stages.append(try unwrap())
                    case "" where !atEnd && chars[at] == "(": stages.append(.label(try labelFilterOr()))
                    case "": throw Failure(column: at + 1, reason: "syntax error: unexpected \(describeNext()), expecting a parser or a label filter")
                    default:
                        at = nameAt
                        stages.append(.label(try labelFilterOr()))
                    }
                } else {
                    throw Failure(column: at0 + 1, reason: "syntax error: unexpected \(describeNext())")
                }
            }
        }

        /// `"a"` or `"a" or "b" …` after a line filter operator.
        mutating func needles() throws(Failure) -> [String] {
            var out = [try string()]
            while orFollows() { out.append(try string()) }
            return out
        }

        mutating func regexes() throws(Failure) -> [RE2Regex] {
            var out = [try regex()]
            while orFollows() { out.append(try regex()) }
            return out
        }

        /// Takes `or` when a string follows it (a line filter's alternatives).
        mutating func orFollows() -> Bool {
            let save = at
            space()
            if take("or"), !atEnd, chars[at].isWhitespace {
                space()
                if !atEnd, chars[at] == "\"" || chars[at] == "`" { return true }
            }
            at = save
            return false
        }

        static func groupNames(_ pattern: String) -> [String] {
            var names: [String] = []
            var rest = Substring(pattern)
            while let r = rest.range(of: "(?P<") ?? rest.range(of: "(?<") {
                let after = rest[r.upperBound...]
                guard let close = after.firstIndex(of: ">") else { break }
                names.append(String(after[..<close]))
                rest = after[close...]
            }
            return names
        }

        /// `| json` alone, or with `label="path.to[0]", other` extractions.
        mutating func extractions() throws(Failure) -> [(label: String, path: [String])] {
            var out: [(label: String, path: [String])] = []
            while true {
                let save = at
                space()
                let name = identifier()
                guard !name.isEmpty else { at = save; return out }
                space()
                if take("=") {
                    space()
                    let path = try string()
                    out.append((name, path.replacingOccurrences(of: "[\"", with: ".").replacingOccurrences(of: "\"]", with: "")
                        .split(whereSeparator: { $0 == "." || $0 == "[" || $0 == "]" }).map(String.init)))
                } else {
                    out.append((name, [name]))
                }
                let next = at
                space()
                guard take(",") else { at = next; return out }
            }
        }

        mutating func template(at start: Int) throws(Failure) -> LineTemplate {
            let text = try string()
            do { return try LineTemplate(text) } catch { throw Failure(column: start + 2, reason: error.reason) }
        }

        mutating func labelFormats() throws(Failure) -> [(label: String, rename: String?, template: LineTemplate?)] {
            var out: [(label: String, rename: String?, template: LineTemplate?)] = []
            repeat {
                space()
                let name = identifier()
                guard !name.isEmpty else { throw Failure(column: at + 1, reason: "syntax error: unexpected \(describeNext()), expecting a label name") }
                space()
                guard take("=") else { throw Failure(column: at + 1, reason: "syntax error: unexpected \(describeNext()), expecting =") }
                space()
                if !atEnd, chars[at] == "\"" || chars[at] == "`" {
                    out.append((name, nil, try template(at: at)))
                } else {
                    let source = identifier()
                    guard !source.isEmpty else { throw Failure(column: at + 1, reason: "syntax error: unexpected \(describeNext()), expecting a label name or a template") }
                    out.append((name, source, nil))
                }
                space()
            } while take(",")
            return out
        }

        /// `| drop a, b="x"` / `| keep …`: names, each with an optional matcher on its value.
        mutating func nameList() throws(Failure) -> [(name: String, matcher: LabelMatcher?)] {
            var out: [(name: String, matcher: LabelMatcher?)] = []
            repeat {
                space()
                let name = identifier()
                guard !name.isEmpty else { throw Failure(column: at + 1, reason: "syntax error: unexpected \(describeNext()), expecting a label name") }
                space()
                let kind: LabelMatcher.Kind? = take("=~") ? .regexMatch : take("!~") ? .regexNoMatch : take("!=") ? .notEqual : take("=") ? .equal : nil
                if let kind {
                    let value = try string()
                    do { out.append((name, try LabelMatcher(name, kind, value))) } catch {
                        throw Failure(column: at, reason: "invalid regex \"\(value)\": \(error)")
                    }
                } else {
                    out.append((name, nil))
                }
                space()
            } while take(",")
            return out
        }

        mutating func unwrap() throws(Failure) -> LogQuery.Stage {
            space()
            let first = identifier()
            space()
            if take("(") {
                let conversion: LogQuery.Conversion
                switch first {
                case "duration", "duration_seconds": conversion = .duration
                case "bytes": conversion = .bytes
                default: throw Failure(column: at, reason: "unwrap conversion \(first)() is not one of duration, duration_seconds, bytes")
                }
                space()
                let name = identifier()
                space()
                guard !name.isEmpty, take(")") else { throw Failure(column: at + 1, reason: "syntax error: unexpected \(describeNext()), expecting a label name and )") }
                return .unwrap(name, conversion)
            }
            guard !first.isEmpty else { throw Failure(column: at + 1, reason: "syntax error: unexpected \(describeNext()), expecting a label to unwrap") }
            return .unwrap(first, .number)
        }

        /// Comparisons joined by `or` (loosest), `and` or `,`, with parentheses.
        mutating func labelFilterOr() throws(Failure) -> LabelFilterExpression {
            var lhs = try labelFilterAnd()
            while true {
                let save = at
                space()
                if take("or"), !atEnd, chars[at].isWhitespace || chars[at] == "(" {
                    lhs = .or(lhs, try labelFilterAnd())
                } else {
                    at = save
                    return lhs
                }
            }
        }

        mutating func labelFilterAnd() throws(Failure) -> LabelFilterExpression {
            var lhs = try labelFilterPrimary()
            while true {
                let save = at
                space()
                if take(","), true {
                    lhs = .and(lhs, try labelFilterPrimary())
                } else if take("and"), !atEnd, chars[at].isWhitespace || chars[at] == "(" {
                    lhs = .and(lhs, try labelFilterPrimary())
                } else {
                    at = save
                    return lhs
                }
            }
        }

        mutating func labelFilterPrimary() throws(Failure) -> LabelFilterExpression {
            space()
            if take("(") {
                let inner = try labelFilterOr()
                space()
                guard take(")") else { throw Failure(column: at + 1, reason: "syntax error: unexpected \(describeNext()), expecting )") }
                return inner
            }
            let name = identifier()
            guard !name.isEmpty else { throw Failure(column: at + 1, reason: "syntax error: unexpected \(describeNext()), expecting a label filter") }
            return .compare(try comparison(name))
        }

        mutating func comparison(_ name: String) throws(Failure) -> LabelComparison {
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
                do { return LabelComparison(name: name, op: op, operand: .string(try LabelMatcher(name, kind, text))) } catch {
                    throw Failure(column: opAt + 1, reason: "invalid regex \"\(text)\": \(error)")
                }
            }
            let start = at
            while at < chars.count, chars[at].isNumber || chars[at] == "." || chars[at] == "-" || chars[at] == "+" || chars[at].isLetter || chars[at] == "µ" {
                at += 1
            }
            let text = String(chars[start..<at])
            guard op != "=~", op != "!~" else {
                throw Failure(column: opAt + 1, reason: "\(op) matches a string; \(name) \(op) \(text) gives a number")
            }
            if let number = Double(text) { return LabelComparison(name: name, op: op, operand: .number(number)) }
            // `5m` is a duration, as in Loki's lexer; byte sizes carry a `b`/`B` (`5MB`, `512b`, `1KiB`).
            if text.last?.isLetter == true, let seconds = LabelComparison.seconds(text) {
                return LabelComparison(name: name, op: op, operand: .duration(seconds))
            }
            if let bytes = LabelComparison.bytes(text) { return LabelComparison(name: name, op: op, operand: .bytes(bytes)) }
            throw Failure(column: start + 1, reason: "syntax error: unexpected \(text.isEmpty ? describeNext() : "\"\(text)\""), expecting a string, a number, a duration or a byte size")
        }
    }
}
