import LookoutModel

/// What `/api/v1/targets` reports for one target.
public struct TargetHealth: Sendable {
    /// `health` as Prometheus reports it.
    public enum State: String, Sendable { case unknown, up, down }
    public var target: ScrapeTarget
    public var state: State = .unknown
    public var lastError = ""
    /// Milliseconds since the epoch; 0 before the first scrape.
    public var lastScrape: Int64 = 0
    public var lastScrapeDuration: Double = 0

    public init(target: ScrapeTarget) {
        self.target = target
    }
}
