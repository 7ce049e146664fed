/// The value of an OpenTelemetry attribute (OTLP's `AnyValue`): on spans, events, links,
/// resources, scopes and log records.
public indirect enum AttributeValue: Hashable, Sendable {
    case string(String)
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case bytes([UInt8])
    case array([AttributeValue])
    case keyValues([Attribute])
    /// An `AnyValue` with no value set.
    case empty

    /// The value as Jaeger and Tempo show it in text: strings as they are, arrays and maps as JSON.
    public var text: String {
        switch self {
        case .string(let s): s
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): "\(d)"
        case .bytes(let b): HexDigits.string(b)
        case .array(let a): "[" + a.map(\.jsonText).joined(separator: ",") + "]"
        case .keyValues(let kv): "{" + kv.map { "\($0.key.jsonQuoted):\($0.value.jsonText)" }.joined(separator: ",") + "}"
        case .empty: ""
        }
    }

    private var jsonText: String {
        switch self {
        case .string(let s): s.jsonQuoted
        case .bytes: text.jsonQuoted
        case .empty: "null"
        case .double(let d) where !d.isFinite: text.jsonQuoted
        default: text
        }
    }
}

/// One attribute: a key and its value.
public struct Attribute: Hashable, Sendable {
    public var key: String
    public var value: AttributeValue

    public init(_ key: String, _ value: AttributeValue) {
        self.key = key
        self.value = value
    }
}

extension [Attribute] {
    /// The value of the first attribute named `key`.
    public subscript(key: String) -> AttributeValue? {
        first { $0.key == key }?.value
    }
}

extension String {
    /// The string as a JSON string literal.
    var jsonQuoted: String {
        var out = "\""
        for u in unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20: out += "\\u00" + String(UnicodeScalar(HexDigits.lower[Int(u.value >> 4)])) + String(UnicodeScalar(HexDigits.lower[Int(u.value & 0xf)]))
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
