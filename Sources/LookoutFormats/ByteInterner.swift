/// Maps byte strings to `String`s within one parse, so each distinct metric name, label name and
/// label value is validated and allocated once. Open addressing with linear probing; keys are
/// copied into an arena, so callers may pass pointers into any buffer.
struct ByteInterner {
    private var arena: [UInt8] = []
    private var starts: [Int] = []
    private var counts: [Int] = []
    private var hashes: [UInt64] = []
    private(set) var strings: [String] = []
    /// Whether each key also gets a `String` in `strings` (not for keys only compared as bytes).
    private let keepsStrings: Bool
    private var entries = 0
    /// Entry index + 1, or 0 when empty; the count is a power of two.
    private var slots: [Int32]

    init(capacity: Int = 256, keepsStrings: Bool = true) {
        self.keepsStrings = keepsStrings
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        arena.reserveCapacity(capacity * 16)
    }

    var count: Int { entries }

    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: n)
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                w |= UInt64(p[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ w) &* 0xC4CE_B9FE_1A85_EC53
        }
        h ^= h >> 29
        return h
    }

    @inline(__always)
    private func equals(_ entry: Int, _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        guard counts[entry] == n else { return false }
        if n == 0 { return true }
        return arena.withUnsafeBufferPointer { a in
            memoryEquals(a.baseAddress! + starts[entry], p, n)
        }
    }

    /// The id of the bytes if they were interned before.
    func find(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32? {
        let h = ByteInterner.hash(p, n)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = Int(slots[slot])
            if e == 0 { return nil }
            if hashes[e - 1] == h && equals(e - 1, p, n) { return Int32(e - 1) }
            slot = (slot + 1) & mask
        }
    }

    /// The id of the bytes, interning them if new; nil when they are new and, with `validate`,
    /// not valid UTF-8. Without `validate` the caller guarantees the bytes are ASCII.
    @inline(__always)
    mutating func intern(_ p: UnsafePointer<UInt8>, _ n: Int, validate: Bool) -> Int32? {
        let h = ByteInterner.hash(p, n)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = Int(slots[slot])
            if e == 0 { break }
            if hashes[e - 1] == h && equals(e - 1, p, n) { return Int32(e - 1) }
            slot = (slot + 1) & mask
        }
        let buffer = UnsafeBufferPointer(start: p, count: n)
        if keepsStrings {
            if validate {
                guard let valid = String(validating: buffer, as: UTF8.self) else { return nil }
                strings.append(valid)
            } else {
                strings.append(String(decoding: buffer, as: UTF8.self))
            }
        }
        let id = entries
        entries += 1
        starts.append(arena.count)
        counts.append(n)
        hashes.append(h)
        arena.append(contentsOf: buffer)
        slots[slot] = Int32(id + 1)
        if entries * 2 > slots.count { grow() }
        return Int32(id)
    }

    /// The bytes of entry `id`, for copying it into another interner.
    func withBytes<T>(of id: Int32, _ body: (UnsafePointer<UInt8>, Int) -> T) -> T {
        arena.withUnsafeBufferPointer { a in
            body((a.baseAddress ?? UnsafePointer(bitPattern: 1)!) + starts[Int(id)], counts[Int(id)])
        }
    }

    private mutating func grow() {
        let size = slots.count * 2
        var fresh = [Int32](repeating: 0, count: size)
        let mask = size - 1
        for id in 0..<entries {
            var slot = Int(truncatingIfNeeded: hashes[id]) & mask
            while fresh[slot] != 0 { slot = (slot + 1) & mask }
            fresh[slot] = Int32(id + 1)
        }
        slots = fresh
    }
}

@inline(__always)
func memoryEquals(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 8 <= n {
        if ra.loadUnaligned(fromByteOffset: i, as: UInt64.self) != rb.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
            return false
        }
        i += 8
    }
    while i < n {
        if a[i] != b[i] { return false }
        i += 1
    }
    return true
}
