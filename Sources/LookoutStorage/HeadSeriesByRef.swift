/// The head's series by ref. Refs are handed out in increasing order and never reused, so they are
/// dense: an array indexed by ref finds a series with one bounds check instead of a hash lookup
/// (the append-by-ref path does this for every sample of every scrape). Refs beyond `denseLimit`
/// (only a damaged WAL or index could bring them) go to a dictionary, so memory stays bounded.
struct HeadSeriesByRef {
    private var dense: ContiguousArray<MemSeries?> = []
    private var sparse: [UInt64: MemSeries] = [:]
    private(set) var count = 0
    static let denseLimit: UInt64 = 1 << 26

    subscript(ref: UInt64) -> MemSeries? {
        @inline(__always) get {
            if ref < UInt64(dense.count) { return dense[Int(ref)] }
            return ref < Self.denseLimit ? nil : sparse[ref]
        }
        set {
            if ref >= Self.denseLimit {
                if let newValue {
                    if sparse.updateValue(newValue, forKey: ref) == nil { count += 1 }
                } else if sparse.removeValue(forKey: ref) != nil {
                    count -= 1
                }
                return
            }
            let i = Int(ref)
            if i >= dense.count {
                guard newValue != nil else { return }
                dense.append(contentsOf: repeatElement(nil, count: Swift.max(i + 1 - dense.count, dense.count / 2)))
            }
            if (dense[i] == nil) != (newValue == nil) { count += newValue == nil ? -1 : 1 }
            dense[i] = newValue
        }
    }

    /// Every ref held.
    var keys: [UInt64] {
        var out: [UInt64] = []
        out.reserveCapacity(count)
        for (i, s) in dense.enumerated() where s != nil { out.append(UInt64(i)) }
        out.append(contentsOf: sparse.keys)
        return out
    }

    /// Drops the refs whose series `drop` says to.
    mutating func removeAll(where drop: (MemSeries) -> Bool) {
        for i in dense.indices {
            if let s = dense[i], drop(s) {
                dense[i] = nil
                count -= 1
            }
        }
        for (ref, s) in sparse where drop(s) {
            sparse.removeValue(forKey: ref)
            count -= 1
        }
    }
}
