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
        if let special = special(v) { return special }
        let magnitude = v.magnitude
        // Fast path for the commonest values: whole numbers print as integers.
        if magnitude < 1e15, v == v.rounded(.towardZero) { return String(Int64(v)) }
        let exponentForm = magnitude < 1e-6 || magnitude >= 1e21
        if !exponentForm {
            // Swift's shortest digits are Go's whenever Swift writes them without an exponent.
            let shortest = "\(v)"
            if !shortest.utf8.contains(UInt8(ascii: "e")) {
                return shortest.hasSuffix(".0") ? String(shortest.dropLast(2)) : shortest
            }
        }
        let (negative, digits, point) = decimalDigits(v)
        return (negative ? "-" : "") + (exponentForm ? scientific(digits, point: point) : plainDigits(digits, point: point))
    }

    /// `0.digits × 10^point` as `d.ddde±XX`, with Go's signed, at least two-digit exponent.
    static func scientific(_ digits: String, point: Int) -> String {
        (digits.count > 1 ? "\(digits.first!).\(digits.dropFirst())" : digits) + exponentSuffix(point - 1)
    }

    static func exponentSuffix(_ exponent: Int) -> String {
        let digits = String(abs(exponent))
        return "e" + (exponent < 0 ? "-" : "+") + (digits.count < 2 ? "0" + digits : digits)
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
        let scientific = exponent < -4 || exponent >= 6
        return (negative ? "-" : "") + (scientific ? Self.scientific(digits, point: point) : plainDigits(digits, point: point))
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
