import LookoutModel

/// A LogQL log query, the subset Lookout runs today: a stream selector, then line filters
/// (`|=`, `!=`, `|~`, `!~`), the `| json` and `| logfmt` parsers, and label filters
/// (`| name = "v"`, `!=`, `=~`, `!~`, and `> >= < <= ==` on numbers). Structured fields are
/// labels of their line without a parser, as Loki treats structured metadata.
public struct LogQuery: Sendable {
    public var matchers: [LabelMatcher]
    public var stages: [Stage]

    public enum Stage: Sendable {
        case contains(String)
        case notContains(String)
        case matches(RE2Regex)
        case notMatches(RE2Regex)
        case json
        case logfmt
        case label(LabelFilter)
    }

    /// `| name op value` on a line's labels (stream labels, fields, parsed keys).
    public struct LabelFilter: Sendable {
        public var name: String
        public var op: String
        public var text: String
        public var matcher: LabelMatcher?
        public var number: Double?

        /// Whether `value` (nil: the label is absent) passes.
        func admits(_ value: String?) -> Bool {
            if let matcher { return matcher.matches(value ?? "") }
            guard let number, let v = value.flatMap(Double.init) else { return false }
            switch op {
            case ">": return v > number
            case ">=": return v >= number
            case "<": return v < number
            case "<=": return v <= number
            case "!=": return v != number
            default: return v == number
            }
        }
    }

    /// One line as the stages see it: its text and labels, `__error__` when a parser failed.
    public struct Line: Sendable {
        public var record: LogRecord
        /// Stream labels, then fields, then parsed keys (later ones win, as Loki's `_extracted` aside).
        public var labels: [String: String]
    }

    /// A parsed key that names a stream label already is added as `<key>_extracted`, as Loki does.
    private func add(_ key: String, _ value: String, to labels: inout [String: String]) {
        labels[labels[key] == nil ? key : key + "_extracted"] = value
    }

    /// Runs the stages on a record; nil when a filter drops it.
    public func apply(_ record: LogRecord) -> Line? {
        var labels: [String: String] = [:]
        for l in record.labels { labels[l.name] = l.value }
        for f in record.fields where labels[f.name] == nil { labels[f.name] = f.value }
        for stage in stages {
            switch stage {
            case .contains(let s): if !s.isEmpty && !record.line.contains(s) { return nil }
            case .notContains(let s): if !s.isEmpty && record.line.contains(s) { return nil }
            case .matches(let r): if !r.fullMatch(record.line) { return nil }
            case .notMatches(let r): if r.fullMatch(record.line) { return nil }
            case .json:
                do {
                    for (k, v) in try FlatJSON.fields(Array(record.line.utf8)) { add(k, v.text, to: &labels) }
                } catch {
                    labels["__error__"] = "JSONParserErr"
                }
            case .logfmt:
                if let pairs = Logfmt.pairs(record.line) {
                    for (k, v) in pairs { add(k, v, to: &labels) }
                } else {
                    labels["__error__"] = "LogfmtParserErr"
                }
            case .label(let f): if !f.admits(labels[f.name]) { return nil }
            }
        }
        return Line(record: record, labels: labels)
    }
}
