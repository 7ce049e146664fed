import LookoutModel

/// One selection as `MetricStore.select` reads it, chunk by chunk: samples outside `[start, end]`
/// or unseen by the hints' grid are dropped as each chunk is decoded, and the sample limit and the
/// deadline are checked after every chunk, so reading stops at the first breach.
struct SelectionBuffer {
    let start: Int64
    let end: Int64
    let hints: SelectHints
    /// The chunk being decoded (in time order, within the range).
    private var chunk: [Sample] = []
    /// The current series' kept samples, chunk after chunk (overlapping chunks may repeat one).
    private var series: [Sample] = []
    /// Samples in `series` kept only because they ended their chunk: whether a later chunk
    /// supersedes them at every point is known when the series ends.
    private var tentative = 0
    /// Samples of the series already returned.
    private var held = 0
    /// Samples decoded in range, before thinning.
    private(set) var decoded = 0

    init(start: Int64, end: Int64, hints: SelectHints) {
        self.start = start
        self.end = end
        self.hints = hints
    }

    @inline(__always) mutating func add(_ t: Int64, _ v: Double) {
        if t >= start && t <= end { chunk.append(Sample(t, v)) }
    }

    /// Keeps what the grid sees of the decoded chunk; throws once the limit or deadline is passed.
    mutating func endChunk() throws {
        defer { chunk.removeAll(keepingCapacity: true) }
        decoded += chunk.count
        if let grid = hints.grid {
            for i in chunk.indices {
                let next = i + 1 < chunk.count ? chunk[i + 1].timestamp : nil
                guard grid.keeps(chunk[i].timestamp, next: next) else { continue }
                series.append(chunk[i])
                if next == nil && grid.latestOnly { tentative += 1 }
            }
        } else {
            series.append(contentsOf: chunk)
        }
        if held + series.count - tentative > hints.sampleLimit { throw SelectLimitError.tooManySamples }
        try hints.checkDeadline()
    }

    /// The series' samples, sorted and distinct; counted against the limit.
    mutating func endSeries() throws -> [Sample] {
        var samples = MetricStore.sortedUnique(series)
        if let grid = hints.grid, grid.latestOnly, tentative > 0 { samples = grid.thin(samples) }
        series.removeAll(keepingCapacity: true)
        tentative = 0
        held += samples.count
        if held > hints.sampleLimit { throw SelectLimitError.tooManySamples }
        return samples
    }
}
