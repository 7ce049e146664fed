import LookoutModel

/// Shares one copy of each label string among head series (`instance`, `job` and metric names repeat
/// across thousands of series). Strings of up to 15 UTF-8 bytes are stored inline by Swift and are not
/// interned. Not thread-safe: used under the head lock.
struct StringInterner {
    private var strings = Set<String>()

    mutating func intern(_ s: String) -> String {
        if s.utf8.count <= 15 { return s }
        if let i = strings.firstIndex(of: s) { return strings[i] }
        strings.insert(s)
        return s
    }

    mutating func intern(_ labels: Labels) -> Labels {
        Labels(sortedPairs: labels.pairs.map { Label(intern($0.name), intern($0.value)) })
    }
}
