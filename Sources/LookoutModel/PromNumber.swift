/// The three ways Prometheus 2.42 prints a float, all with Go's shortest round-trip digits and
/// `NaN`, `+Inf`, `-Inf`, `-0`:
/// 1. `format` — sample values in the HTTP API (Go's JSON style): plain decimals for
///    1e-6 ≤ |v| < 1e21, exponent form (`1e-07`, `1e+21`) outside that.
/// 2. `formatPlain` — the value label `count_values` adds (`strconv.FormatFloat(v, 'f', -1, 64)`):
///    never an exponent.
/// 3. `formatShortest` — number literals when an expression is printed, and `%v` in error
///    messages (`fmt.Sprint`, Go's `%g`): exponent form when the decimal exponent is below -4 or
///    at least 6 (`1e+06`, `1e-05`), plain decimals otherwise.
public enum PromNumber {
    public static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v == .infinity { return "+Inf" }
        if v == -.infinity { return "-Inf" }
        if v == 0 { return v.sign == .minus ? "-0" : "0" }
        let magnitude = abs(v)
        // Fast path for the commonest values: whole numbers print as integers.
        if magnitude < 1e15, v == v.rounded(.towardZero) { return String(Int64(v)) }
        let shortest = "\(v)"   // Swift prints the shortest round-trip digits, sometimes with an exponent
        if magnitude < 1e-6 || magnitude >= 1e21 {
            return exponentForm(shortest)
        }
        guard shortest.utf8.contains(UInt8(ascii: "e")), let e = shortest.firstIndex(of: "e") else {
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

    /// Go's `strconv.FormatFloat(v, 'f', -1, 64)`: shortest round-trip digits, never an exponent.
    public static func formatPlain(_ v: Double) -> String {
        if let special = special(v) { return special }
        let (negative, digits, point) = decimalDigits(v)
        return (negative ? "-" : "") + plainDigits(digits, point: point)
    }

    /// Go's `fmt.Sprint(v)` (`%g` with shortest digits): `1e+06`, `123456`, `0.0001`, `1e-05`.
    public static func formatShortest(_ v: Double) -> String {
        if let special = special(v) { return special }
        let (negative, digits, point) = decimalDigits(v)
        let exponent = point - 1
        let body: String
        if exponent < -4 || exponent >= 6 {
            let mantissa = digits.count > 1 ? "\(digits.first!).\(digits.dropFirst())" : digits
            body = mantissa + exponentSuffix(exponent)
        } else {
            body = plainDigits(digits, point: point)
        }
        return (negative ? "-" : "") + body
    }

    static func special(_ v: Double) -> String? {
        if v.isNaN { return "NaN" }
        if v == .infinity { return "+Inf" }
        if v == -.infinity { return "-Inf" }
        if v == 0 { return v.sign == .minus ? "-0" : "0" }
        return nil
    }

    /// The shortest round-trip decimal digits of a finite, non-zero `v` (no leading or trailing
    /// zeros) and where the decimal point goes: `v = ±0.digits × 10^point`.
    static func decimalDigits(_ v: Double) -> (negative: Bool, digits: String, point: Int) {
        var text = "\(v.magnitude)"   // Swift prints the shortest round-trip digits, maybe with an exponent
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...])!
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(parts[0]), fraction = parts.count > 1 ? String(parts[1]) : ""
        var digits = Substring(whole + fraction)
        var point = whole.count + exponent
        while digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        return (v.sign == .minus, String(digits), point)
    }

    /// `0.digits × 10^point` written without an exponent.
    static func plainDigits(_ digits: String, point: Int) -> String {
        if point <= 0 { return "0." + String(repeating: "0", count: -point) + digits }
        if point >= digits.count { return digits + String(repeating: "0", count: point - digits.count) }
        let index = digits.index(digits.startIndex, offsetBy: point)
        return digits[..<index] + "." + digits[index...]
    }
}
