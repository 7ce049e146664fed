/// How Prometheus prints a sample value in its HTTP API and in `count_values` labels: Go's
/// JSON float style — shortest round-trip digits, plain decimals for 1e-6 ≤ |v| < 1e21 and
/// exponent form (`1e-07`, `1e+21`) outside that, plus `NaN`, `+Inf` and `-Inf`.
public enum PromNumber {
    public static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v == .infinity { return "+Inf" }
        if v == -.infinity { return "-Inf" }
        if v == 0 { return v.sign == .minus ? "-0" : "0" }
        let shortest = "\(v)"   // Swift prints the shortest round-trip digits, sometimes with an exponent
        let magnitude = abs(v)
        if magnitude < 1e-6 || magnitude >= 1e21 {
            return exponentForm(shortest)
        }
        guard let e = shortest.firstIndex(where: { $0 == "e" || $0 == "E" }) else {
            return shortest.hasSuffix(".0") ? String(shortest.dropLast(2)) : shortest
        }
        return plainForm(mantissa: String(shortest[..<e]), exponent: Int(shortest[shortest.index(after: e)...])!)
    }

    /// `1.5e-07` style with a signed, at least two-digit exponent, as Go writes it.
    static func exponentForm(_ shortest: String) -> String {
        guard let e = shortest.firstIndex(where: { $0 == "e" || $0 == "E" }) else {
            // Swift chose plain digits; re-express them in exponent form.
            let negative = shortest.hasPrefix("-")
            var digits = negative ? String(shortest.dropFirst()) : shortest
            if digits.hasSuffix(".0") { digits.removeLast(2) }
            let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
            let whole = String(parts[0]), fraction = parts.count > 1 ? String(parts[1]) : ""
            var all = whole + fraction
            var exponent = whole.count - 1
            while all.hasPrefix("0") { all.removeFirst(); exponent -= 1 }
            while all.hasSuffix("0") && all.count > 1 { all.removeLast() }
            let mantissa = all.count > 1 ? "\(all.first!).\(all.dropFirst())" : all
            return (negative ? "-" : "") + mantissa + exponentSuffix(exponent)
        }
        var mantissa = String(shortest[..<e])
        if mantissa.hasSuffix(".0") { mantissa.removeLast(2) }
        return mantissa + exponentSuffix(Int(shortest[shortest.index(after: e)...])!)
    }

    static func exponentSuffix(_ exponent: Int) -> String {
        let digits = String(abs(exponent))
        return "e" + (exponent < 0 ? "-" : "+") + (digits.count < 2 ? "0" + digits : digits)
    }

    static func plainForm(mantissa: String, exponent: Int) -> String {
        let negative = mantissa.hasPrefix("-")
        let digitsPart = negative ? String(mantissa.dropFirst()) : mantissa
        let pieces = digitsPart.split(separator: ".", omittingEmptySubsequences: false)
        var digits = String(pieces[0])
        var pointAt = digits.count
        if pieces.count > 1 { digits += pieces[1] }
        pointAt += exponent
        var result: String
        if pointAt <= 0 {
            result = "0." + String(repeating: "0", count: -pointAt) + digits
        } else if pointAt >= digits.count {
            result = digits + String(repeating: "0", count: pointAt - digits.count)
        } else {
            let index = digits.index(digits.startIndex, offsetBy: pointAt)
            result = digits[..<index] + "." + digits[index...]
        }
        if result.contains(".") {
            while result.hasSuffix("0") { result.removeLast() }
            if result.hasSuffix(".") { result.removeLast() }
        }
        return (negative ? "-" : "") + result
    }
}
