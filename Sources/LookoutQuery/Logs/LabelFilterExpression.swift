import LookoutModel

/// A LogQL label filter: comparisons of a line's labels (stream labels, structured fields, parsed
/// keys) joined by `and` (or `,`) and `or`, `and` binding tighter, with parentheses.
public indirect enum LabelFilterExpression: Sendable {
    case compare(LabelComparison)
    case and(LabelFilterExpression, LabelFilterExpression)
    case or(LabelFilterExpression, LabelFilterExpression)

    func admits(_ labels: [String: String]) -> Bool {
        switch self {
        case .compare(let c): return c.admits(labels[c.name])
        case .and(let a, let b): return a.admits(labels) && b.admits(labels)
        case .or(let a, let b): return a.admits(labels) || b.admits(labels)
        }
    }
}

/// `name op value`: a string match (`= != =~ !~`, regexes anchored) or a comparison
/// (`== != > >= < <=`) of numbers, durations (`250ms`, `1m30s`) or byte sizes (`20KB`, `1MiB`).
public struct LabelComparison: Sendable {
    public enum Operand: Sendable {
        case string(LabelMatcher)
        case number(Double)
        case duration(Double)
        case bytes(Double)
    }

    public var name: String
    public var op: String
    public var operand: Operand

    /// Whether `value` (nil: the label is absent) passes; a value that does not read as the
    /// operand's kind does not.
    func admits(_ value: String?) -> Bool {
        let v: Double?
        switch operand {
        case .string(let matcher): return matcher.matches(value ?? "")
        case .number: v = value.flatMap { Double($0.trimmingSpaces) }
        case .duration: v = value.flatMap(Self.seconds)
        case .bytes: v = value.flatMap(Self.bytes)
        }
        guard let v else { return false }
        let w: Double
        switch operand {
        case .number(let x), .duration(let x), .bytes(let x): w = x
        case .string: return false
        }
        switch op {
        case ">": return v > w
        case ">=": return v >= w
        case "<": return v < w
        case "<=": return v <= w
        case "!=": return v != w
        default: return v == w
        }
    }

    /// A Go duration (`1h2m3.5s`, `250ms`, `-3us`) in seconds, or a bare number of seconds.
    public static func seconds(_ text: String) -> Double? {
        let text = text.trimmingSpaces
        if let n = Double(text) { return n }
        let negative = text.hasPrefix("-")
        let body = negative || text.hasPrefix("+") ? String(text.dropFirst()) : text
        guard let ns = GoDuration.nanoseconds(body) else { return nil }
        return (negative ? -1 : 1) * Double(ns) / 1e9
    }

    static let byteUnits: [String: Double] = [
        "b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "pb": 1e15,
        "kib": 1024, "mib": 1_048_576, "gib": 1_073_741_824, "tib": 1_099_511_627_776, "pib": 1_125_899_906_842_624,
        "k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12, "ki": 1024, "mi": 1_048_576, "gi": 1_073_741_824,
    ]

    /// A byte size as Loki reads one (`20KB`, `1.5MiB`, `512b`, a bare number of bytes).
    public static func bytes(_ text: String) -> Double? {
        let text = text.trimmingSpaces
        if let n = Double(text) { return n }
        let digits = text.prefix { $0.isNumber || $0 == "." }
        guard !digits.isEmpty, let n = Double(digits), let unit = byteUnits[text.dropFirst(digits.count).trimmingSpaces.lowercased()] else {
            return nil
        }
        return n * unit
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
