/// A JSON object read as flat fields, as LogQL's `| json` and the JSON-lines receiver see it:
/// nested objects' keys joined with `_`, arrays kept as their JSON text, strings unescaped,
/// numbers as written. Reads bytes directly, without building a tree; depth and size are bounded
/// by the caller's line limit and `maxDepth`.
public enum FlatJSON {
    /// One flattened field's value.
    public enum Value: Hashable, Sendable {
        case string(String)
        /// A number's text as written (`12`, `-0.5e3`).
        case number(String)
        case bool(Bool)
        case null
        /// An array's JSON text, as written.
        case array(String)

        /// The value as a label or field text: strings unquoted, the rest as JSON writes them.
        public var text: String {
            switch self {
            case .string(let s), .number(let s), .array(let s): s
            case .bool(let b): b ? "true" : "false"
            case .null: "null"
            }
        }
    }

    public struct Failure: Error, Equatable, Sendable {
        /// Byte offset in the input where reading stopped.
        public var offset: Int
        public var message: String
    }

    public static let maxDepth = 64

    /// The fields of the object `bytes` holds (surrounding whitespace allowed), in document order.
    public static func fields(_ bytes: some Collection<UInt8>) throws(Failure) -> [(String, Value)] {
        let array = Array(bytes)
        var reader = Reader(bytes: array)
        reader.skipSpace()
        guard reader.peek() == UInt8(ascii: "{") else { throw reader.fail("expected a JSON object") }
        var out: [(String, Value)] = []
        try reader.object(prefix: "", depth: 0, into: &out)
        reader.skipSpace()
        guard reader.at == array.count else { throw reader.fail("unexpected text after the JSON object") }
        return out
    }

    /// The objects of a JSON array, each as its byte range in `bytes` (for `application/json`
    /// bodies holding an array of records).
    public static func arrayElements(_ bytes: [UInt8]) throws(Failure) -> [Range<Int>] {
        var reader = Reader(bytes: bytes)
        reader.skipSpace()
        guard reader.peek() == UInt8(ascii: "[") else { throw reader.fail("expected a JSON array") }
        reader.at += 1
        var ranges: [Range<Int>] = []
        reader.skipSpace()
        if reader.peek() == UInt8(ascii: "]") {
            reader.at += 1
        } else {
            while true {
                reader.skipSpace()
                let start = reader.at
                try reader.skipValue(depth: 1)
                ranges.append(start..<reader.at)
                reader.skipSpace()
                guard let c = reader.next() else { throw reader.fail("unterminated array") }
                if c == UInt8(ascii: "]") { break }
                guard c == UInt8(ascii: ",") else { throw reader.fail("expected ',' or ']' in the array") }
            }
        }
        reader.skipSpace()
        guard reader.at == bytes.count else { throw reader.fail("unexpected text after the JSON array") }
        return ranges
    }

    struct Reader {
        let bytes: [UInt8]
        var at = 0

        func fail(_ message: String) -> Failure { Failure(offset: at, message: message) }
        func peek() -> UInt8? { at < bytes.count ? bytes[at] : nil }

        mutating func next() -> UInt8? {
            guard at < bytes.count else { return nil }
            defer { at += 1 }
            return bytes[at]
        }

        mutating func skipSpace() {
            while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
        }

        mutating func object(prefix: String, depth: Int, into out: inout [(String, Value)]) throws(Failure) {
            guard depth < FlatJSON.maxDepth else { throw fail("JSON nested deeper than \(FlatJSON.maxDepth)") }
            at += 1 // {
            skipSpace()
            if peek() == UInt8(ascii: "}") { at += 1; return }
            while true {
                skipSpace()
                guard peek() == UInt8(ascii: "\"") else { throw fail("expected a quoted key") }
                let key = try string()
                skipSpace()
                guard next() == UInt8(ascii: ":") else { throw fail("expected ':' after a key") }
                skipSpace()
                let name = prefix.isEmpty ? key : prefix + "_" + key
                switch peek() {
                case UInt8(ascii: "{"): try object(prefix: name, depth: depth + 1, into: &out)
                case UInt8(ascii: "["):
                    let start = at
                    try skipValue(depth: depth + 1)
                    out.append((name, .array(String(decoding: bytes[start..<at], as: UTF8.self))))
                default: out.append((name, try scalar()))
                }
                skipSpace()
                guard let c = next() else { throw fail("unterminated object") }
                if c == UInt8(ascii: "}") { return }
                guard c == UInt8(ascii: ",") else { throw Failure(offset: at - 1, message: "expected ',' or '}' in an object") }
            }
        }

        mutating func scalar() throws(Failure) -> Value {
            guard let c = peek() else { throw fail("expected a value") }
            switch c {
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw fail("unexpected character in a value")
            }
        }

        mutating func literal(_ word: String) throws(Failure) {
            for c in word.utf8 {
                guard next() == c else { throw Failure(offset: at - 1, message: "unexpected character in a value") }
            }
        }

        mutating func number() throws(Failure) -> String {
            let start = at
            if peek() == UInt8(ascii: "-") { at += 1 }
            func digits(_ r: inout Reader) -> Int {
                let s = r.at
                while let c = r.peek(), c >= 48 && c <= 57 { r.at += 1 }
                return r.at - s
            }
            guard let first = peek(), first >= 48 && first <= 57 else { throw fail("expected a digit") }
            if first == 48 { at += 1 } else { _ = digits(&self) }
            if peek() == UInt8(ascii: ".") {
                at += 1
                guard digits(&self) > 0 else { throw fail("expected a digit after '.'") }
            }
            if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
                at += 1
                if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { at += 1 }
                guard digits(&self) > 0 else { throw fail("expected a digit in the exponent") }
            }
            return String(decoding: bytes[start..<at], as: UTF8.self)
        }

        mutating func string() throws(Failure) -> String {
            at += 1 // "
            let start = at
            // Fast path: no escapes.
            while at < bytes.count, bytes[at] != UInt8(ascii: "\""), bytes[at] != UInt8(ascii: "\\"), bytes[at] >= 0x20 { at += 1 }
            guard at < bytes.count else { throw fail("unterminated string") }
            if bytes[at] == UInt8(ascii: "\"") {
                defer { at += 1 }
                return String(decoding: bytes[start..<at], as: UTF8.self)
            }
            var out = Array(bytes[start..<at])
            while true {
                guard let c = next() else { throw fail("unterminated string") }
                switch c {
                case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let e = next() else { throw fail("unterminated string") }
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800..<0xDC00).contains(scalar) {
                            guard next() == UInt8(ascii: "\\"), next() == UInt8(ascii: "u") else { throw fail("unpaired surrogate") }
                            let low = try hex4()
                            guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00..<0xE000).contains(scalar) {
                            throw fail("unpaired surrogate")
                        }
                        out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
                    default: throw Failure(offset: at - 1, message: "invalid escape in a string")
                    }
                default:
                    guard c >= 0x20 else { throw Failure(offset: at - 1, message: "control character in a string") }
                    out.append(c)
                }
            }
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            var v: UInt32 = 0
            for _ in 0..<4 {
                guard let c = next() else { throw fail("unterminated \\u escape") }
                let d: UInt32
                switch c {
                case 48...57: d = UInt32(c - 48)
                case 65...70: d = UInt32(c - 55)
                case 97...102: d = UInt32(c - 87)
                default: throw Failure(offset: at - 1, message: "invalid \\u escape")
                }
                v = v << 4 | d
            }
            return v
        }

        /// Skips any value, checking its syntax.
        mutating func skipValue(depth: Int) throws(Failure) {
            guard depth < FlatJSON.maxDepth else { throw fail("JSON nested deeper than \(FlatJSON.maxDepth)") }
            skipSpace()
            switch peek() {
            case UInt8(ascii: "{"):
                var ignored: [(String, Value)] = []
                try object(prefix: "", depth: depth, into: &ignored)
            case UInt8(ascii: "["):
                at += 1
                skipSpace()
                if peek() == UInt8(ascii: "]") { at += 1; return }
                while true {
                    try skipValue(depth: depth + 1)
                    skipSpace()
                    guard let c = next() else { throw fail("unterminated array") }
                    if c == UInt8(ascii: "]") { return }
                    guard c == UInt8(ascii: ",") else { throw Failure(offset: at - 1, message: "expected ',' or ']' in an array") }
                }
            default: _ = try scalar()
            }
        }
    }
}
