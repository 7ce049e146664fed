import LookoutModel

/// Alertmanager's matcher syntax, as `matchers:`, `source_matchers:`, amtool and the API's
/// `filter` use it: `name="value"`, `name!=value`, `name=~"re"`, `name!~re`, quotes optional,
/// a list optionally in braces and comma-separated.
public enum MatcherParser {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// One matcher or a `{a="b", c=~"d"}` list.
    public static func parseList(_ text: String) throws(Failure) -> [LabelMatcher] {
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        if body.hasPrefix("{") {
            guard body.hasSuffix("}") else { throw Failure(message: "bad matcher format: \(text)") }
            body = body.dropFirst().dropLast()
        }
        var matchers: [LabelMatcher] = []
        var rest = body
        while true {
            rest = rest.drop { $0 == " " || $0 == "," }
            if rest.isEmpty { break }
            let (matcher, remainder) = try one(rest, whole: text)
            matchers.append(matcher)
            rest = remainder
        }
        return matchers
    }

    public static func parse(_ text: String) throws(Failure) -> LabelMatcher {
        let list = try parseList(text)
        guard list.count == 1 else { throw Failure(message: "bad matcher format: \(text)") }
        return list[0]
    }

    private static func one(_ text: Substring, whole: String) throws(Failure) -> (LabelMatcher, Substring) {
        var rest = text
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        rest = rest.dropFirst(name.count).drop { $0 == " " }
        guard !name.isEmpty else { throw Failure(message: "bad matcher format: \(whole)") }
        let kind: LabelMatcher.Kind
        if rest.hasPrefix("=~") { kind = .regexMatch; rest = rest.dropFirst(2) }
        else if rest.hasPrefix("!~") { kind = .regexNoMatch; rest = rest.dropFirst(2) }
        else if rest.hasPrefix("!=") { kind = .notEqual; rest = rest.dropFirst(2) }
        else if rest.hasPrefix("=") { kind = .equal; rest = rest.dropFirst() }
        else { throw Failure(message: "bad matcher format: \(whole): expected one of =, !=, =~, !~ after \"\(name)\"") }
        rest = rest.drop { $0 == " " }
        var value = ""
        if rest.first == "\"" {
            rest = rest.dropFirst()
            var closed = false
            while let c = rest.popFirst() {
                if c == "\\", let next = rest.popFirst() {
                    switch next {
                    case "n": value.append("\n")
                    case "t": value.append("\t")
                    default: value.append(next)
                    }
                    continue
                }
                if c == "\"" { closed = true; break }
                value.append(c)
            }
            guard closed else { throw Failure(message: "bad matcher format: \(whole): unterminated quoted value") }
        } else {
            let raw = rest.prefix { $0 != "," }
            value = raw.trimmingCharacters(in: .whitespaces)
            rest = rest.dropFirst(raw.count)
        }
        do {
            return (try LabelMatcher(String(name), kind, value), rest)
        } catch {
            throw Failure(message: "invalid regular expression in matcher \(whole): \(error)")
        }
    }
}
