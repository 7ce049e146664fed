/// Go's duration syntax (`time.ParseDuration`), as Jaeger's and Tempo's APIs take it: a sequence of
/// decimal numbers with units `ns`, `us` (or `µs`), `ms`, `s`, `m`, `h`, e.g. `1.5s`, `1h30m`, `250ms`.
public enum GoDuration {
    /// Nanoseconds, or nil for malformed, negative or overflowing text.
    public static func nanoseconds(_ text: String) -> UInt64? {
        var rest = Substring(text)
        if rest == "0" { return 0 }
        guard !rest.isEmpty else { return nil }
        var total: Double = 0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { !($0.isNumber || $0 == ".") }
            rest = rest.dropFirst(unit.count)
            let scale: Double
            switch unit {
            case "ns": scale = 1
            case "us", "µs", "μs": scale = 1e3
            case "ms": scale = 1e6
            case "s": scale = 1e9
            case "m": scale = 60e9
            case "h": scale = 3600e9
            default: return nil
            }
            total += value * scale
        }
        guard total < 1.8e19 else { return nil }
        return UInt64(total.rounded())
    }
}
