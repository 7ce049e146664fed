/// Limits and defaults for query evaluation.
public struct QueryOptions: Sendable {
    /// How far back an instant selector looks for a sample, in milliseconds.
    public var lookbackDelta: Int64 = 300_000
    /// Most samples a query may hold in memory at once.
    public var maxSamples: Int = 50_000_000
    /// Seconds before evaluation gives up with a `.timeout` error.
    public var timeout: Double = 120
    /// Resolution of subqueries written without a step (`x[1h:]`), in milliseconds: Prometheus's
    /// global evaluation interval, 1m by default.
    public var defaultSubqueryStep: Int64 = 60_000
    /// Most steps a range query may have.
    public var maxPointsPerSeries: Int64 = 11_000

    public init(lookbackDelta: Int64 = 300_000, maxSamples: Int = 50_000_000, timeout: Double = 120,
                defaultSubqueryStep: Int64 = 60_000) {
        self.lookbackDelta = lookbackDelta
        self.maxSamples = maxSamples
        self.timeout = timeout
        self.defaultSubqueryStep = defaultSubqueryStep
    }
}
