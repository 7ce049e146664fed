import LookoutModel

/// The head's label strings, each stored once and named by a 32-bit id, so a head series keeps its
/// label set as ids (8 bytes a label) instead of a `Labels` array (32 bytes a label plus string
/// storage). `instance`, `job` and metric names repeat across thousands of series.
///
/// Rules:
/// 1. Ids are never reused or removed while the store is open, so a series' ids stay valid.
/// 2. Not thread-safe: used under the head lock of `MetricStore` (or by replay before the store opens).
final class LabelSymbols {
    private var strings: [String] = []
    private var ids: [String: UInt32] = [:]

    /// The ids of `labels`, name then value for each pair, adding strings not seen before.
    func encode(_ labels: Labels) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(labels.count * 2)
        for pair in labels.pairs {
            out.append(id(pair.name))
            out.append(id(pair.value))
        }
        return out
    }

    private func id(_ s: String) -> UInt32 {
        if let id = ids[s] { return id }
        let id = UInt32(strings.count)
        strings.append(s)
        ids[s] = id
        return id
    }

    @inline(__always) subscript(_ id: UInt32) -> String { strings[Int(id)] }

    /// The label set `encode(_:)` was given.
    func decode(_ encoded: [UInt32]) -> Labels {
        var pairs: [Label] = []
        pairs.reserveCapacity(encoded.count / 2)
        var i = 0
        while i < encoded.count {
            pairs.append(Label(strings[Int(encoded[i])], strings[Int(encoded[i + 1])]))
            i += 2
        }
        return Labels(sortedPairs: pairs)
    }

    /// Whether `encoded` is the label set `labels`.
    func matches(_ encoded: [UInt32], _ labels: Labels) -> Bool {
        guard encoded.count == labels.count * 2 else { return false }
        var i = 0
        for pair in labels.pairs {
            guard strings[Int(encoded[i])] == pair.name, strings[Int(encoded[i + 1])] == pair.value else { return false }
            i += 2
        }
        return true
    }
}
