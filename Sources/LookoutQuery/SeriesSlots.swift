import LookoutModel

/// Dense slots for the series of a result being assembled step by step. A series is found by its
/// interned label id when the evaluator knows one (ids are equal exactly when labels are), so the
/// common case needs no hashing of labels; otherwise by its labels.
struct SeriesSlots {
    private(set) var labels: [Labels] = []
    private var byLabels: [Labels: Int] = [:]
    /// Slot by interned id, -1 when not yet seen.
    private var byID: [Int] = []

    /// The slot of a series; `isNew` tells the caller to add storage for it.
    mutating func slot(_ series: Labels, id: Int32) -> (slot: Int, isNew: Bool) {
        if id >= 0, Int(id) < byID.count, byID[Int(id)] >= 0 { return (byID[Int(id)], false) }
        var isNew = false
        let found: Int
        if let existing = byLabels[series] {
            found = existing
        } else {
            found = labels.count
            labels.append(series)
            byLabels[series] = found
            isNew = true
        }
        if id >= 0 {
            if Int(id) >= byID.count {
                byID.append(contentsOf: repeatElement(-1, count: Int(id) + 1 - byID.count))
            }
            byID[Int(id)] = found
        }
        return (found, isNew)
    }
}
