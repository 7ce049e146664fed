import LookoutModel

/// Builds JSON text directly, for API responses whose exact shape matters (Prometheus renders
/// sample values as strings and times as bare numbers) and which can be large.
struct JSONWriter {
    private(set) var text = ""
    private var needsComma: [Bool] = [false]

    init() {
        text.reserveCapacity(1024)
    }

    private var pendingKey = false

    /// Writes the comma before a value unless it follows its key.
    private mutating func separate() {
        if pendingKey {
            pendingKey = false
            return
        }
        if needsComma[needsComma.count - 1] { text += "," }
        needsComma[needsComma.count - 1] = true
    }

    mutating func beginObject() { separate(); text += "{"; needsComma.append(false) }
    mutating func endObject() { text += "}"; needsComma.removeLast() }
    mutating func beginArray() { separate(); text += "["; needsComma.append(false) }
    mutating func endArray() { text += "]"; needsComma.removeLast() }

    /// Writes `"key":` inside an object; the next call supplies the value.
    mutating func key(_ name: String) {
        separate()
        Self.appendQuoted(name, to: &text)
        text += ":"
        pendingKey = true
    }

    mutating func string(_ value: String) { separate(); Self.appendQuoted(value, to: &text) }
    mutating func raw(_ json: String) { separate(); text += json }
    mutating func bool(_ value: Bool) { raw(value ? "true" : "false") }
    mutating func int(_ value: Int) { raw(String(value)) }
    mutating func null() { raw("null") }

    mutating func object(_ body: (inout JSONWriter) -> Void) {
        beginObject()
        body(&self)
        endObject()
    }

    mutating func array(_ body: (inout JSONWriter) -> Void) {
        beginArray()
        body(&self)
        endArray()
    }

    mutating func field(_ name: String, _ value: String) { key(name); string(value) }

    /// Labels as a JSON object.
    mutating func labels(_ labels: some Sequence<Label>) {
        object { writer in
            for pair in labels { writer.field(pair.name, pair.value) }
        }
    }

    static func appendQuoted(_ value: String, to text: inout String) {
        text += "\""
        var needsEscape = false
        for byte in value.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            needsEscape = true
            break
        }
        if !needsEscape {
            text += value
        } else {
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": text += "\\\""
                case "\\": text += "\\\\"
                case "\n": text += "\\n"
                case "\r": text += "\\r"
                case "\t": text += "\\t"
                case let s where s.value < 0x20:
                    let hex = String(s.value, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: text.unicodeScalars.append(scalar)
                }
            }
        }
        text += "\""
    }
}
