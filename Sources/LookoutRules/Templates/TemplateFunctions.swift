import Foundation
import LookoutModel

/// The functions Prometheus gives alert templates (`humanize`, `printf`, `query`, `first`,
/// `value`, `reReplaceAll`, …) and the Go template built-ins rule files use (`eq`, `and`, `len`…).
enum TemplateFunctions {
    static let names: Set<String> = [
        "humanize", "humanize1024", "humanizePercentage", "humanizeDuration", "humanizeTimestamp",
        "printf", "query", "first", "value", "label", "strvalue", "toUpper", "toLower", "title",
        "reReplaceAll", "match", "stripPort", "safeHtml", "sortByLabel", "len", "index", "not", "and",
        "or", "eq", "ne", "lt", "le", "gt", "ge", "print", "urlquery", "html", "js", "parseDuration",
    ]

    static func call(_ name: String, _ args: [TemplateValue], query: TemplateQueryFunction?) throws(TemplateError) -> TemplateValue {
        func arity(_ n: Int) throws(TemplateError) {
            guard args.count == n else {
                throw TemplateError("wrong number of args for \(name): want \(n) got \(args.count)")
            }
        }
        switch name {
        case "humanize": try arity(1); return .string(Humanize.si(try number(args[0], name)))
        case "humanize1024": try arity(1); return .string(Humanize.binary(try number(args[0], name)))
        case "humanizePercentage": try arity(1); return .string(Humanize.percentage(try number(args[0], name)))
        case "humanizeDuration": try arity(1); return .string(Humanize.duration(try number(args[0], name)))
        case "humanizeTimestamp": try arity(1); return .string(Humanize.timestamp(try number(args[0], name)))
        case "parseDuration":
            try arity(1)
            let text = string(args[0])
            guard let ms = PromDuration.parse(text) else { throw TemplateError("error calling parseDuration: not a valid duration string: \"\(text)\"") }
            return .number(Double(ms) / 1000)
        case "printf":
            guard let format = args.first else { throw TemplateError("wrong number of args for printf: want at least 1 got 0") }
            return .string(GoFormat.printf(string(format), Array(args.dropFirst())))
        case "print":
            return .string(args.map { TemplateEvaluator.format($0) }.joined(separator: " "))
        case "query":
            try arity(1)
            guard let query else { throw TemplateError("error calling query: queries are not available here") }
            do {
                return .samples(try query(string(args[0])))
            } catch {
                throw TemplateError("error calling query: \(error)")
            }
        case "first":
            try arity(1)
            guard case .samples(let samples) = args[0] else { throw TemplateError("error calling first: first() called on a non-vector") }
            guard let first = samples.first else { throw TemplateError("error calling first: first() called on vector with no elements") }
            return .sample(first)
        case "value":
            try arity(1)
            guard case .sample(let sample) = args[0] else { throw TemplateError("error calling value: value() called on a non-sample") }
            return .number(sample.sample.value)
        case "label":
            try arity(2)
            guard case .sample(let sample) = args[1] else { throw TemplateError("error calling label: label() called on a non-sample") }
            return .string(sample.labels[string(args[0])] ?? "")
        case "strvalue":
            try arity(1)
            guard case .sample(let sample) = args[0] else { return .string("") }
            return .string(sample.labels["__value__"] ?? "")
        case "sortByLabel":
            try arity(2)
            guard case .samples(let samples) = args[1] else { throw TemplateError("error calling sortByLabel: not a vector") }
            let label = string(args[0])
            return .samples(samples.sorted { ($0.labels[label] ?? "") < ($1.labels[label] ?? "") })
        case "toUpper": try arity(1); return .string(string(args[0]).uppercased())
        case "toLower": try arity(1); return .string(string(args[0]).lowercased())
        case "title": try arity(1); return .string(string(args[0]).capitalized)
        case "safeHtml", "html", "js": try arity(1); return .string(string(args[0]))
        case "urlquery":
            try arity(1)
            return .string(string(args[0]).addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? "")
        case "stripPort":
            try arity(1)
            let host = string(args[0])
            if host.hasPrefix("["), let end = host.firstIndex(of: "]") { return .string(String(host[host.index(after: host.startIndex)..<end])) }
            if let colon = host.lastIndex(of: ":"), host.firstIndex(of: ":") == colon { return .string(String(host[..<colon])) }
            return .string(host)
        case "reReplaceAll":
            try arity(3)
            let regex = try regex(string(args[0]), name)
            let text = string(args[2])
            let template = string(args[1]).replacingOccurrences(of: "${", with: "$").replacingOccurrences(of: "}", with: "")
            return .string(regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template))
        case "match":
            try arity(2)
            let regex = try regex(string(args[0]), name)
            let text = string(args[1])
            return .bool(regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil)
        case "len":
            try arity(1)
            switch args[0] {
            case .string(let s): return .number(Double(s.utf8.count))
            case .map(let m): return .number(Double(m.count))
            case .samples(let s): return .number(Double(s.count))
            default: throw TemplateError("error calling len: len of \(TemplateEvaluator.format(args[0]))")
            }
        case "index":
            try arity(2)
            guard case .map(let map) = args[0] else { throw TemplateError("error calling index: can't index item") }
            return .string(map[string(args[1])] ?? "")
        case "not": try arity(1); return .bool(!args[0].isTrue)
        case "and":
            guard !args.isEmpty else { throw TemplateError("wrong number of args for and") }
            return args.first { !$0.isTrue } ?? args.last!
        case "or":
            guard !args.isEmpty else { throw TemplateError("wrong number of args for or") }
            return args.first { $0.isTrue } ?? args.last!
        case "eq", "ne", "lt", "le", "gt", "ge":
            try arity(2)
            let order = try compare(args[0], args[1], name)
            switch name {
            case "eq": return .bool(order == 0)
            case "ne": return .bool(order != 0)
            case "lt": return .bool(order < 0)
            case "le": return .bool(order <= 0)
            case "gt": return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        default:
            throw TemplateError("function \"\(name)\" not defined")
        }
    }

    static func string(_ value: TemplateValue) -> String {
        TemplateEvaluator.format(value)
    }

    /// Prometheus's `convertToFloat`: numbers, and strings that parse as numbers.
    static func number(_ value: TemplateValue, _ function: String) throws(TemplateError) -> Double {
        switch value {
        case .number(let n): return n
        case .string(let s):
            guard let n = Double(s.trimmingCharacters(in: .whitespaces)) else { throw TemplateError("error calling \(function): strconv.ParseFloat: parsing \"\(s)\": invalid syntax") }
            return n
        case .sample(let s): return s.sample.value
        default: throw TemplateError("error calling \(function): can't convert \(TemplateEvaluator.format(value)) to float")
        }
    }

    static func compare(_ a: TemplateValue, _ b: TemplateValue, _ name: String) throws(TemplateError) -> Int {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x < y ? -1 : x > y ? 1 : 0
        case (.string(let x), .string(let y)): return x < y ? -1 : x > y ? 1 : 0
        case (.bool(let x), .bool(let y)):
            guard name == "eq" || name == "ne" else { throw TemplateError("error calling \(name): invalid type for comparison") }
            return x == y ? 0 : 1
        default: throw TemplateError("error calling \(name): incompatible types for comparison")
        }
    }

    static func regex(_ pattern: String, _ function: String) throws(TemplateError) -> NSRegularExpression {
        do {
            return try NSRegularExpression(pattern: pattern)
        } catch {
            throw TemplateError("error calling \(function): invalid regular expression \"\(pattern)\"")
        }
    }
}
