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
        // Swift prints the same shortest digits; without an exponent only a trailing ".0" differs.
        let text = v.description
        if !text.utf8.contains(UInt8(ascii: "e")) {
            return text.utf8.last == UInt8(ascii: "0") && text.hasSuffix(".0") ? String(text.dropLast(2)) : text
        }
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
    /// zeros) and where the decimal point goes: `v = ±0.digits × 10^point`. Works on UTF-8 bytes:
    /// query responses call it for every large or fractional value.
    static func decimalDigits(_ v: Double) -> (negative: Bool, digits: String, point: Int) {
        var text = "\(v.magnitude)"   // Swift prints the shortest round-trip digits, maybe with an exponent
        return text.withUTF8 { bytes in
            var digits: [UInt8] = []
            digits.reserveCapacity(bytes.count)
            var point = 0, seenPoint = false, exponent = 0
            for (i, c) in bytes.enumerated() {
                if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                    exponent = Int(String(decoding: bytes[(i + 1)...], as: UTF8.self))!
                    break
                }
                if c == UInt8(ascii: ".") {
                    seenPoint = true
                } else {
                    digits.append(c)
                    if !seenPoint { point += 1 }
                }
            }
            var first = 0, last = digits.count
            while first < last && digits[first] == UInt8(ascii: "0") { first += 1 }
            while last > first && digits[last - 1] == UInt8(ascii: "0") { last -= 1 }
            return (v.sign == .minus, String(decoding: digits[first..<last], as: UTF8.self), point + exponent - first)
        }
    }

    /// `0.digits × 10^point` written without an exponent.
    static func plainDigits(_ digits: String, point: Int) -> String {
        let zero = UInt8(ascii: "0")
        var out: [UInt8] = []
        out.reserveCapacity(digits.utf8.count + abs(point) + 2)
        if point <= 0 {
            out.append(zero)
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: repeatElement(zero, count: -point))
            out.append(contentsOf: digits.utf8)
        } else if point >= digits.utf8.count {
            out.append(contentsOf: digits.utf8)
            out.append(contentsOf: repeatElement(zero, count: point - digits.utf8.count))
        } else {
            out.append(contentsOf: digits.utf8.prefix(point))
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: digits.utf8.dropFirst(point))
        }
        return String(decoding: out, as: UTF8.self)
    }
}
