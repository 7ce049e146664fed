/// Number parsing for the exposition formats, straight from bytes.
enum NumberParsing {
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// A float in Go's `strconv.ParseFloat` decimal syntax (as Prometheus accepts it: no hex, no
    /// underscores) plus `Inf`, `Infinity` and `NaN` in any case, `Inf` with an optional sign.
    /// Nil when malformed or out of range.
    @inline(__always)
    static func parseFloat(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        guard n > 0 else { return nil }
        var i = 0
        var negative = false
        let first = p[0]
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            i = 1
        }
        var mantissa: UInt64 = 0
        var digits = 0          // significant digits kept in `mantissa`
        var sawDigit = false
        var dropped = false     // more than 19 significant digits
        var exponent = 0
        while i < n, p[i] &- 48 < 10 {
            sawDigit = true
            if mantissa == 0 && p[i] == 48 {
                // leading zero
            } else if digits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(p[i] &- 48)
                digits += 1
            } else {
                exponent += 1
                dropped = dropped || p[i] != 48
            }
            i += 1
        }
        if i < n, p[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, p[i] &- 48 < 10 {
                sawDigit = true
                if mantissa == 0 && p[i] == 48 {
                    exponent -= 1
                } else if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(p[i] &- 48)
                    digits += 1
                    exponent -= 1
                } else {
                    dropped = dropped || p[i] != 48
                }
                i += 1
            }
        }
        guard sawDigit else { return special(p, n) }
        if i < n, p[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < n, p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") {
                expNegative = p[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < n else { return nil }
            var e = 0
            while i < n, p[i] &- 48 < 10 {
                if e < 100_000 { e = e * 10 + Int(p[i] &- 48) }
                i += 1
            }
            guard p[i - 1] &- 48 < 10 else { return nil }
            exponent += expNegative ? -e : e
        }
        guard i == n else { return nil }
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        // Clinger's fast path: exact when the mantissa and the power of ten are both exact.
        if !dropped && mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            var value = Double(mantissa)
            if exponent >= 0 {
                value *= powersOfTen[exponent]
            } else {
                value /= powersOfTen[-exponent]
            }
            return negative ? -value : value
        }
        // Hard case: the syntax is already checked, let the standard library round correctly.
        let text = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// `Inf`, `+Inf`, `-inf`, `Infinity`, `NaN` in any case, as Go's ParseFloat accepts them.
    private static func special(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        var i = 0
        var sign = 1.0
        if p[0] == UInt8(ascii: "+") || p[0] == UInt8(ascii: "-") {
            sign = p[0] == UInt8(ascii: "-") ? -1 : 1
            i = 1
        }
        let rest = n - i
        if rest == 3 || rest == 8 {
            let word: [UInt8] = Array("infinity".utf8)
            var matches = true
            for k in 0..<rest where p[i + k] | 0x20 != word[k] { matches = false; break }
            if matches { return sign * .infinity }
        }
        if i == 0 && n == 3 && p[0] | 0x20 == UInt8(ascii: "n") && p[1] | 0x20 == UInt8(ascii: "a")
            && p[2] | 0x20 == UInt8(ascii: "n") {
            return .nan
        }
        return nil
    }

    /// A decimal integer with optional sign, nil when malformed or outside Int64.
    @inline(__always)
    static func parseInt64(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        guard n > 0 else { return nil }
        var i = 0
        var negative = false
        if p[0] == UInt8(ascii: "-") || p[0] == UInt8(ascii: "+") {
            negative = p[0] == UInt8(ascii: "-")
            i = 1
        }
        guard i < n else { return nil }
        var value: Int64 = 0
        while i < n {
            let d = p[i] &- 48
            guard d < 10 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = negative ? m.subtractingReportingOverflow(Int64(d)) : m.addingReportingOverflow(Int64(d))
            guard !o1 && !o2 else { return nil }
            value = s
            i += 1
        }
        return value
    }

    /// Float seconds to milliseconds, rounded to the nearest; nil when not finite or out of range.
    static func secondsToMilliseconds(_ seconds: Double) -> Int64? {
        let ms = (seconds * 1000).rounded()
        guard ms.isFinite, ms > -9.2e18, ms < 9.2e18 else { return nil }
        return Int64(ms)
    }
}
