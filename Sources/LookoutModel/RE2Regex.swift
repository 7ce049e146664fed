import CRE2

/// A compiled RE2 regular expression (Debian's libre2, through the `CRE2` shim): Prometheus's
/// syntax (Go's `regexp` is RE2), matching in time linear in the input, never backtracking, so no
/// pattern can make a query or a label match take exponential time.
///
/// Thread-safety: RE2 objects are immutable once compiled and safe to match from many threads.
public final class RE2Regex: @unchecked Sendable {
    public let pattern: String
    private let handle: OpaquePointer
    /// Capture groups, not counting the whole match.
    public let groupCount: Int

    /// Compiles `pattern`; the error says what RE2 found wrong.
    public init(_ pattern: String) throws(RegexError) {
        self.pattern = pattern
        var error = [CChar](repeating: 0, count: 256)
        let bytes = Array(pattern.utf8)
        let compiled = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                cre2_new(chars.baseAddress ?? Self.empty, chars.count, &error, error.count)
            }
        }
        guard let compiled else {
            throw RegexError(message: String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        handle = compiled
        groupCount = Int(cre2_group_count(compiled))
    }

    deinit { cre2_free(handle) }

    /// A valid pointer for empty input, whose buffer may have no address.
    nonisolated(unsafe) private static let empty: UnsafePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        p.pointee = 0
        return UnsafePointer(p)
    }()

    /// Whether `text` matches as a whole.
    public func fullMatch(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { cre2_full_match(handle, $0.baseAddress ?? Self.empty, $0.count) == 1 }
        }
    }

    /// The groups of a whole match of `text` (index 0: the whole match; nil for a group that took
    /// no part) as byte ranges of its UTF-8, or nil when `text` does not match as a whole.
    public func fullMatchGroups(_ text: String) -> [Range<Int>?]? {
        let n = groupCount + 1
        var starts = [Int](repeating: -1, count: n)
        var ends = [Int](repeating: -1, count: n)
        var text = text
        let matched = text.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { chars in
                cre2_full_match_groups(handle, chars.baseAddress ?? Self.empty, chars.count, &starts, &ends, Int32(n)) == 1
            }
        }
        guard matched else { return nil }
        return (0..<n).map { starts[$0] >= 0 ? starts[$0]..<ends[$0] : nil }
    }

    /// The number of the group called `name`, if there is one.
    public func groupIndex(_ name: String) -> Int? {
        let index = Int(cre2_group_index(handle, name))
        return index >= 0 ? index : nil
    }
}

/// A pattern RE2 refuses, with its reason.
public struct RegexError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
