/// A span's trace id: 16 bytes, written as 32 lowercase hex digits (OTLP JSON, Jaeger, Tempo).
/// All zeros is invalid, as in OTLP.
public struct TraceID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// From 16 big-endian bytes in memory; nil for any other length.
    public init?(raw: UnsafeRawBufferPointer) {
        guard raw.count == 16 else { return nil }
        self.init(high: UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)),
                  low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    }

    /// From 16 big-endian bytes; nil for any other length.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        var h: UInt64 = 0, l: UInt64 = 0
        for (i, b) in bytes.enumerated() {
            if i < 8 { h = h << 8 | UInt64(b) } else { l = l << 8 | UInt64(b) }
        }
        self.init(high: h, low: l)
    }

    /// From hex digits, either case. Shorter ids (Jaeger's 64-bit ones, leading zeros dropped) are
    /// left-padded with zeros, as Jaeger and Tempo read them; nil for more than 32 or a non-hex digit.
    public init?(hex: some StringProtocol) {
        let digits = Array(hex.utf8)
        guard !digits.isEmpty, digits.count <= 32 else { return nil }
        var value: (UInt64, UInt64) = (0, 0)
        for d in digits {
            guard let n = HexDigits.value(d) else { return nil }
            value = (value.0 << 4 | value.1 >> 60, value.1 << 4 | UInt64(n))
        }
        self.init(high: value.0, low: value.1)
    }

    public var isValid: Bool { high != 0 || low != 0 }

    public var bytes: [UInt8] {
        (0..<16).map { i in UInt8(truncatingIfNeeded: (i < 8 ? high : low) >> (8 * (7 - UInt64(i % 8)))) }
    }

    public var hex: String { HexDigits.string(high) + HexDigits.string(low) }
    public var description: String { hex }

    public static func < (a: TraceID, b: TraceID) -> Bool { (a.high, a.low) < (b.high, b.low) }
}

/// A span's id: 8 bytes, written as 16 lowercase hex digits. Zero means "none" (a root's parent).
public struct SpanID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var raw: UInt64

    public init(_ raw: UInt64) { self.raw = raw }

    /// From 8 big-endian bytes in memory; nil for any other length.
    public init?(raw: UnsafeRawBufferPointer) {
        guard raw.count == 8 else { return nil }
        self.init(UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)))
    }

    /// From 8 big-endian bytes; nil for any other length.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 8 else { return nil }
        raw = bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// From up to 16 hex digits, either case.
    public init?(hex: some StringProtocol) {
        let digits = Array(hex.utf8)
        guard !digits.isEmpty, digits.count <= 16 else { return nil }
        var v: UInt64 = 0
        for d in digits {
            guard let n = HexDigits.value(d) else { return nil }
            v = v << 4 | UInt64(n)
        }
        raw = v
    }

    public static let none = SpanID(0)
    public var isValid: Bool { raw != 0 }
    public var bytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: raw >> (8 * (7 - UInt64($0)))) } }
    public var hex: String { HexDigits.string(raw) }
    public var description: String { hex }

    public static func < (a: SpanID, b: SpanID) -> Bool { a.raw < b.raw }
}

/// Hex digits as Lookout writes and reads them (ids, bytes): lowercase out, either case in.
public enum HexDigits {
    public static let lower = Array("0123456789abcdef".utf8)

    /// The value of one hex digit, or nil.
    @inline(__always) public static func value(_ d: UInt8) -> UInt8? {
        switch d {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): d - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): d - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): d - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// 16 hex digits of `v`, zero-padded.
    public static func string(_ v: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { buf in
            for i in 0..<16 { buf[i] = lower[Int((v >> (4 * UInt64(15 - i))) & 0xf)] }
            return 16
        }
    }

    /// Lowercase hex of arbitrary bytes.
    public static func string(_ bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { buf in
            for (i, b) in bytes.enumerated() {
                buf[2 * i] = lower[Int(b >> 4)]
                buf[2 * i + 1] = lower[Int(b & 0xf)]
            }
            return bytes.count * 2
        }
    }
}
