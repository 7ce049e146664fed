import LookoutModel

/// The head series by label set: a hash set holding only the `MemSeries` references (8 bytes a slot,
/// where a `[Labels: MemSeries]` dictionary holds 16), looked up by a `Labels` value that hashes and
/// compares like the series' interned ids. Guarded by the head lock, like the series it holds.
struct HeadSeriesSet {
    /// A set element (`series`), or a probe for lookups (`labels`). Both hash the label strings in
    /// order, so a probe finds the series with the same labels.
    enum Key: Hashable {
        case series(MemSeries)
        case labels(Labels)

        func hash(into hasher: inout Hasher) {
            switch self {
            case .series(let s):
                hasher.combine(s.labelIDs.count / 2)
                for id in s.labelIDs { hasher.combine(s.symbols[id]) }
            case .labels(let labels):
                hasher.combine(labels.count)
                for pair in labels.pairs {
                    hasher.combine(pair.name)
                    hasher.combine(pair.value)
                }
            }
        }

        static func == (a: Key, b: Key) -> Bool {
            switch (a, b) {
            case (.series(let x), .series(let y)):
                return x === y || (x.symbols === y.symbols && x.labelIDs == y.labelIDs)
            case (.series(let s), .labels(let labels)), (.labels(let labels), .series(let s)):
                return s.symbols.matches(s.labelIDs, labels)
            case (.labels(let x), .labels(let y)):
                return x == y
            }
        }
    }

    private var members = Set<Key>()

    var count: Int { members.count }

    /// Every series, in no particular order.
    var values: LazyMapSequence<Set<Key>, MemSeries> {
        members.lazy.map { key -> MemSeries in
            guard case .series(let s) = key else { preconditionFailure("a probe key was stored") }
            return s
        }
    }

    /// The series with `labels`; setting nil removes it, setting a series adds it (replacing one with the
    /// same labels).
    subscript(labels: Labels) -> MemSeries? {
        get {
            guard let i = members.firstIndex(of: .labels(labels)), case .series(let s) = members[i] else { return nil }
            return s
        }
        set {
            if let s = newValue {
                members.update(with: .series(s))
            } else {
                members.remove(.labels(labels))
            }
        }
    }

    /// Adds `series`, replacing one with the same labels.
    mutating func insert(_ series: MemSeries) {
        members.update(with: .series(series))
    }

    /// Removes `series` (nothing when another series holds its labels).
    mutating func remove(_ series: MemSeries) {
        guard contains(series) else { return }
        members.remove(.series(series))
    }

    /// Whether `series` itself (not only its labels) is in the set.
    func contains(_ series: MemSeries) -> Bool {
        guard let i = members.firstIndex(of: .series(series)), case .series(let s) = members[i] else { return false }
        return s === series
    }
}
