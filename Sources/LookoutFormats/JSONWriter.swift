import LookoutModel

/// Builds JSON directly as UTF-8 bytes, for API responses whose exact shape matters (Prometheus
/// renders sample values as strings and times as bare numbers) and which can be large.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = [false]
    private var pendingKey = false

    public init(capacity: Int = 1024) {
        bytes.reserveCapacity(capacity)
    }

    /// The JSON as a string (tests and logs); responses use `buffer`.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Writes the comma before a value unless it follows its key.
    private mutating func separate() {
        if pendingKey {
            pendingKey = false
            return
        }
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    public mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); needsComma.append(false) }
    public mutating func endObject() { bytes.append(UInt8(ascii: "}")); needsComma.removeLast() }
    public mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); needsComma.append(false) }
    public mutating func endArray() { bytes.append(UInt8(ascii: "]")); needsComma.removeLast() }

    /// Writes `"key":` inside an object; the next call supplies the value.
    public mutating func key(_ name: String) {
        separate()
        Self.appendQuoted(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        pendingKey = true
    }

    public mutating func string(_ value: String) { separate(); Self.appendQuoted(value, to: &bytes) }
    public mutating func raw(_ json: String) { separate(); bytes.append(contentsOf: json.utf8) }

    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        beginObject()
        body(&self)
        endObject()
    }

    public mutating func array(_ body: (inout JSONWriter) -> Void) {
        beginArray()
        body(&self)
        endArray()
    }

    public mutating func field(_ name: String, _ value: String) { key(name); string(value) }
    public mutating func field(_ name: String, _ value: Int) { key(name); raw(String(value)) }
    public mutating func field(_ name: String, _ value: UInt64) { key(name); raw(String(value)) }
    public mutating func field(_ name: String, _ value: Bool) { key(name); raw(value ? "true" : "false") }
    public mutating func null(_ name: String) { key(name); raw("null") }

    /// Labels as a JSON object.
    public mutating func labels(_ labels: some Sequence<Label>) {
        object { writer in
            for pair in labels { writer.field(pair.name, pair.value) }
        }
    }

    /// A Prometheus point: `[<unix seconds>,"<value>"]`. The hot path of query responses.
    /// Writes digits straight into the buffer: no intermediate strings for the common cases
    /// (times, and values that are whole numbers); anything else goes through `PromNumber`.
    public mutating func point(_ sample: Sample) {
        separate()
        bytes.append(UInt8(ascii: "["))
        appendSeconds(sample.timestamp)
        bytes.append(UInt8(ascii: ","))
        bytes.append(UInt8(ascii: "\""))
        let value = sample.value
        if value.magnitude < 1e15, value == value.rounded(.towardZero), !(value == 0 && value.sign == .minus) {
            if value < 0 { bytes.append(UInt8(ascii: "-")) }
            appendDigits(UInt64(value.magnitude))
        } else {
            bytes.append(contentsOf: PromNumber.format(value).utf8)
        }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: "]"))
    }

    /// Milliseconds as seconds, as `PromNumber.seconds` spells them.
    private mutating func appendSeconds(_ milliseconds: Int64) {
        if milliseconds < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = milliseconds.magnitude
        appendDigits(magnitude / 1000)
        let fraction = magnitude % 1000
        guard fraction != 0 else { return }
        // `.5`, `.05`, `.005`, `.12`: three digits without their trailing zeros.
        let zero = UInt8(ascii: "0")
        let tenths = UInt8(fraction / 100), hundredths = UInt8(fraction / 10 % 10), thousandths = UInt8(fraction % 10)
        bytes.append(UInt8(ascii: "."))
        bytes.append(zero + tenths)
        if hundredths != 0 || thousandths != 0 { bytes.append(zero + hundredths) }
        if thousandths != 0 { bytes.append(zero + thousandths) }
    }

    /// Decimal digits of `number` (no heap buffers: this runs twice per point).
    private mutating func appendDigits(_ number: UInt64) {
        if number < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(number))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var index = 20
            var rest = number
            while rest > 0 {
                index -= 1
                digits[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[index...]))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    public static func appendQuoted(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        defer { bytes.append(UInt8(ascii: "\"")) }
        // Label names and values almost never need escaping: copy them whole.
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            bytes.append(contentsOf: value.utf8)
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\n"): bytes.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): bytes.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): bytes.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                bytes.append(contentsOf: #"\u00"#.utf8)
                bytes.append(hexDigits[Int(byte >> 4)])
                bytes.append(hexDigits[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
    }
}
