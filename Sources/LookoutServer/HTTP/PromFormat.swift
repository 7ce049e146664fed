import Foundation

/// How Prometheus's HTTP API prints numbers: sample values as Go's `strconv.FormatFloat(v, 'f', -1, 64)`
/// does (shortest round-trip digits, never an exponent), times as seconds with up to three decimals.
enum PromFormat {
    static func value(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v == .infinity { return "+Inf" }
        if v == -.infinity { return "-Inf" }
        if v == 0 { return v.sign == .minus ? "-0" : "0" }
        let shortest = "\(v)"   // Swift prints the shortest round-trip form, maybe with an exponent
        guard let e = shortest.firstIndex(where: { $0 == "e" || $0 == "E" }) else {
            return shortest.hasSuffix(".0") ? String(shortest.dropLast(2)) : shortest
        }
        let mantissa = String(shortest[..<e])
        let exponent = Int(shortest[shortest.index(after: e)...])!
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

    /// Milliseconds as a JSON number of seconds: `1435781451.781`, `1435781451`.
    static func time(_ ms: Int64) -> String {
        let sign = ms < 0 ? "-" : ""
        let magnitude = ms.magnitude
        let seconds = magnitude / 1000
        let rest = magnitude % 1000
        if rest == 0 { return sign + String(seconds) }
        var fraction = String(rest)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(sign)\(seconds).\(fraction)"
    }
}
