import LookoutModel

/// A LogQL log query: a stream selector, then a pipeline of stages run on each line in order —
/// line filters (`|=`, `!=`, `|~`, `!~`, with `or`), parsers (`json`, `logfmt`, `regexp`,
/// `pattern`, `unpack`), label filters, `line_format`, `label_format`, `drop`, `keep`,
/// `decolorize`, and in a metric query's range `unwrap`. Structured fields are labels of their line
/// without a parser, as Loki treats structured metadata.
public struct LogQuery: Sendable {
    public var matchers: [LabelMatcher]
    public var stages: [Stage]

    public enum Stage: Sendable {
        /// `|= "a" or "b"`: the line holds one of them.
        case contains([String])
        case notContains([String])
        case matches([RE2Regex])
        case notMatches([RE2Regex])
        /// `| json`, or `| json a="x.y", b` (only those keys, by path).
        case json([(label: String, path: [String])])
        case logfmt
        case regexp(RE2Regex, names: [(String, Int)])
        case pattern(LinePattern)
        case unpack
        case label(LabelFilterExpression)
        case lineFormat(LineTemplate)
        /// `| label_format dst=src` (rename) or `dst="{{.x}}"` (template).
        case labelFormat([(label: String, rename: String?, template: LineTemplate?)])
        case drop([(name: String, matcher: LabelMatcher?)])
        case keep([(name: String, matcher: LabelMatcher?)])
        case decolorize
        /// `| unwrap name`, `duration(name)`/`duration_seconds(name)` or `bytes(name)`.
        case unwrap(String, Conversion)
    }

    public enum Conversion: Sendable {
        case number, duration, bytes
    }

    public init(matchers: [LabelMatcher], stages: [Stage]) {
        self.matchers = matchers
        self.stages = stages
    }

    /// One line as the stages leave it.
    public struct Line: Sendable {
        public var record: LogRecord
        /// The line's text (changed by `line_format`).
        public var text: String
        /// Stream labels, then fields, then parsed keys (a parsed key that names a label already is
        /// added as `<key>_extracted`, as Loki does), `__error__` when a stage failed.
        public var labels: [String: String]
        /// What `unwrap` read, when the query has one.
        public var value: Double?
    }

    /// The substrings every stored line the query keeps must hold (its single-needle `|=` filters
    /// before a stage that rewrites the line: `line_format`, `unpack`, `decolorize`), for the
    /// store's page filters.
    public var requiredSubstrings: [String] {
        var out: [String] = []
        for stage in stages {
            switch stage {
            case .contains(let needles) where needles.count == 1: out.append(needles[0])
            case .lineFormat, .unpack, .decolorize: return out
            default: continue
            }
        }
        return out
    }

    /// The label `unwrap` reads, if any (it is not a label of the resulting series).
    public var unwrapped: String? {
        for case .unwrap(let name, _) in stages { return name }
        return nil
    }

    /// Whether a stage may change a line's labels (else the series of a line is its stream and fields).
    var changesLabels: Bool {
        stages.contains {
            switch $0 {
            case .contains, .notContains, .matches, .notMatches, .label, .lineFormat, .decolorize, .unwrap: false
            default: true
            }
        }
    }

    private static func add(_ key: String, _ value: String, to labels: inout [String: String]) {
        labels[labels[key] == nil ? key : key + "_extracted"] = value
    }

    /// Runs the stages on a record; nil when a filter drops it.
    public func apply(_ record: LogRecord) -> Line? {
        var labels: [String: String] = [:]
        for l in record.labels { labels[l.name] = l.value }
        for f in record.fields where labels[f.name] == nil { labels[f.name] = f.value }
        // The ids a line leads to its trace by, as structured metadata (Grafana's derived fields read them).
        if let t = record.traceID, labels["trace_id"] == nil { labels["trace_id"] = t.hex }
        if let s = record.spanID, labels["span_id"] == nil { labels["span_id"] = s.hex }
        var line = Line(record: record, text: record.line, labels: labels)
        for stage in stages {
            guard run(stage, on: &line) else { return nil }
        }
        return line
    }

    private func run(_ stage: Stage, on line: inout Line) -> Bool {
        switch stage {
        case .contains(let needles): return needles.contains { $0.isEmpty || line.text.contains($0) }
        case .notContains(let needles): return !needles.contains { !$0.isEmpty && line.text.contains($0) }
        case .matches(let regexes): return regexes.contains { $0.fullMatch(line.text) }
        case .notMatches(let regexes): return !regexes.contains { $0.fullMatch(line.text) }
        case .json(let wanted):
            do {
                let fields = try FlatJSON.fields(Array(line.text.utf8))
                if wanted.isEmpty {
                    for (k, v) in fields { Self.add(k, v.text, to: &line.labels) }
                } else {
                    var byKey: [String: String] = [:]
                    for (k, v) in fields { byKey[k] = v.text }
                    for w in wanted { line.labels[w.label] = byKey[w.path.joined(separator: "_")] ?? "" }
                }
            } catch {
                line.labels["__error__"] = "JSONParserErr"
                line.labels["__error_details__"] = "\(error)"
            }
        case .logfmt:
            if let pairs = Logfmt.pairs(line.text, skippingBareKeys: true) {
                for (k, v) in pairs { Self.add(Self.sanitize(k), v, to: &line.labels) }
            } else {
                line.labels["__error__"] = "LogfmtParserErr"
            }
        case .regexp(let regex, let names):
            if let groups = regex.fullMatchGroups(line.text) {
                let utf8 = Array(line.text.utf8)
                for (name, index) in names {
                    if let r = groups[index] { Self.add(name, String(decoding: utf8[r], as: UTF8.self), to: &line.labels) }
                }
            }
        case .pattern(let pattern):
            for (k, v) in pattern.captures(line.text) ?? [] { Self.add(k, v, to: &line.labels) }
        case .unpack:
            // Promtail's `pack` stage: a JSON object whose `_entry` is the original line.
            if let fields = try? FlatJSON.fields(Array(line.text.utf8)) {
                for (k, v) in fields {
                    if k == "_entry" { line.text = v.text } else { Self.add(k, v.text, to: &line.labels) }
                }
            } else {
                line.labels["__error__"] = "JSONParserErr"
            }
        case .label(let filter): return filter.admits(line.labels)
        case .lineFormat(let template):
            line.text = template.render(labels: line.labels, line: line.text, timestampNs: line.record.timestampNs)
        case .labelFormat(let rules):
            var next = line.labels
            for rule in rules {
                if let source = rule.rename {
                    next[rule.label] = line.labels[source] ?? ""
                    if source != rule.label { next[source] = nil }
                } else if let template = rule.template {
                    next[rule.label] = template.render(labels: line.labels, line: line.text, timestampNs: line.record.timestampNs)
                }
            }
            line.labels = next
        case .drop(let names):
            for d in names where d.matcher?.matches(line.labels[d.name] ?? "") ?? true { line.labels[d.name] = nil }
        case .keep(let names):
            let kept = line.labels.filter { entry in
                names.contains { $0.name == entry.key && ($0.matcher?.matches(entry.value) ?? true) }
            }
            line.labels = kept
        case .decolorize:
            line.text = Self.decolorize(line.text)
        case .unwrap(let name, let conversion):
            let raw = line.labels[name]
            let value: Double? = switch conversion {
            case .number: raw.flatMap { Double($0.trimmingSpaces) }
            case .duration: raw.flatMap(LabelComparison.seconds)
            case .bytes: raw.flatMap(LabelComparison.bytes)
            }
            if let value {
                line.value = value
            } else {
                line.labels["__error__"] = "SampleExtractionErr"
                line.labels["__error_details__"] = "cannot unwrap \(name)=\"\(raw ?? "")\" as a \(conversion)"
            }
        }
        return true
    }

    /// Logfmt keys become label names: characters a label name cannot hold become `_`.
    static func sanitize(_ key: String) -> String {
        guard !LabelName.isValid(key) else { return key }
        var out = String(key.map { $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
        if let first = out.first, first.isNumber { out = "_" + out }
        return out
    }

    /// The line without ANSI colour escapes (`ESC [ … m`).
    static func decolorize(_ text: String) -> String {
        guard text.utf8.contains(0x1B) else { return text }
        var out: [UInt8] = []
        let b = Array(text.utf8)
        var i = 0
        while i < b.count {
            if b[i] == 0x1B, i + 1 < b.count, b[i + 1] == UInt8(ascii: "[") {
                var j = i + 2
                while j < b.count, b[j] == UInt8(ascii: ";") || b[j] >= 0x30 && b[j] <= 0x39 { j += 1 }
                if j < b.count, b[j] == UInt8(ascii: "m") {
                    i = j + 1
                    continue
                }
            }
            out.append(b[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
