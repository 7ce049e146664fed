/// Prometheus's names for OTLP metrics (prometheus/otlptranslator, as Prometheus's OTLP receiver
/// uses it with suffixes on): characters outside `[a-zA-Z0-9_:]` become `_`, a leading digit gets
/// `_`, the unit becomes a suffix (`s` → `_seconds`, `By` → `_bytes`, `By/s` →
/// `_bytes_per_second`, `1` on a gauge → `_ratio`; units in braces are annotations and dropped),
/// unless the name already ends with it, and monotonic sums end in `_total`.
enum OTLPMetricNames {
    enum Kind { case gauge, counter, histogram, summary }

    static let units: [String: String] = [
        "d": "days", "h": "hours", "min": "minutes", "s": "seconds", "ms": "milliseconds", "us": "microseconds",
        "ns": "nanoseconds", "By": "bytes", "KiBy": "kibibytes", "MiBy": "mebibytes", "GiBy": "gibibytes",
        "TiBy": "tibibytes", "KBy": "kilobytes", "MBy": "megabytes", "GBy": "gigabytes", "TBy": "terabytes",
        "m": "meters", "V": "volts", "A": "amperes", "J": "joules", "W": "watts", "g": "grams", "Cel": "celsius",
        "Hz": "hertz", "%": "percent",
    ]
    static let perUnits: [String: String] = ["s": "second", "m": "minute", "h": "hour", "d": "day", "w": "week", "mo": "month", "y": "year"]

    static func name(_ otlpName: String, unit: String, kind: Kind) -> String {
        var words = sanitized(otlpName).split(separator: "_").map(String.init)
        for suffix in unitWords(unit, kind: kind) where !words.contains(suffix) { words.append(suffix) }
        if kind == .counter {
            if words.last == "total" { words.removeLast() }
            words.append("total")
        }
        let name = words.joined(separator: "_")
        return name.first.map { $0.isNumber } == true ? "_" + name : name
    }

    /// The words a unit adds: `By/s` → `bytes`, `per`, `second`.
    static func unitWords(_ unit: String, kind: Kind) -> [String] {
        let unit = unit.replacing(/\{[^}]*\}/, with: "").trimmingCharacters(in: " ")
        if unit == "1" { return kind == .gauge ? ["ratio"] : [] }
        guard !unit.isEmpty else { return [] }
        let parts = unit.split(separator: "/", maxSplits: 1).map(String.init)
        var words: [String] = []
        if let main = parts.first, !main.isEmpty { words += sanitized(units[main] ?? main).split(separator: "_").map(String.init) }
        if parts.count == 2, !parts[1].isEmpty {
            words += ["per"] + sanitized(perUnits[parts[1]] ?? units[parts[1]] ?? parts[1]).split(separator: "_").map(String.init)
        }
        return words
    }

    /// An attribute key as a label name: invalid characters → `_`, a leading digit → `key_`.
    static func labelName(_ key: String) -> String {
        let name = String(key.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") ? $0 : "_" })
        if name.first.map({ $0.isNumber }) == true { return "key_" + name }
        return name.isEmpty ? "_" : name
    }

    static func sanitized(_ s: String) -> String {
        String(s.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") ? $0 : "_" })
    }
}

private extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
