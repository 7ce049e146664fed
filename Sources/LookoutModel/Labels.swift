/// One label: a name and its value.
public struct Label: Hashable, Sendable, Comparable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public static func < (lhs: Label, rhs: Label) -> Bool {
        lhs.name != rhs.name ? lhs.name < rhs.name : lhs.value < rhs.value
    }
}

/// The identity of a series: label pairs sorted by name, names unique, empty values dropped
/// (an empty value means "no such label", as in Prometheus). The metric name is the `__name__` label.
public struct Labels: Hashable, Sendable, Comparable, CustomStringConvertible, Sequence {
    /// Sorted by name; names unique; no empty values.
    public private(set) var pairs: [Label]

    public static let metricName = "__name__"
    public static let empty = Labels(sortedPairs: [])

    /// Builds from pairs in any order; a later duplicate name wins; empty values are dropped.
    public init(_ pairs: [Label]) {
        var sorted = pairs.filter { !$0.value.isEmpty }
        sorted.sort { $0.name < $1.name }
        var unique: [Label] = []
        unique.reserveCapacity(sorted.count)
        for pair in sorted {
            if let last = unique.last, last.name == pair.name {
                unique[unique.count - 1] = pair
            } else {
                unique.append(pair)
            }
        }
        self.pairs = unique
    }

    public init(_ dictionary: [String: String]) {
        self.init(dictionary.map { Label($0.key, $0.value) })
    }

    /// Trusts the caller: pairs must already be sorted, unique and non-empty.
    public init(sortedPairs: [Label]) {
        self.pairs = sortedPairs
    }

    public var count: Int { pairs.count }
    public var isEmpty: Bool { pairs.isEmpty }
    public func makeIterator() -> IndexingIterator<[Label]> { pairs.makeIterator() }

    public subscript(name: String) -> String? {
        // Label sets are small; a linear scan beats a binary search below ~16 entries.
        for pair in pairs where pair.name == name { return pair.value }
        return nil
    }

    /// The `__name__` label, if any.
    public var name: String? { self[Labels.metricName] }

    /// A copy with `name` set to `value` (removed when `value` is empty).
    public func setting(_ name: String, to value: String) -> Labels {
        var copy = pairs.filter { $0.name != name }
        if !value.isEmpty {
            let index = copy.firstIndex { $0.name > name } ?? copy.count
            copy.insert(Label(name, value), at: index)
        }
        return Labels(sortedPairs: copy)
    }

    /// A copy without the named labels.
    public func removing(_ names: Set<String>) -> Labels {
        Labels(sortedPairs: pairs.filter { !names.contains($0.name) })
    }

    /// A copy holding only the named labels.
    public func keeping(_ names: Set<String>) -> Labels {
        Labels(sortedPairs: pairs.filter { names.contains($0.name) })
    }

    /// A copy without `__name__`.
    public var droppingMetricName: Labels {
        guard pairs.contains(where: { $0.name == Labels.metricName }) else { return self }
        return Labels(sortedPairs: pairs.filter { $0.name != Labels.metricName })
    }

    public static func < (lhs: Labels, rhs: Labels) -> Bool {
        for (l, r) in zip(lhs.pairs, rhs.pairs) where l != r {
            return l < r
        }
        return lhs.pairs.count < rhs.pairs.count
    }

    /// `name{a="1", b="2"}`, Prometheus's rendering.
    public var description: String {
        var out = name ?? ""
        let rest = pairs.filter { $0.name != Labels.metricName }
        if rest.isEmpty && !out.isEmpty { return out }
        out += "{"
        out += rest.map { "\($0.name)=\"\(Labels.escape($0.value))\"" }.joined(separator: ", ")
        out += "}"
        return out
    }

    /// Escapes `\`, `"` and newline as in the exposition format.
    public static func escape(_ value: String) -> String {
        // By scalar, not Character: "\r\n" is one Character, which equals neither "\r" nor "\n".
        guard value.unicodeScalars.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        var out = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\"": out.append(contentsOf: "\\\"".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}

extension Labels: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements.map { Label($0.0, $0.1) })
    }
}
