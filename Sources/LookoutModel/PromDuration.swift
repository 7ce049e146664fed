/// Prometheus durations such as `15s`, `1h30m`, `500ms`, `2d`, `1w`, `1y`, held as milliseconds.
public enum PromDuration {
    /// Parses a duration; units must appear from largest to smallest, each at most once.
    /// Returns nil for anything else (including an empty string) and for a total that does not
    /// fit in an `Int64` of milliseconds.
    public static func parse(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [
            ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000),
            ("m", 60_000), ("s", 1_000), ("ms", 1),
        ]
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        var i = 0
        var total: Int64 = 0
        var lastUnit = -1
        while i < bytes.count {
            var number: Int64 = 0
            let start = i
            while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
                let (m, o1) = number.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(bytes[i] - 48))
                if o1 || o2 { return nil }
                number = a
                i += 1
            }
            guard i > start else { return nil }
            var unitEnd = i
            while unitEnd < bytes.count, bytes[unitEnd] >= 97, bytes[unitEnd] <= 122 { unitEnd += 1 }
            let unitText = String(decoding: bytes[i..<unitEnd], as: UTF8.self)
            guard let unitIndex = units.firstIndex(where: { $0.0 == unitText }),
                  unitIndex > lastUnit else { return nil }
            lastUnit = unitIndex
            let (product, o1) = number.multipliedReportingOverflow(by: units[unitIndex].1)
            let (sum, o2) = total.addingReportingOverflow(product)
            if o1 || o2 { return nil }
            total = sum
            i = unitEnd
        }
        return total
    }

    /// Renders milliseconds the way Prometheus prints durations (`1h30m`, `15s`, `0s`).
    public static func format(_ ms: Int64) -> String {
        if ms == 0 { return "0s" }
        var rest = ms
        var out = ""
        for (unit, size) in [("y", Int64(365 * 86_400_000)), ("w", 7 * 86_400_000), ("d", 86_400_000),
                             ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)] {
            if rest >= size {
                out += "\(rest / size)\(unit)"
                rest %= size
            }
        }
        return out
    }
}

