/// One SLO file in Sloth's `prometheus/v1` format: a service and its SLOs.
public struct SLOSpec: Sendable {
    public var service: String
    public var labels: [String: String]
    public var slos: [SLO]
    public var file: String
}

/// One service level objective: what counts as an error, the target, and how to alert on it.
public struct SLO: Sendable {
    /// What the SLI is made of. `red` shorthands are turned into `events` when the file is read.
    public enum SLI: Sendable {
        /// `error_query` and `total_query`, each with `{{.window}}` for the range.
        case events(errorQuery: String, totalQuery: String)
        /// `error_ratio_query` with `{{.window}}`.
        case raw(errorRatioQuery: String)
    }

    /// The page or ticket alert of an SLO (Sloth's `page_alert` / `ticket_alert`).
    public struct AlertSpec: Sendable {
        public var disabled = false
        public var labels: [String: String] = [:]
        public var annotations: [String: String] = [:]
    }

    public var name: String
    /// The target as a percentage, e.g. 99.9.
    public var objective: Double
    public var description: String
    public var labels: [String: String]
    public var sli: SLI
    public var alertName: String
    public var alertLabels: [String: String]
    public var alertAnnotations: [String: String]
    public var page: AlertSpec
    public var ticket: AlertSpec
    /// The SLO period in days (`time_window`: 7d, 28d or 30d; Sloth's is 30).
    public var periodDays: Int

    /// The objective as a ratio (99.9 → 0.999), without binary noise.
    public var objectiveRatio: Double { Self.rounded(objective / 100) }

    /// The error budget as a ratio: 1 - objective/100, without binary noise.
    public var errorBudget: Double { Self.rounded(1 - objective / 100) }

    static func rounded(_ v: Double) -> Double { Double(String(format: "%.12g", v)) ?? v }
}

/// The SRE workbook's multiwindow, multi-burn-rate alert windows for an SLO period: for 30 days,
/// page when 14.4× over 1h and 5m, or 6× over 6h and 30m; ticket when 3× over 1d and 2h, or 1×
/// over 3d and 6h. Other periods scale the windows with the period, keeping the factors (the share
/// of the budget each alert stands for stays the same) and the short window at 1/12 of the long.
public struct BurnRateWindows: Sendable, Equatable {
    public struct Pair: Sendable, Equatable {
        public var factor: Double
        public var long: Int64
        public var short: Int64
    }

    public var page: [Pair]
    public var ticket: [Pair]
    public var period: Int64

    public init(periodDays: Int) {
        let scale = Double(periodDays) / 30
        func pair(_ factor: Double, _ longMs: Int64) -> Pair {
            // Whole seconds, so every window prints as a PromQL duration.
            let long = Int64((Double(longMs) * scale / 1000).rounded()) * 1000
            return Pair(factor: factor, long: long, short: Int64((Double(long) / 12 / 1000).rounded()) * 1000)
        }
        page = [pair(14.4, 3_600_000), pair(6, 6 * 3_600_000)]
        ticket = [pair(3, 86_400_000), pair(1, 3 * 86_400_000)]
        period = Int64(periodDays) * 86_400_000
    }

    /// Every window an SLO records, shortest first, the period last.
    public var all: [Int64] {
        Array(Set((page + ticket).flatMap { [$0.long, $0.short] } + [period])).sorted()
    }

    /// The window recorded from the queries directly; longer ones are built from it.
    public var base: Int64 { all[0] }
}

/// `30d`, `6h`, `5m`, `280s`: the largest unit that divides the window.
public func windowText(_ ms: Int64) -> String {
    for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)] where ms % size == 0 {
        return "\(ms / size)\(unit)"
    }
    return "\(ms)ms"
}
