import Foundation
import LookoutModel

/// Prometheus's `humanize*` template functions, digit for digit (`%.4g` with SI or binary prefixes).
enum Humanize {
    static func g4(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        return String(format: "%.4g", v)
    }

    /// `humanize`: 1234567 → `1.235M`, 0.00123 → `1.23m`.
    static func si(_ value: Double) -> String {
        var v = value
        if v == 0 || !v.isFinite { return g4(v) }
        var prefix = ""
        if abs(v) >= 1 {
            for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] {
                if abs(v) < 1000 { break }
                prefix = p
                v /= 1000
            }
        } else {
            for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
                if abs(v) >= 1 { break }
                prefix = p
                v *= 1000
            }
        }
        return g4(v) + prefix
    }

    /// `humanize1024`: 1048576 → `1Mi`.
    static func binary(_ value: Double) -> String {
        var v = value
        if abs(v) <= 1 || !v.isFinite { return g4(v) }
        var prefix = ""
        for p in ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"] {
            if abs(v) < 1024 { break }
            prefix = p
            v /= 1024
        }
        return g4(v) + prefix
    }

    /// `humanizePercentage`: 0.1234 → `12.34%`.
    static func percentage(_ v: Double) -> String { g4(v * 100) + "%" }

    /// `humanizeDuration`: 3725 → `1h 2m 5s`, 0.25 → `250ms`.
    static func duration(_ value: Double) -> String {
        var v = value
        if !v.isFinite { return g4(v) }
        if v == 0 { return g4(v) + "s" }
        if abs(v) >= 1 {
            let sign = v < 0 ? "-" : ""
            v = abs(v)
            let total = Int64(v)
            let seconds = total % 60, minutes = (total / 60) % 60, hours = (total / 3600) % 24, days = total / 86_400
            if days != 0 { return "\(sign)\(days)d \(hours)h \(minutes)m \(seconds)s" }
            if hours != 0 { return "\(sign)\(hours)h \(minutes)m \(seconds)s" }
            if minutes != 0 { return "\(sign)\(minutes)m \(seconds)s" }
            return sign + g4(v) + "s"
        }
        var prefix = ""
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if abs(v) >= 1 { break }
            prefix = p
            v *= 1000
        }
        return g4(v) + prefix + "s"
    }

    /// `humanizeTimestamp`: Unix seconds as Go prints a UTC `time.Time`.
    static func timestamp(_ v: Double) -> String {
        guard v.isFinite else { return g4(v) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
        var text = formatter.string(from: Date(timeIntervalSince1970: v))
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + " +0000 UTC"
    }
}
