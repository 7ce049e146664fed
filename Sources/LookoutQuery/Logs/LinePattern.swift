/// The expression of LogQL's `| pattern "<ip> - <_> [<ts>] \"<method> <path> <_>\""`: literals
/// and named captures (`<_>` captures nothing). As Loki's: a leading literal must start the line,
/// a capture runs to the next occurrence of the literal after it (or to the end of the line), and
/// a line the pattern does not fit yields no labels.
public struct LinePattern: Sendable {
    enum Part: Sendable, Equatable {
        case literal([UInt8])
        case capture(String?)
    }

    let parts: [Part]

    /// Why a pattern is refused (Loki's rules: at least one named capture, no two captures side by side).
    public struct Invalid: Error, Sendable {
        public var reason: String
    }

    public init(_ text: String) throws(Invalid) {
        var parts: [Part] = []
        var literal: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "<"), let close = bytes[(i + 1)...].firstIndex(of: UInt8(ascii: ">")),
               let name = Self.captureName(bytes[(i + 1)..<close]) {
                if !literal.isEmpty { parts.append(.literal(literal)) }
                literal = []
                if case .capture = parts.last { throw Invalid(reason: "consecutive captures <…><…> are not allowed in a pattern") }
                parts.append(.capture(name == "_" ? nil : name))
                i = close + 1
            } else {
                literal.append(bytes[i])
                i += 1
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        guard parts.contains(where: { if case .capture(let n) = $0 { n != nil } else { false } }) else {
            throw Invalid(reason: "a pattern needs at least one named capture")
        }
        self.parts = parts
    }

    private static func captureName(_ bytes: ArraySlice<UInt8>) -> String? {
        guard let first = bytes.first, first == UInt8(ascii: "_") || (first | 0x20) >= UInt8(ascii: "a") && (first | 0x20) <= UInt8(ascii: "z"),
              bytes.allSatisfy({ $0 == UInt8(ascii: "_") || ($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "z") || $0 >= 0x30 && $0 <= 0x39 })
        else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The named captures of `line`, or nil when the pattern does not fit it.
    public func captures(_ line: String) -> [(String, String)]? {
        let b = Array(line.utf8)
        var at = 0
        var out: [(String, String)] = []
        var i = 0
        while i < parts.count {
            switch parts[i] {
            case .literal(let lit):
                guard Self.starts(b, at, lit) else { return nil }
                at += lit.count
            case .capture(let name):
                var end = b.count
                if i + 1 < parts.count, case .literal(let next) = parts[i + 1] {
                    guard let found = Self.find(b, next, from: at) else { return nil }
                    end = found
                }
                if let name { out.append((name, String(decoding: b[at..<end], as: UTF8.self))) }
                at = end
            }
            i += 1
        }
        return out
    }

    static func starts(_ b: [UInt8], _ at: Int, _ lit: [UInt8]) -> Bool {
        at + lit.count <= b.count && b[at..<at + lit.count].elementsEqual(lit)
    }

    static func find(_ b: [UInt8], _ lit: [UInt8], from: Int) -> Int? {
        guard !lit.isEmpty, b.count >= lit.count else { return nil }
        var i = from
        while i + lit.count <= b.count {
            if b[i] == lit[0] && starts(b, i, lit) { return i }
            i += 1
        }
        return nil
    }
}
