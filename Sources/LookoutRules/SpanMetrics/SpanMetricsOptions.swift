/// `span_metrics:` — RED metrics from spans, named as Tempo's metrics-generator names them.
public struct SpanMetricsOptions: Sendable, Equatable {
    /// How often the series are written into the metric store, in milliseconds.
    public var intervalMilliseconds: Int64 = 15_000
    /// Upper bounds of `traces_spanmetrics_latency` in seconds: Tempo's default, 0.002 doubling to 16.384.
    public var buckets: [Double] = (0..<14).map { 0.002 * Double(1 << $0) }
    /// Span or resource attributes that become labels (dots become underscores).
    public var dimensions: [String] = []
    /// Series (span metrics and service graph together) beyond which new ones are dropped and counted.
    public var maxSeries = 10_000
    /// How long a client or server span waits for its other half before it is dropped (service graph).
    public var pairWaitSeconds: Double = 10
    /// Series no span has counted in for this long are dropped (Tempo's default: 15 minutes).
    public var staleSeriesSeconds: Double = 900
    /// Unpaired spans held at most (service graph).
    public var maxPendingPairs = 10_000

    public init() {}
}
