/// What a `MetricQuerier.select` may skip and where it must stop: the query engine says which
/// samples its evaluation can see and how many it may hold, so that a store reads lazily and a
/// refused query costs memory in proportion to its limit, not to the data it matches.
public struct SelectHints: Sendable {
    /// Samples the selection may hold, counted after `grid` has thinned them; one more throws
    /// `SelectLimitError.tooManySamples` while reading.
    public var sampleLimit: Int
    /// When reading must stop with `SelectLimitError.timeout`.
    public var deadline: ContinuousClock.Instant?
    /// The only evaluation points that will read the selection, if known; samples none of them
    /// can see are not returned.
    public var grid: SampleGrid?

    public init(sampleLimit: Int = .max, deadline: ContinuousClock.Instant? = nil, grid: SampleGrid? = nil) {
        self.sampleLimit = sampleLimit
        self.deadline = deadline
        self.grid = grid
    }

    /// No limit, no deadline, every sample.
    public static let none = SelectHints()

    /// Throws once the deadline has passed.
    @inline(__always) public func checkDeadline() throws(SelectLimitError) {
        if let deadline, ContinuousClock.now > deadline { throw .timeout }
    }
}

/// Why a selection stopped while reading.
public enum SelectLimitError: Error, Sendable, Equatable {
    case tooManySamples
    case timeout
}

/// Evaluation points `first, first + step, …` (`count` of them) and what each sees: the newest
/// sample at or before it no older than `window` (an instant selector, `latestOnly`), or every
/// sample in `[point - window, point]` (a range selector).
public struct SampleGrid: Sendable, Equatable {
    public var first: Int64
    public var step: Int64
    public var count: Int
    public var window: Int64
    public var latestOnly: Bool

    public init(first: Int64, step: Int64, count: Int, window: Int64, latestOnly: Bool) {
        self.first = first
        self.step = max(step, 0)
        self.count = max(count, 1)
        self.window = max(window, 0)
        self.latestOnly = latestOnly
    }

    /// The first evaluation point at or after `t`, if any.
    @inline(__always) func point(atOrAfter t: Int64) -> Int64? {
        if t <= first { return first }
        guard step > 0 else { return nil }
        let (distance, o1) = t.subtractingReportingOverflow(first)
        if o1 { return nil }
        let k = distance / step + (distance % step == 0 ? 0 : 1)
        guard k < Int64(count) else { return nil }
        return first + k * step
    }

    /// Whether some evaluation point sees a sample at `t` whose successor in the same series is at
    /// `next` (nil when it is the last one known).
    @inline(__always) public func keeps(_ t: Int64, next: Int64?) -> Bool {
        guard let p = point(atOrAfter: t) else { return false }
        if p.subtractingReportingOverflow(window).partialValue > t { return false }
        guard latestOnly, let next else { return true }
        return p < next
    }

    /// `samples` (sorted, distinct timestamps) without those no evaluation point sees.
    public func thin(_ samples: [Sample]) -> [Sample] {
        var out: [Sample] = []
        out.reserveCapacity(min(samples.count, count * (latestOnly ? 1 : 4)))
        for i in samples.indices where keeps(samples[i].timestamp, next: i + 1 < samples.count ? samples[i + 1].timestamp : nil) {
            out.append(samples[i])
        }
        return out
    }
}
