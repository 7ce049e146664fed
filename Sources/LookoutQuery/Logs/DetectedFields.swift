import LookoutModel

/// The fields Grafana's Explore offers for a log query (Loki's `detected_fields`): structured
/// fields and the keys a JSON or logfmt line holds, each with the type its values share, how many
/// distinct values it has, and the parser that finds it (none for structured fields).
public struct DetectedField: Sendable, Equatable {
    public var label: String
    /// `int`, `float`, `boolean`, `duration`, `bytes` or `string`.
    public var type: String
    public var cardinality: Int
    public var parsers: [String]
    /// A few of its values, sorted (for `detected_field/<name>/values`).
    public var values: [String]

    /// Values kept per field at most.
    static let maxValues = 1000

    /// The fields of `lines`, sorted by name. Stream labels are not fields.
    public static func detect(_ lines: [LogQuery.Line]) -> [DetectedField] {
        struct Seen {
            var values = Set<String>()
            var types = Set<String>()
            var parsers = Set<String>()
        }
        var seen: [String: Seen] = [:]
        func note(_ name: String, _ value: String, parser: String?) {
            guard !name.hasPrefix("__") else { return }
            var s = seen[name] ?? Seen()
            if s.values.count < maxValues { s.values.insert(value) }
            s.types.insert(type(of: value))
            if let parser { s.parsers.insert(parser) }
            seen[name] = s
        }
        for line in lines {
            let record = line.record
            for f in record.fields { note(f.name, f.value, parser: nil) }
            if let t = record.traceID { note("trace_id", t.hex, parser: nil) }
            // Keys a parser would find, when the query ran none.
            let bytes = Array(line.text.utf8)
            if bytes.first == UInt8(ascii: "{"), let fields = try? FlatJSON.fields(bytes) {
                for (k, v) in fields where record.labels[k] == nil { note(k, v.text, parser: "json") }
            } else if let pairs = Logfmt.pairs(line.text, skippingBareKeys: true), !pairs.isEmpty {
                for (k, v) in pairs where record.labels[k] == nil { note(LogQuery.sanitize(k), v, parser: "logfmt") }
            }
            // Keys the query's own parsers added.
            for (k, v) in line.labels where record.labels[k] == nil && !record.fields.contains(where: { $0.name == k }) && seen[k] == nil {
                note(k, v, parser: nil)
            }
        }
        return seen.sorted { $0.key < $1.key }.map { name, s in
            DetectedField(label: name, type: s.types.count == 1 ? s.types.first! : (s.types == ["int", "float"] ? "float" : "string"),
                          cardinality: s.values.count, parsers: s.parsers.sorted(), values: s.values.sorted())
        }
    }

    static func type(of value: String) -> String {
        if Int64(value) != nil { return "int" }
        if Double(value) != nil { return "float" }
        if value == "true" || value == "false" { return "boolean" }
        if value.last?.isLetter == true, LabelComparison.seconds(value) != nil { return "duration" }
        if value.last?.isLetter == true, LabelComparison.bytes(value) != nil { return "bytes" }
        return "string"
    }
}
