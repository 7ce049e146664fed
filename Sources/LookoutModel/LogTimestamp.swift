/// Log timestamps as services write them: RFC 3339 with any fraction (to the nanosecond; an offset
/// `+0100` is taken as `+01:00`), or a
/// number of epoch seconds, milliseconds, microseconds or nanoseconds told apart by magnitude.
public enum LogTimestamp {
    /// Nanoseconds since the epoch of an RFC 3339 text, or nil when it is not one.
    public static func parseRFC3339(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func digits(_ at: Int, _ count: Int) -> Int? {
            guard at + count <= b.count else { return nil }
            var v = 0
            for i in at..<at + count {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard b.count >= 20, let year = digits(0, 4), b[4] == 45, let month = digits(5, 2), b[7] == 45,
              let day = digits(8, 2), b[10] == 84 || b[10] == 116 || b[10] == 32, let hour = digits(11, 2), b[13] == 58,
              let minute = digits(14, 2), b[16] == 58, let second = digits(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var i = 19
        var nanos: Int64 = 0
        if i < b.count && (b[i] == 46 || b[i] == 44) {
            i += 1
            var scale: Int64 = 100_000_000
            let start = i
            while i < b.count, b[i] >= 48 && b[i] <= 57 {
                nanos += Int64(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        guard i < b.count else { return nil }
        var offsetSeconds = 0
        if b[i] == 90 || b[i] == 122 {
            i += 1
        } else if b[i] == 43 || b[i] == 45, let oh = digits(i + 1, 2) {
            // `+01:00`, or `+0100` as Python's and C's `%z` write it.
            let colon = i + 3 < b.count && b[i + 3] == 58 ? 1 : 0
            guard let om = digits(i + 3 + colon, 2), oh < 24, om < 60 else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (b[i] == 43 ? 1 : -1)
            i += 5 + colon
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(offsetSeconds)
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        return ns + nanos
    }

    /// Nanoseconds for an epoch number: below 10¹¹ seconds, below 10¹⁴ milliseconds, below 10¹⁷
    /// microseconds, else nanoseconds (the years 1973–5138 in each unit); nil for negative,
    /// non-finite or out-of-range values.
    public static func fromEpoch(_ value: Double) -> Int64? {
        guard value.isFinite, value >= 0 else { return nil }
        let ns: Double
        switch value {
        case ..<1e11: ns = value * 1e9
        case ..<1e14: ns = value * 1e6
        case ..<1e17: ns = value * 1e3
        default: ns = value
        }
        guard ns < 9.2e18 else { return nil }
        return Int64(ns)
    }

    /// `fromEpoch` for an integer, exact to the nanosecond.
    public static func fromEpoch(_ value: Int64) -> Int64? {
        let scaled: (Int64, Bool)
        switch value {
        case ..<0: return nil
        case ..<100_000_000_000: scaled = value.multipliedReportingOverflow(by: 1_000_000_000)
        case ..<100_000_000_000_000: scaled = value.multipliedReportingOverflow(by: 1_000_000)
        case ..<100_000_000_000_000_000: scaled = value.multipliedReportingOverflow(by: 1_000)
        default: scaled = (value, false)
        }
        return scaled.1 ? nil : scaled.0
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
